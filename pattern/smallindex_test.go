package pattern

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestSmallIndexes checks childIndex and strIndex against plain maps through
// random adds and removes that cross maxSmall in both directions.
func TestSmallIndexes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	var ci childIndex
	var si strIndex
	wantC := map[string]int32{}
	wantS := map[string][]int32{}
	for step := 0; step < 5000; step++ {
		k := "k" + strconv.Itoa(r.IntN(3*maxSmall))
		v := int32(r.IntN(4))
		if r.IntN(2) == 0 {
			if _, ok := wantC[k]; !ok {
				ci.set(k, v)
				wantC[k] = v
			} else {
				ci.del(k)
				delete(wantC, k)
			}
		}
		if r.IntN(2) == 0 {
			si.add(k, v)
			wantS[k] = append(wantS[k], v)
		} else if i := slices.Index(wantS[k], v); i >= 0 {
			si.remove(k, v)
			if wantS[k] = slices.Delete(wantS[k], i, i+1); len(wantS[k]) == 0 {
				delete(wantS, k)
			}
		}
		for j := 0; j < 3*maxSmall; j++ {
			k := "k" + strconv.Itoa(j)
			id, ok := ci.get(k)
			if wid, wok := wantC[k]; ok != wok || id != wid {
				t.Fatalf("step %d: childIndex %s = %d, %v; want %d, %v", step, k, id, ok, wid, wok)
			}
			got := si.lookup([]byte(k), nil)
			slices.Sort(got)
			want := slices.Clone(wantS[k])
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: strIndex %s = %v, want %v", step, k, got, want)
			}
		}
	}
	var nilIndex *childIndex
	if _, ok := nilIndex.get("k"); ok {
		t.Fatal("nil childIndex holds a key")
	}
}

// TestMatcherManySiblings adds and removes rules whose states have more
// children, and value matchers more strings, than maxSmall, and checks the
// matcher against a fresh one holding the same rules.
func TestMatcherManySiblings(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	src := func(i int) string {
		return `{"a":["x` + strconv.Itoa(i%5) + `"],"b":["y` + strconv.Itoa(i%23) + `"],"c":["z` + strconv.Itoa(i%3) + `"]}`
	}
	m := NewMatcher()
	live := map[string]int{}
	for step := 0; step < 600; step++ {
		i := r.IntN(60)
		name := "r" + strconv.Itoa(i)
		if r.IntN(3) == 0 {
			m.Remove(name)
			delete(live, name)
		} else if err := m.Add(name, mustCompile(t, src(i))); err != nil {
			t.Fatal(err)
		} else {
			live[name] = i
		}
		if step%25 != 0 {
			continue
		}
		fresh := NewMatcher()
		for n, i := range live {
			if err := fresh.Add(n, mustCompile(t, src(i))); err != nil {
				t.Fatal(err)
			}
		}
		for j := 0; j < 60; j++ {
			ev := []byte(`{"a":"x` + strconv.Itoa(j%5) + `","b":"y` + strconv.Itoa(j%23) + `","c":"z` + strconv.Itoa(j%3) + `"}`)
			a, _ := m.Match(ev, nil)
			b, _ := fresh.Match(ev, nil)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("step %d event %s: incremental %v, fresh %v", step, ev, a, b)
			}
		}
	}
}
