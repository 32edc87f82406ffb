package pattern

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
)

func mustCompile(t testing.TB, src string) *Pattern {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMatcherAddReplaceRemove(t *testing.T) {
	m := NewMatcher()
	ev := []byte(`{"source":"a","detail":{"n":5}}`)
	if err := m.Add("r1", mustCompile(t, `{"source":["a"]}`)); err != nil {
		t.Fatal(err)
	}
	if err := m.Add("r2", mustCompile(t, `{"detail":{"n":[{"numeric":[">",1]}]}}`)); err != nil {
		t.Fatal(err)
	}
	got, err := m.Match(ev, nil)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"r1", "r2"}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if err := m.Add("r1", mustCompile(t, `{"source":["b"]}`)); err != nil { // replace
		t.Fatal(err)
	}
	if got, _ = m.Match(ev, nil); !slices.Equal(got, []string{"r2"}) {
		t.Fatalf("after replace: %v", got)
	}
	m.Remove("r2")
	m.Remove("nope")
	if got, _ = m.Match(ev, nil); len(got) != 0 {
		t.Fatalf("after remove: %v", got)
	}
	m.Remove("r1")
	for _, a := range m.sides {
		if len(a.pathIDs) != 0 || len(a.states[0].edges) != 0 || len(a.states)-len(a.freeState) != 1 {
			t.Fatalf("automaton not empty after removing everything: %d paths, %d edges", len(a.pathIDs), len(a.states[0].edges))
		}
	}
	if m.Len() != 0 {
		t.Fatal("Len != 0")
	}
	if err := m.Add("x", nil); err == nil {
		t.Fatal("Add(nil) succeeded")
	}
}

// TestMatcherRemoveRandom adds and removes random patterns and checks the
// matcher against a fresh one holding the same set.
func TestMatcherRemoveRandom(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(5, 5))}
	m := NewMatcher()
	live := map[string]string{}
	for step := 0; step < 400; step++ {
		name := strconv.Itoa(g.r.IntN(30))
		if g.r.IntN(3) == 0 {
			m.Remove(name)
			delete(live, name)
		} else {
			src := g.pattern()
			p, err := Compile(src)
			if err != nil {
				continue
			}
			if err := m.Add(name, p); err != nil {
				t.Fatal(err)
			}
			live[name] = src
		}
		if step%20 != 0 {
			continue
		}
		fresh := NewMatcher()
		for n, src := range live {
			if err := fresh.Add(n, mustCompile(t, src)); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 30; i++ {
			ev := []byte(g.eventObject(0))
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

// TestMatcherConcurrent runs Match on several goroutines while patterns are
// added and removed (run with -race).
func TestMatcherConcurrent(t *testing.T) {
	m := NewMatcher()
	ev := []byte(`{"source":"s","detail":{"state":"x3"}}`)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []string
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if dst, err = m.Match(ev, dst[:0]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < 300; i++ {
		name := "r" + strconv.Itoa(i%10)
		if err := m.Add(name, mustCompile(t, `{"source":["s"],"detail":{"state":["x`+strconv.Itoa(i%7)+`"]}}`)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			m.Remove(name)
		}
	}
	close(stop)
	wg.Wait()
}
