package pattern

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// This file measures the risk BENCHMARKS.md names for a single immutable
// snapshot with structural sharing: that a persistent index is slower to
// read than the Go map the automaton uses. hamt is a minimal persistent hash
// array mapped trie from strings to child lists (insert copies only the
// nodes on the key's path), the structure such a snapshot would need for a
// value matcher's exact strings; it exists only for these measurements.

type hamt struct {
	seed maphash.Seed
	root *hamtNode
	n    int
}

// A hamtNode has up to 32 slots, present ones listed in bitmap order; a slot
// is a leaf (kids != nil) or a sub-node.
type hamtNode struct {
	bitmap uint32
	slots  []hamtSlot
}

type hamtSlot struct {
	leaf *hamtLeaf
	sub  *hamtNode
}

// A hamtLeaf is immutable once a trie holding it is published.
type hamtLeaf struct {
	hash uint64
	key  string
	kids []int32
}

const hamtBits = 5

func newHAMT() *hamt { return &hamt{seed: maphash.MakeSeed(), root: &hamtNode{}} }

// lookup appends the children listed under s.
func (h *hamt) lookup(s []byte, out []int32) []int32 {
	hv := maphash.Bytes(h.seed, s)
	n := h.root
	for shift := uint(0); ; shift += hamtBits {
		bit := uint32(1) << ((hv >> shift) & 31)
		if n.bitmap&bit == 0 {
			return out
		}
		sl := &n.slots[bits.OnesCount32(n.bitmap&(bit-1))]
		if sl.sub == nil {
			if sl.leaf.key == string(s) {
				return append(out, sl.leaf.kids...)
			}
			return out
		}
		n = sl.sub
	}
}

// with returns a new trie holding k -> v as well; h is unchanged.
func (h *hamt) with(k string, v int32) *hamt {
	hv := maphash.String(h.seed, k)
	return &hamt{seed: h.seed, root: h.root.with(hv, k, v, 0), n: h.n + 1}
}

func (n *hamtNode) with(hv uint64, k string, v int32, shift uint) *hamtNode {
	bit := uint32(1) << ((hv >> shift) & 31)
	i := bits.OnesCount32(n.bitmap & (bit - 1))
	c := &hamtNode{bitmap: n.bitmap | bit}
	if n.bitmap&bit == 0 {
		c.slots = make([]hamtSlot, len(n.slots)+1)
		copy(c.slots, n.slots[:i])
		c.slots[i] = hamtSlot{leaf: &hamtLeaf{hash: hv, key: k, kids: []int32{v}}}
		copy(c.slots[i+1:], n.slots[i:])
		return c
	}
	c.slots = append([]hamtSlot(nil), n.slots...)
	sl := &c.slots[i]
	switch {
	case sl.sub != nil:
		sl.sub = sl.sub.with(hv, k, v, shift+hamtBits)
	case sl.leaf.key == k:
		l := *sl.leaf
		l.kids = append(l.kids[:len(l.kids):len(l.kids)], v)
		sl.leaf = &l
	case shift+hamtBits >= 64: // full hash collision: not reached in these measurements
		panic("hamt: hash collision")
	default:
		old := sl.leaf
		sub := &hamtNode{bitmap: 1 << ((old.hash >> (shift + hamtBits)) & 31), slots: []hamtSlot{{leaf: old}}}
		*sl = hamtSlot{sub: sub.with(hv, k, v, shift+hamtBits)}
	}
	return c
}

func TestHAMT(t *testing.T) {
	h := newHAMT()
	for i := 0; i < 5000; i++ {
		h = h.with(fmt.Sprint("state-", i), int32(i))
	}
	for i := 0; i < 5000; i++ {
		got := h.lookup([]byte(fmt.Sprint("state-", i)), nil)
		if len(got) != 1 || got[0] != int32(i) {
			t.Fatalf("key %d: %v", i, got)
		}
	}
	if got := h.lookup([]byte("state-x"), nil); len(got) != 0 {
		t.Fatalf("missing key found: %v", got)
	}
}

// BenchmarkIndexLookup compares looking an event value up in a strIndex (a
// Go map past 8 entries) and in a hamt holding the same SHARED-like keys, in
// a random order, and building each one key at a time (the hamt
// persistently: every version stays valid, as a published snapshot needs).
// The machine is shared, so the two are timed in alternation, 20 batches of
// lookups and 3 builds each, and the fastest batch of each is reported, as
// ns per lookup or insert; B/key is the live heap each index takes. Run it
// with -benchtime 1x.
func BenchmarkIndexLookup(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				compareIndexes(b, n)
			}
		})
	}
}

func compareIndexes(b *testing.B, n int) {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprint("state-", i))
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	buildMap := func() *strIndex {
		x := &strIndex{}
		for j, k := range keys {
			x.add(string(k), int32(j))
		}
		return x
	}
	buildHAMT := func() *hamt {
		h := newHAMT()
		for j, k := range keys {
			h = h.with(string(k), int32(j))
		}
		return h
	}
	h0 := liveHeap()
	x := buildMap()
	h1 := liveHeap()
	h := buildHAMT()
	h2 := liveHeap()
	const batch = 200000
	out := make([]int32, 0, 4)
	best := func(prev float64, start time.Time, ops int) float64 {
		d := float64(time.Since(start).Nanoseconds()) / float64(ops)
		if prev == 0 || d < prev {
			return d
		}
		return prev
	}
	var mapNS, hamtNS, mapAdd, hamtAdd float64
	for r := 0; r < 20; r++ {
		t := time.Now()
		for i := 0; i < batch; i++ {
			out = x.lookup(keys[order[i%n]], out[:0])
		}
		mapNS = best(mapNS, t, batch)
		t = time.Now()
		for i := 0; i < batch; i++ {
			out = h.lookup(keys[order[i%n]], out[:0])
		}
		hamtNS = best(hamtNS, t, batch)
	}
	for r := 0; r < 3; r++ {
		t := time.Now()
		buildMap()
		mapAdd = best(mapAdd, t, n)
		t = time.Now()
		buildHAMT()
		hamtAdd = best(hamtAdd, t, n)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(h)
	b.ReportMetric(mapNS, "map-ns/lookup")
	b.ReportMetric(hamtNS, "hamt-ns/lookup")
	b.ReportMetric(mapAdd, "map-ns/insert")
	b.ReportMetric(hamtAdd, "hamt-ns/insert")
	b.ReportMetric(float64(h1-h0)/float64(n), "map-B/key")
	b.ReportMetric(float64(h2-h1)/float64(n), "hamt-B/key")
}
