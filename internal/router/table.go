package router

import (
	"log/slog"
	"maps"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/pattern"
)

// A Change is one update of the rules, as their watch reports it.
type Change = eventbus.RecordChange[eventbus.Rule]

// busKey names one bus of one account.
type busKey struct{ account, bus string }

// ruleID names one rule.
type ruleID struct{ account, bus, name string }

// A route is one routing rule as the hot path needs it.
type route struct {
	arn  string
	rule eventbus.Rule
}

// busRoutes are one bus's routing rules, published whole: the map is never
// written after publication. The matcher is shared by every snapshot of the
// bus (it is safe for concurrent Match with Add and Remove); its pattern
// names are matcher keys, name + "\x00" + revision, so a name the matcher
// reports resolves, in any one snapshot, to the rule version whose pattern
// matched, or to nothing.
type busRoutes struct {
	matcher *pattern.Matcher
	routes  map[string]*route // matcher key → rule
}

// A snapshot is every bus's routes at one moment; never written after
// publication. readers counts Route calls using it, so Publish knows when
// the patterns only it refers to may leave the matchers.
type snapshot struct {
	buses   map[busKey]*busRoutes
	readers atomic.Int64
}

// A Table holds the routing rules of every bus in memory and routes events
// against them. Route reads the current snapshot through an atomic pointer
// and never waits for updates; Apply stages changes and Publish makes them
// visible (copy-on-write: the changed buses' maps and the top-level map are
// copied, then swapped in). An event routed after Publish returns sees every
// change applied before it, and an event routed while a rule is replaced
// sees exactly one version of the rule: a replaced pattern leaves the
// matcher only once no Route still reads a snapshot that refers to it.
//
// Route may run on any number of goroutines. Apply, Publish and the resync
// methods are serialised by mu and are meant for the one goroutine that
// watches the rules.
type Table struct {
	region string
	log    *slog.Logger
	live   atomic.Pointer[snapshot]

	mu      sync.Mutex            // guards the fields below
	buses   map[busKey]*busState  // the writer's view
	dirty   map[busKey]bool       // buses changed since the last Publish
	removal []pendingRemoval      // matcher keys to remove after Publish
	seen    map[ruleID]bool       // during a resync: rules the watch re-sent
	rules   map[ruleID]ruleRecord // every routing rule's current matcher key
}

type busState struct {
	matcher *pattern.Matcher
	routes  map[string]*route
}

type ruleRecord struct{ key string }

type pendingRemoval struct {
	matcher *pattern.Matcher
	key     string
}

// NewTable returns an empty table for rules of region (it makes rule ARNs).
// log receives rules that cannot be used; nil discards.
func NewTable(region string, log *slog.Logger) *Table {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := &Table{
		region: region, log: log,
		buses: map[busKey]*busState{}, dirty: map[busKey]bool{}, rules: map[ruleID]ruleRecord{},
	}
	t.live.Store(&snapshot{buses: map[busKey]*busRoutes{}})
	return t
}

// Apply stages one change; it takes effect at the next Publish. A put of a
// rule that does not route (disabled, no pattern, a pattern that does not
// compile, a value that does not decode) removes the rule.
func (t *Table) Apply(c Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.Op == eventbus.OpSynced {
		t.finishResync()
		return
	}
	account, bus, name, ok := eventbus.RuleKey(c.Key)
	if !ok {
		t.log.Warn("router: ignoring rules key that is not (account, bus, rule)", "key", c.Key)
		return
	}
	id := ruleID{account, bus, name}
	if t.seen != nil {
		t.seen[id] = true
	}
	if c.Op == eventbus.OpDelete {
		t.remove(id)
		return
	}
	if c.Err != nil {
		t.log.Error("router: rule does not decode; not routing it", "rule", id, "err", c.Err)
		t.remove(id)
		return
	}
	r := c.Value
	key := id.name + "\x00" + strconv.FormatUint(c.Revision, 10)
	if old, ok := t.rules[id]; ok && old.key == key {
		return // a resync re-sent what we have
	}
	if !r.Routes() {
		t.remove(id)
		return
	}
	p, err := pattern.Compile(r.EventPattern)
	if err != nil {
		t.log.Error("router: rule pattern does not compile; not routing it", "rule", id, "err", err)
		t.remove(id)
		return
	}
	r.Account, r.Bus, r.Name = id.account, id.bus, id.name
	b := t.bus(busKey{id.account, id.bus})
	// Add first: no published snapshot knows key yet, so Match may report it
	// and Route will skip it until Publish.
	_ = b.matcher.Add(key, p) // only fails for a nil pattern
	t.remove(id)
	b.routes[key] = &route{arn: eventbus.RuleARN(t.region, id.account, id.bus, id.name), rule: r}
	t.rules[id] = ruleRecord{key: key}
}

// bus returns the writer's state of k, creating it; the caller holds mu.
func (t *Table) bus(k busKey) *busState {
	b := t.buses[k]
	if b == nil {
		b = &busState{matcher: pattern.NewMatcher(), routes: map[string]*route{}}
		t.buses[k] = b
	}
	t.dirty[k] = true
	return b
}

// remove unstages rule id; its pattern leaves the matcher after the next
// Publish, when no new snapshot refers to it. The caller holds mu.
func (t *Table) remove(id ruleID) {
	rec, ok := t.rules[id]
	if !ok {
		return
	}
	k := busKey{id.account, id.bus}
	b := t.buses[k]
	delete(b.routes, rec.key)
	delete(t.rules, id)
	t.dirty[k] = true
	t.removal = append(t.removal, pendingRemoval{b.matcher, rec.key})
}

// BeginResync starts a resync: the watch is about to re-send every rule.
// Rules it does not re-send before OpSynced are removed then.
func (t *Table) BeginResync() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen = map[ruleID]bool{}
}

// finishResync removes the rules a resync did not re-send; the caller
// holds mu.
func (t *Table) finishResync() {
	if t.seen == nil {
		return
	}
	for id := range t.rules {
		if !t.seen[id] {
			t.remove(id)
		}
	}
	t.seen = nil
}

// Publish makes every staged change visible to Route, then drops replaced
// patterns from the matchers.
func (t *Table) Publish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.dirty) == 0 && len(t.removal) == 0 {
		return
	}
	old := t.live.Load()
	next := &snapshot{buses: maps.Clone(old.buses)}
	for k := range t.dirty {
		b := t.buses[k]
		if len(b.routes) == 0 {
			delete(next.buses, k)
			delete(t.buses, k)
			continue
		}
		next.buses[k] = &busRoutes{matcher: b.matcher, routes: maps.Clone(b.routes)}
	}
	t.live.Store(next)
	clear(t.dirty)
	for spins := 0; old.readers.Load() != 0; spins++ { // routes of the old snapshot still running
		if spins < 100 {
			runtime.Gosched()
		} else { // busy readers can starve a yielding writer; a timer wakes it
			time.Sleep(20 * time.Microsecond)
		}
	}
	for _, r := range t.removal {
		r.matcher.Remove(r.key)
	}
	t.removal = t.removal[:0]
}

// Rules returns how many routing rules bus has in the published snapshot.
func (t *Table) Rules(account, bus string) int {
	b := t.live.Load().buses[busKey{account, bus}]
	if b == nil {
		return 0
	}
	return len(b.routes)
}

// acquire returns the live snapshot, counted as read until the caller
// decrements its readers.
func (t *Table) acquire() *snapshot {
	for {
		s := t.live.Load()
		s.readers.Add(1)
		if t.live.Load() == s {
			return s
		}
		s.readers.Add(-1)
	}
}

// Scratch is Route's reusable working memory; one per goroutine.
type Scratch struct {
	names []string
}

// Route appends to dst one job per target of every routing rule of ev's bus
// whose pattern ev matches, stamped with now as the enqueue time, and
// returns the extended slice. The jobs' events alias ev's envelope. An
// envelope that is not a JSON object is an error (dst is returned as it
// was). Route does not allocate beyond growing dst and sc.
func (t *Table) Route(ev eventbus.BusEvent, now time.Time, sc *Scratch, dst []delivery.Job) ([]delivery.Job, error) {
	snap := t.acquire()
	defer snap.readers.Add(-1)
	b := snap.buses[busKey{ev.Account, ev.Bus}]
	if b == nil {
		return dst, nil
	}
	names, err := b.matcher.Match(ev.Event.Envelope, sc.names[:0])
	sc.names = names
	if err != nil {
		return dst, err
	}
	for _, name := range names {
		r := b.routes[name]
		if r == nil {
			continue // added or replaced after this snapshot
		}
		for i := range r.rule.Targets {
			dst = append(dst, delivery.Job{
				Account: r.rule.Account, Bus: r.rule.Bus, RuleArn: r.arn,
				Target: r.rule.Targets[i], Event: ev.Event, EnqueuedAt: now,
			})
		}
	}
	return dst, nil
}

// RouteOnce is Route with working memory of its own, for callers off the
// hot path (a replay) that route from several goroutines.
func (t *Table) RouteOnce(ev eventbus.BusEvent, now time.Time, dst []delivery.Job) ([]delivery.Job, error) {
	var sc Scratch
	return t.Route(ev, now, &sc, dst)
}
