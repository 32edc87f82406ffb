package pattern

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkMemory reports the heap a Matcher holds for the shared-field
// (SHARED), mixed (COMBO) and EXACT sets at 10k and 100k rules: bytes live
// after a full garbage collection, minus those live before. MB/patterns is
// the compiled Patterns (which the Matcher keeps, to remove them);
// MB/matcher is what Add allocates on top (the two automata of the double
// buffer, names, bookkeeping); B/rule is their sum over the rule count;
// MB/automaton is one automaton alone, what a single snapshot would keep.
// Run it with -benchtime 1x.
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
					h0 := liveHeap()
					pats := make([]*Pattern, n)
					for j := range pats {
						p, err := Compile(set.rule(j))
						if err != nil {
							b.Fatal(err)
						}
						pats[j] = p
					}
					h1 := liveHeap()
					m := NewMatcher()
					for j, p := range pats {
						if err := m.Add("r"+strconv.Itoa(j), p); err != nil {
							b.Fatal(err)
						}
					}
					h2 := liveHeap()
					one := newAutomaton() // what one side of the Matcher's double buffer costs
					for j, p := range pats {
						one.addPattern(int32(j), "", p)
					}
					h3 := liveHeap()
					runtime.KeepAlive(m)
					runtime.KeepAlive(one)
					b.ReportMetric(float64(h3-h2)/1e6, "MB/automaton")
					b.ReportMetric(float64(h1-h0)/1e6, "MB/patterns")
					b.ReportMetric(float64(h2-h1)/1e6, "MB/matcher")
					b.ReportMetric(float64(h2-h0)/float64(n), "B/rule")
				}
			})
		}
	}
}

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
