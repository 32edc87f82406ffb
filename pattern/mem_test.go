package pattern

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkMemory reports the heap a Matcher holds for the shared-field
// (SHARED), mixed (COMBO) and EXACT sets at 10k and 100k rules: bytes live
// after a full garbage collection, minus those live before. Each pattern is
// compiled and added in turn and not kept, as internal/router does, so
// MB/matcher is everything the rules cost (automata, names, the pattern
// texts the Matcher keeps), and B/rule is that over the rule count.
// MB/patterns is what the same Patterns take when a caller keeps them all,
// and MB/automaton is one automaton alone, built from them. Run it with
// -benchtime 1x.
func BenchmarkMemory(b *testing.B) {
	for _, name := range []string{"SHARED", "COMBO", "EXACT"} {
		var set benchSet
		for _, s := range benchSets {
			if s.name == name {
				set = s
			}
		}
		for _, n := range []int{10000, 100000} {
			b.Run(fmt.Sprintf("%s/rules=%d", name, n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					measureMemory(b, set, n)
				}
			})
		}
	}
}

func measureMemory(b *testing.B, set benchSet, n int) {
	b.Helper()
	compile := func(j int) *Pattern {
		p, err := Compile(set.rule(j))
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	h0 := liveHeap()
	m := NewMatcher()
	for j := 0; j < n; j++ {
		if err := m.Add("r"+strconv.Itoa(j), compile(j)); err != nil {
			b.Fatal(err)
		}
	}
	h1 := liveHeap()
	pats := make([]*Pattern, n)
	for j := range pats {
		pats[j] = compile(j)
	}
	h2 := liveHeap()
	one := newAutomaton() // one automaton alone
	for j, p := range pats {
		one.addPattern(int32(j), "", p)
	}
	h3 := liveHeap()
	runtime.KeepAlive(m)
	runtime.KeepAlive(pats)
	runtime.KeepAlive(one)
	b.ReportMetric(float64(h3-h2)/1e6, "MB/automaton")
	b.ReportMetric(float64(h2-h1)/1e6, "MB/patterns")
	b.ReportMetric(float64(h1-h0)/1e6, "MB/matcher")
	b.ReportMetric(float64(h1-h0)/float64(n), "B/rule")
}

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
