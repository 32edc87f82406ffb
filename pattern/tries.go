package pattern

// A byteTrie maps byte strings to lists of values and, walked along an
// input, yields the values of every key that is a prefix of the input (or,
// walked backwards, a suffix). Prefix, suffix and wildcard conditions are
// stored in byteTries, so their cost per event value is one pass over the
// value's bytes, whatever the number of patterns.
type byteTrie struct {
	root trieNode
	size int
}

type trieNode struct {
	edges []byte // sorted
	kids  []*trieNode
	vals  []int32
}

func (n *trieNode) child(c byte) *trieNode {
	e := n.edges
	if len(e) <= 8 {
		for i, b := range e {
			if b == c {
				return n.kids[i]
			}
		}
		return nil
	}
	lo, hi := 0, len(e)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e[m] < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e) && e[lo] == c {
		return n.kids[lo]
	}
	return nil
}

func (n *trieNode) makeChild(c byte) *trieNode {
	if k := n.child(c); k != nil {
		return k
	}
	i := 0
	for i < len(n.edges) && n.edges[i] < c {
		i++
	}
	k := &trieNode{}
	n.edges = append(n.edges, 0)
	copy(n.edges[i+1:], n.edges[i:])
	n.edges[i] = c
	n.kids = append(n.kids, nil)
	copy(n.kids[i+1:], n.kids[i:])
	n.kids[i] = k
	return k
}

// insert adds v under key, read backwards when reverse is set.
func (t *byteTrie) insert(key string, reverse bool, v int32) {
	n := &t.root
	for i := 0; i < len(key); i++ {
		c := key[i]
		if reverse {
			c = key[len(key)-1-i]
		}
		n = n.makeChild(c)
	}
	n.vals = append(n.vals, v)
	t.size++
}

// remove deletes one v under key; it leaves empty nodes in place (they cost
// nothing at match time beyond a step of the walk).
func (t *byteTrie) remove(key string, reverse bool, v int32) {
	n := &t.root
	for i := 0; i < len(key) && n != nil; i++ {
		c := key[i]
		if reverse {
			c = key[len(key)-1-i]
		}
		n = n.child(c)
	}
	if n != nil && removeVal(&n.vals, v) {
		t.size--
	}
}

func removeVal(vals *[]int32, v int32) bool {
	s := *vals
	for i, x := range s {
		if x == v {
			copy(s[i:], s[i+1:])
			*vals = s[:len(s)-1]
			return true
		}
	}
	return false
}

// walk appends the values of every key that is a prefix of s (a suffix when
// reverse is set).
func (t *byteTrie) walk(s []byte, reverse bool, out []int32) []int32 {
	n := &t.root
	out = append(out, n.vals...)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if reverse {
			c = s[len(s)-1-i]
		}
		if n = n.child(c); n == nil {
			break
		}
		out = append(out, n.vals...)
	}
	return out
}

// A rangeTrie stores inclusive ranges of fixed-width big-endian keys as the
// canonical cover of binary-trie nodes, like a segment tree over the whole
// key space. A lookup walks one root-to-leaf path, so numeric ranges and CIDR
// blocks cost at most one step per key bit, whatever their number.
type rangeTrie struct {
	bits int
	root rangeNode
	size int
}

type rangeNode struct {
	kids [2]*rangeNode
	vals []int32
}

func keyBit(k []byte, i int) int { return int(k[i>>3]>>(7-uint(i&7))) & 1 }

// lastBit returns the index of the last bit of k equal to b, or -1.
func lastBit(k []byte, bits, b int) int {
	for i := bits - 1; i >= 0; i-- {
		if keyBit(k, i) == b {
			return i
		}
	}
	return -1
}

// update adds (or removes) v on the cover of [lo, hi].
func (t *rangeTrie) update(lo, hi []byte, v int32, add bool) {
	r := rangeWalk{t: t, lo: lo, hi: hi, v: v, add: add,
		loOne: lastBit(lo, t.bits, 1), hiZero: lastBit(hi, t.bits, 0)}
	r.visit(&t.root, 0, false, false)
	if add {
		t.size++
	} else {
		t.size--
	}
}

type rangeWalk struct {
	t             *rangeTrie
	lo, hi        []byte
	loOne, hiZero int
	v             int32
	add           bool
}

// visit handles the node at depth whose key range starts at or after lo when
// loFree, and ends at or before hi when hiFree.
func (r *rangeWalk) visit(n *rangeNode, depth int, loFree, hiFree bool) {
	loFree = loFree || depth > r.loOne
	hiFree = hiFree || depth > r.hiZero
	if (loFree && hiFree) || depth == r.t.bits {
		if r.add {
			n.vals = append(n.vals, r.v)
		} else {
			removeVal(&n.vals, r.v)
		}
		return
	}
	bl, bh := keyBit(r.lo, depth), keyBit(r.hi, depth)
	for c := 0; c < 2; c++ {
		if (!loFree && c < bl) || (!hiFree && c > bh) {
			continue
		}
		k := n.kids[c]
		if k == nil {
			if !r.add {
				continue
			}
			k = &rangeNode{}
			n.kids[c] = k
		}
		r.visit(k, depth+1, loFree || c > bl, hiFree || c < bh)
	}
}

// lookup appends the values of every range holding key.
func (t *rangeTrie) lookup(key []byte, out []int32) []int32 {
	n := &t.root
	for i := 0; ; i++ {
		out = append(out, n.vals...)
		if i == t.bits {
			return out
		}
		if n = n.kids[keyBit(key, i)]; n == nil {
			return out
		}
	}
}
