package console

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Minutes is how many minutes of per-minute counts a Series keeps.
const Minutes = 60

// DefaultMaxSeries bounds the sources and accounts Counters keeps counts
// of; beyond it new ones are not counted (see Counters.Untracked).
const DefaultMaxSeries = 10000

// The failure codes counted separately; any other code counts as
// codeOther. They are PutPartnerEvents' documented per-entry codes.
const (
	codeInvalidArgument = iota
	codeMalformedDetail
	codeNotAuthorized
	codeAccessDenied
	codeInternalFailure
	codeThrottling
	codeOther
	numCodes
)

// codeIndex returns the counter index of an ErrorCode.
func codeIndex(code string) int {
	switch code {
	case "InvalidArgument":
		return codeInvalidArgument
	case "MalformedDetail":
		return codeMalformedDetail
	case "NotAuthorizedForSourceException":
		return codeNotAuthorized
	case "AccessDeniedException":
		return codeAccessDenied
	case "InternalFailure":
		return codeInternalFailure
	case "ThrottlingException":
		return codeThrottling
	default:
		return codeOther
	}
}

// codeName is the inverse of codeIndex ("Other" for codeOther).
func codeName(i int) string {
	return [numCodes]string{"InvalidArgument", "MalformedDetail", "NotAuthorizedForSourceException",
		"AccessDeniedException", "InternalFailure", "ThrottlingException", "Other"}[i]
}

// Counters counts, in memory and per node since it started, what became of
// each partner event source's events: accepted (stored for the customer's
// bus), accepted and dropped (the source was not ACTIVE), failed (by
// ErrorCode), delivered to the customer's targets, and, per partner
// account, throttled requests and failures that named no source of the
// caller's. Each source keeps totals and the last Minutes minutes of
// counts. Counting is a few atomic adds, with no lock and no allocation
// once a source was seen: it sits on the ingest path. Safe for concurrent
// use; the zero value is not usable (NewCounters).
//
// Counters implements eventbus.PartnerObserver; Delivered is the
// delivery.Config hook of the same name.
type Counters struct {
	now       func() time.Time
	maxSeries int64
	sources   sync.Map // source name -> *Series
	accounts  sync.Map // partner account -> *Series
	n         atomic.Int64
	untracked atomic.Int64
}

var _ eventbus.PartnerObserver = (*Counters)(nil)

// NewCounters returns empty counters reading the clock now (time.Now if
// nil) and keeping at most maxSeries sources and accounts
// (DefaultMaxSeries if not positive).
func NewCounters(now func() time.Time, maxSeries int) *Counters {
	if now == nil {
		now = time.Now
	}
	if maxSeries <= 0 {
		maxSeries = DefaultMaxSeries
	}
	return &Counters{now: now, maxSeries: int64(maxSeries)}
}

// PartnerIngested counts one PartnerCount of partnerAccount's request
// (eventbus.PartnerObserver): under its source, or under the account when
// it names none.
func (c *Counters) PartnerIngested(partnerAccount string, pc eventbus.PartnerCount) {
	m, key := &c.sources, pc.Source
	if pc.Source == "" {
		m, key = &c.accounts, partnerAccount
	}
	s := c.get(m, key)
	if s == nil {
		return
	}
	now := c.now()
	if pc.Stored > 0 {
		s.add(now, func(k *counts) *atomic.Int64 { return &k.accepted }, pc.Stored)
		setOnce(&s.firstAccepted, now)
	}
	if pc.Dropped > 0 {
		s.add(now, func(k *counts) *atomic.Int64 { return &k.dropped }, pc.Dropped)
		setOnce(&s.firstDropped, now)
	}
	if pc.Failed > 0 {
		i := codeIndex(pc.Code)
		s.add(now, func(k *counts) *atomic.Int64 { return &k.failed[i] }, pc.Failed)
		setOnce(&s.firstFailed, now)
	}
}

// Throttled counts one throttled request of partnerAccount
// (eventbus.PartnerObserver).
func (c *Counters) Throttled(partnerAccount string) {
	if s := c.get(&c.accounts, partnerAccount); s != nil {
		s.add(c.now(), func(k *counts) *atomic.Int64 { return &k.throttled }, 1)
	}
}

// Delivered counts one event delivered from the bus of account, when that
// bus is a partner bus (named as its source); other buses are not counted.
func (c *Counters) Delivered(account, bus string) {
	if _, ok := eventbus.PartnerName(bus); !ok {
		return
	}
	s := c.get(&c.sources, bus)
	if s == nil {
		return
	}
	now := c.now()
	s.add(now, func(k *counts) *atomic.Int64 { return &k.delivered }, 1)
	setOnce(&s.firstDelivered, now)
}

// setOnce sets t to now if it is still 0, without writing (or taking its
// cache line) once it is set.
func setOnce(t *atomic.Int64, now time.Time) {
	if t.Load() == 0 {
		t.CompareAndSwap(0, now.UnixNano())
	}
}

// Source returns the counts of the named source (nil if none were made).
func (c *Counters) Source(name string) *Series { return load(&c.sources, name) }

// Account returns the counts of partnerAccount's throttled requests and of
// its failed entries that named none of its sources (nil if none).
func (c *Counters) Account(partnerAccount string) *Series { return load(&c.accounts, partnerAccount) }

// Untracked returns how many sources or accounts were not counted because
// MaxSeries were already kept.
func (c *Counters) Untracked() int64 { return c.untracked.Load() }

func load(m *sync.Map, key string) *Series {
	if v, ok := m.Load(key); ok {
		return v.(*Series)
	}
	return nil
}

// get returns the Series of key in m, making it if there is room.
func (c *Counters) get(m *sync.Map, key string) *Series {
	if s := load(m, key); s != nil {
		return s
	}
	if c.n.Add(1) > c.maxSeries {
		c.n.Add(-1)
		c.untracked.Add(1)
		return nil
	}
	v, loaded := m.LoadOrStore(key, &Series{})
	if loaded {
		c.n.Add(-1)
	}
	return v.(*Series)
}

// counts are one set of counters: a minute's, or the totals.
type counts struct {
	accepted, dropped, delivered, throttled atomic.Int64
	failed                                  [numCodes]atomic.Int64
}

func (k *counts) clear() {
	k.accepted.Store(0)
	k.dropped.Store(0)
	k.delivered.Store(0)
	k.throttled.Store(0)
	for i := range k.failed {
		k.failed[i].Store(0)
	}
}

// A bucket is the counts of one minute, reused Minutes minutes later.
type bucket struct {
	// minute is the Unix minute the counts are of; resetting while one
	// writer clears them for a new minute.
	minute atomic.Int64
	counts
}

const resetting = -1

// A Series is the counts of one source or account: totals, the time of
// the first event of each kind, and a ring of per-minute counts.
type Series struct {
	total                                                    counts
	firstAccepted, firstDropped, firstDelivered, firstFailed atomic.Int64 // Unix ns, 0 if none yet
	// seen are when the dashboard first saw the source in each state
	// (index stateIndex), Unix ns.
	seen [numStates]atomic.Int64
	ring [Minutes]bucket
}

// add adds n to the counter field picks, in the totals and in now's
// minute.
func (s *Series) add(now time.Time, field func(*counts) *atomic.Int64, n int) {
	field(&s.total).Add(int64(n))
	if k := s.at(now); k != nil {
		field(k).Add(int64(n))
	}
}

// at returns the counts of now's minute, clearing the ring slot of a
// minute an hour older first; nil when a clock step back makes now older
// than the slot (the totals still count).
func (s *Series) at(now time.Time) *counts {
	m := now.Unix() / 60
	b := &s.ring[m%Minutes]
	for {
		got := b.minute.Load()
		switch {
		case got == m:
			return &b.counts
		case got == resetting:
			runtime.Gosched() // another writer is clearing it: a few stores
		case got > m:
			return nil
		case b.minute.CompareAndSwap(got, resetting):
			b.clear()
			b.minute.Store(m)
			return &b.counts
		}
	}
}

// Stats are counts as the dashboard shows them. Failed is by ErrorCode
// (only codes that occurred); FailedTotal is their sum.
type Stats struct {
	Accepted    int64            `json:"accepted"`
	Dropped     int64            `json:"dropped"`
	Failed      map[string]int64 `json:"failed,omitempty"`
	FailedTotal int64            `json:"failedTotal"`
	Delivered   int64            `json:"delivered"`
	Throttled   int64            `json:"throttled"`
}

func (k *counts) stats() Stats {
	st := Stats{Accepted: k.accepted.Load(), Dropped: k.dropped.Load(), Delivered: k.delivered.Load(), Throttled: k.throttled.Load()}
	for i := range k.failed {
		if n := k.failed[i].Load(); n > 0 {
			if st.Failed == nil {
				st.Failed = map[string]int64{}
			}
			st.Failed[codeName(i)] = n
			st.FailedTotal += n
		}
	}
	return st
}

// A View is a Series read at one instant: the totals since this node
// started, when each kind of outcome was first counted, and the last
// Minutes minutes, oldest first, the last being the current minute.
type View struct {
	Total          Stats      `json:"total"`
	FirstAccepted  *time.Time `json:"firstAccepted,omitempty"`
	FirstDropped   *time.Time `json:"firstDropped,omitempty"`
	FirstFailed    *time.Time `json:"firstFailed,omitempty"`
	FirstDelivered *time.Time `json:"firstDelivered,omitempty"`
	// Start is the first minute of PerMinute.
	Start     time.Time `json:"start"`
	PerMinute []Stats   `json:"perMinute"`
}

// View reads s at now; a nil Series reads as all zeros. Counts being added
// meanwhile may or may not be in it.
func (s *Series) View(now time.Time) View {
	m := now.Unix() / 60
	v := View{Start: time.Unix((m-Minutes+1)*60, 0).UTC(), PerMinute: make([]Stats, Minutes)}
	if s == nil {
		return v
	}
	v.Total = s.total.stats()
	v.FirstAccepted, v.FirstDropped = unixNano(s.firstAccepted.Load()), unixNano(s.firstDropped.Load())
	v.FirstFailed, v.FirstDelivered = unixNano(s.firstFailed.Load()), unixNano(s.firstDelivered.Load())
	for i := range Minutes {
		minute := m - Minutes + 1 + int64(i)
		b := &s.ring[minute%Minutes]
		if b.minute.Load() == minute {
			v.PerMinute[i] = b.stats()
		}
	}
	return v
}

func unixNano(ns int64) *time.Time {
	if ns == 0 {
		return nil
	}
	t := time.Unix(0, ns).UTC()
	return &t
}

// The states a source's first sighting is kept of.
const (
	statePending = iota
	stateActive
	stateDeleted
	numStates
)

// Seen records that the source was seen in state at now, keeping the
// first time of each state. The dashboard calls it when it reads the
// source, so a state shorter than the time between two reads is missed.
func (c *Counters) Seen(source, state string, now time.Time) {
	i := stateIndex(state)
	if i < 0 {
		return
	}
	if s := c.get(&c.sources, source); s != nil {
		s.seen[i].CompareAndSwap(0, now.UnixNano())
	}
}

func stateIndex(state string) int {
	switch state {
	case eventbus.StatePending:
		return statePending
	case eventbus.StateActive:
		return stateActive
	case eventbus.StateDeleted:
		return stateDeleted
	}
	return -1
}

// seenSteps are the lifecycle steps of the states s was seen in.
func (s *Series) seenSteps() []Step {
	if s == nil {
		return nil
	}
	var steps []Step
	for i, state := range [numStates]string{eventbus.StatePending, eventbus.StateActive, eventbus.StateDeleted} {
		if t := unixNano(s.seen[i].Load()); t != nil {
			steps = append(steps, Step{"dashboard first saw the source " + state, *t})
		}
	}
	return steps
}
