package pattern

import (
	"sync"
	"sync/atomic"
	"time"
)

// A Matcher holds named patterns and finds which of them an event matches.
// The zero value is not usable; call NewMatcher.
//
// Match may be called from any number of goroutines, concurrently with Add
// and Remove, and never waits for them. Add and Remove serialise among
// themselves, and each waits until every Match that started before it has
// returned (so a slow Match delays them, never the other way round); a
// pattern added (or removed) is seen by every Match that starts after Add
// (or Remove) returns.
type Matcher struct {
	mu    sync.Mutex           // serialises updates; guards rules and free
	rules map[string]ruleEntry // guarded by mu
	free  []int32              // guarded by mu
	sides [2]*automaton        // written only by the holder of mu
	live  atomic.Pointer[automaton]
	pool  sync.Pool // *scratch
}

// A ruleEntry is what a Matcher keeps of a rule: its id in the automata and
// its pattern's source text. The compiled Pattern is not kept (it is several
// times larger than its text): Remove, a replacing Add and rebuild compile
// the text again, which yields the same branches, fields and keys, since
// Compile is deterministic.
type ruleEntry struct {
	id  int32
	src string
}

// compiled returns the Pattern r was added with, compiled again from its
// text. A zero Pattern (whose empty text does not compile) had no branches,
// and neither has the one returned for it.
func (r ruleEntry) compiled() *Pattern {
	p, err := Compile(r.src)
	if err != nil {
		return &Pattern{}
	}
	return p
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	m := &Matcher{rules: map[string]ruleEntry{}}
	m.sides[0], m.sides[1] = newAutomaton(), newAutomaton()
	m.live.Store(m.sides[0])
	return m
}

// Add adds p under name, replacing any pattern already there. It returns an
// error only for a nil pattern. The Matcher keeps p's source text, not p.
func (m *Matcher) Add(name string, p *Pattern) error {
	if p == nil {
		return errNilPattern
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, exists := m.rules[name]
	id := old.id
	if !exists {
		id = int32(len(m.rules))
		if n := len(m.free); n > 0 {
			id = m.free[n-1]
			m.free = m.free[:n-1]
		}
	}
	m.rules[name] = ruleEntry{id: id, src: p.src}
	var oldp *Pattern
	if exists {
		oldp = old.compiled()
	}
	m.update(func(a *automaton) {
		if exists {
			a.removePattern(id, oldp)
		}
		a.addPattern(id, name, p)
	})
	return nil
}

// Remove removes the pattern under name, if any. It compiles the pattern's
// text again to find what to take out of the automata, so it costs about as
// much as Compile and Add together.
func (m *Matcher) Remove(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, exists := m.rules[name]
	if !exists {
		return
	}
	delete(m.rules, name)
	m.free = append(m.free, old.id)
	oldp := old.compiled()
	m.update(func(a *automaton) { a.removePattern(old.id, oldp) })
}

// Len returns the number of patterns held.
func (m *Matcher) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rules)
}

// straggleWait bounds how long an update waits for the Match calls still
// reading the automaton it replaced: a reader preempted mid-Match may not
// run again for a scheduler time slice or more.
const straggleWait = time.Millisecond

// update applies op to the standby automaton and publishes it. The previous
// automaton must then get op too, so the two stay identical, but only once
// no Match still reads it: update waits up to straggleWait for those, and if
// some remain it leaves the previous automaton to them (the garbage
// collector takes it when they are done) and builds the standby side anew
// from m.rules instead, so an update never waits longer than that however
// busy matching is. The caller holds mu and has already applied the change
// to m.rules.
func (m *Matcher) update(op func(*automaton)) {
	old := m.live.Load()
	side := 0
	if m.sides[0] == old {
		side = 1
	}
	op(m.sides[side])
	m.live.Store(m.sides[side])
	for start := time.Now(); old.readers.Load() != 0; {
		if time.Since(start) > straggleWait {
			m.sides[1-side] = m.rebuild()
			return
		}
	}
	op(old)
}

// rebuild returns an automaton holding every pattern of m.rules; the caller
// holds mu.
func (m *Matcher) rebuild() *automaton {
	a := newAutomaton()
	for name, r := range m.rules {
		a.addPattern(r.id, name, r.compiled())
	}
	return a
}

// acquire returns the live automaton, counted as read until release.
func (m *Matcher) acquire() *automaton {
	for {
		a := m.live.Load()
		a.readers.Add(1)
		if m.live.Load() == a {
			return a
		}
		a.readers.Add(-1)
	}
}

// Match appends to dst the name of every pattern the event matches, each
// once, and returns the extended slice. The event must be a JSON object; for
// anything else Match returns dst unchanged and ErrNotObject or
// ErrInvalidJSON. Match does not allocate when dst has room.
func (m *Matcher) Match(event []byte, dst []string) ([]string, error) {
	sc, _ := m.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	a := m.acquire()
	dst, err := a.match(event, sc, dst)
	a.readers.Add(-1)
	m.pool.Put(sc)
	return dst, err
}
