package pattern

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
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
	assertEmpty(t, m)
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
	// The Matcher keeps only pattern texts; removing by them leaves nothing.
	if err := m.Add("zero", &Pattern{}); err != nil {
		t.Fatal(err)
	}
	for name := range live {
		m.Remove(name)
	}
	m.Remove("zero")
	assertEmpty(t, m)
}

func assertEmpty(t *testing.T, m *Matcher) {
	t.Helper()
	for _, a := range m.sides {
		if len(a.pathIDs) != 0 || len(a.states[0].edges) != 0 || len(a.states)-len(a.freeState) != 1 || a.ruleCount != 0 {
			t.Fatalf("automaton not empty after removing everything: %d paths, %d edges, %d rules",
				len(a.pathIDs), len(a.states[0].edges), a.ruleCount)
		}
	}
	if m.Len() != 0 {
		t.Fatal("Len != 0")
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

// TestMatcherUpdateWithStraggler holds a Match "in progress" on the live
// automaton across updates, as a reader preempted mid-Match would: updates
// must neither wait for it nor change what it reads, and the matcher must
// answer correctly afterwards, on both of its sides.
func TestMatcherUpdateWithStraggler(t *testing.T) {
	m := NewMatcher()
	ev := []byte(`{"source":"s","detail":{"state":"on"}}`)
	if err := m.Add("a", mustCompile(t, `{"source":["s"]}`)); err != nil {
		t.Fatal(err)
	}
	held := m.acquire() // a straggler reading the automaton that holds only "a"
	for _, step := range []struct {
		add, remove string
		want        []string
	}{
		{add: "b", want: []string{"a", "b"}},
		{remove: "a", want: []string{"b"}},
		{add: "c", want: []string{"b", "c"}},
		{add: "a", want: []string{"a", "b", "c"}},
	} {
		done := make(chan error, 1)
		go func() {
			if step.add != "" {
				done <- m.Add(step.add, mustCompile(t, `{"detail":{"state":["on"]}}`))
				return
			}
			m.Remove(step.remove)
			done <- nil
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%+v: the update waits for a Match that started before it", step)
		}
		got, err := m.Match(ev, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, step.want) {
			t.Fatalf("after %+v: matched %v, want %v", step, got, step.want)
		}
	}
	// The straggler still sees the automaton it started on, untouched.
	var sc scratch
	got, err := held.match(ev, &sc, nil)
	held.readers.Add(-1)
	if err != nil || !slices.Equal(got, []string{"a"}) {
		t.Fatalf("straggler matched %v, %v; want [a]", got, err)
	}
	// With the straggler gone both sides take updates in place again.
	for _, name := range []string{"b", "c"} {
		m.Remove(name)
		got, err := m.Match(ev, nil)
		if err != nil || slices.Contains(got, name) {
			t.Fatalf("after removing %s: %v, %v", name, got, err)
		}
	}
	if got, _ := m.Match(ev, nil); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("finally matched %v, want [a]", got)
	}
}
