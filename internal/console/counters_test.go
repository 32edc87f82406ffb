package console

import (
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

const (
	src      = "aws.partner/acme.com/orders/created"
	partner  = "111111111111"
	customer = "222222222222"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCounters(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 30, 0, time.UTC)
	type op func(c *Counters, clk *clock)
	ingest := func(pc eventbus.PartnerCount) op {
		return func(c *Counters, _ *clock) { c.PartnerIngested(partner, pc) }
	}
	delivered := func(bus string) op { return func(c *Counters, _ *clock) { c.Delivered(customer, bus) } }
	throttled := func(c *Counters, _ *clock) { c.Throttled(partner) }
	after := func(d time.Duration) op { return func(_ *Counters, clk *clock) { clk.add(d) } }
	tests := []struct {
		name        string
		ops         []op
		source      Stats // totals of src
		account     Stats // totals of the partner account
		lastMinutes []int64
	}{
		{name: "nothing", lastMinutes: []int64{0, 0}},
		{
			name:   "accepted and delivered",
			ops:    []op{ingest(eventbus.PartnerCount{Source: src, Stored: 3}), delivered(src), delivered(src)},
			source: Stats{Accepted: 3, Delivered: 2}, lastMinutes: []int64{0, 3},
		},
		{
			name:   "dropped while pending",
			ops:    []op{ingest(eventbus.PartnerCount{Source: src, Dropped: 2})},
			source: Stats{Dropped: 2}, lastMinutes: []int64{0, 0},
		},
		{
			name: "failed by code, under the source or the account",
			ops: []op{ingest(eventbus.PartnerCount{Source: src, Failed: 1, Code: "MalformedDetail"}),
				ingest(eventbus.PartnerCount{Failed: 2, Code: "NotAuthorizedForSourceException"}),
				ingest(eventbus.PartnerCount{Failed: 1, Code: "SomethingNew"})},
			source:  Stats{Failed: map[string]int64{"MalformedDetail": 1}, FailedTotal: 1},
			account: Stats{Failed: map[string]int64{"NotAuthorizedForSourceException": 2, "Other": 1}, FailedTotal: 3},
		},
		{
			name:    "throttled counts under the account",
			ops:     []op{throttled, throttled},
			account: Stats{Throttled: 2},
		},
		{
			name:   "a delivery from a bus that is not a partner bus is not counted",
			ops:    []op{delivered("orders"), delivered("default")},
			source: Stats{},
		},
		{
			name: "minutes roll over; an hour later the slot is reused",
			ops: []op{ingest(eventbus.PartnerCount{Source: src, Stored: 1}), after(time.Minute), ingest(eventbus.PartnerCount{Source: src, Stored: 2}),
				after(Minutes * time.Minute), ingest(eventbus.PartnerCount{Source: src, Stored: 5})},
			source: Stats{Accepted: 8}, lastMinutes: []int64{0, 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: start}
			c := NewCounters(clk.now, 0)
			for _, o := range tt.ops {
				o(c, clk)
			}
			v := c.Source(src).View(clk.now())
			if !equalStats(v.Total, tt.source) {
				t.Errorf("source totals = %+v, want %+v", v.Total, tt.source)
			}
			if a := c.Account(partner).View(clk.now()); !equalStats(a.Total, tt.account) {
				t.Errorf("account totals = %+v, want %+v", a.Total, tt.account)
			}
			if len(v.PerMinute) != Minutes {
				t.Fatalf("%d minutes, want %d", len(v.PerMinute), Minutes)
			}
			if tt.lastMinutes != nil {
				got := []int64{v.PerMinute[Minutes-2].Accepted, v.PerMinute[Minutes-1].Accepted}
				if got[0] != tt.lastMinutes[0] || got[1] != tt.lastMinutes[1] {
					t.Errorf("last two minutes accepted = %v, want %v", got, tt.lastMinutes)
				}
			}
		})
	}
}

func equalStats(a, b Stats) bool {
	if a.Accepted != b.Accepted || a.Dropped != b.Dropped || a.Delivered != b.Delivered || a.Throttled != b.Throttled ||
		a.FailedTotal != b.FailedTotal || len(a.Failed) != len(b.Failed) {
		return false
	}
	for k, v := range a.Failed {
		if b.Failed[k] != v {
			return false
		}
	}
	return true
}

func TestCountersFirstTimesAndSeen(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	c := NewCounters(clk.now, 0)
	c.Seen(src, eventbus.StatePending, clk.now())
	first := clk.now()
	c.PartnerIngested(partner, eventbus.PartnerCount{Source: src, Stored: 1})
	clk.add(time.Second)
	c.PartnerIngested(partner, eventbus.PartnerCount{Source: src, Stored: 1})
	c.Delivered(customer, src)
	c.Seen(src, eventbus.StatePending, clk.now())
	v := c.Source(src).View(clk.now())
	if v.FirstAccepted == nil || !v.FirstAccepted.Equal(first) {
		t.Errorf("first accepted %v, want %v", v.FirstAccepted, first)
	}
	if v.FirstDelivered == nil || !v.FirstDelivered.Equal(clk.now()) || v.FirstDropped != nil {
		t.Errorf("first delivered %v, dropped %v", v.FirstDelivered, v.FirstDropped)
	}
	steps := c.Source(src).seenSteps()
	if len(steps) != 1 || !steps[0].At.Equal(first) {
		t.Errorf("seen steps %+v", steps)
	}
}

func TestCountersBounded(t *testing.T) {
	c := NewCounters(nil, 2)
	for _, s := range []string{"aws.partner/a/x/1", "aws.partner/a/x/2", "aws.partner/a/x/3"} {
		c.PartnerIngested(partner, eventbus.PartnerCount{Source: s, Stored: 1})
	}
	if c.Source("aws.partner/a/x/3") != nil || c.Untracked() != 1 {
		t.Errorf("third source tracked (untracked %d); want it refused", c.Untracked())
	}
}

func TestCountersConcurrent(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 2, 10, 0, 59, 0, time.UTC)}
	c := NewCounters(clk.now, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.PartnerIngested(partner, eventbus.PartnerCount{Source: src, Stored: 1})
				c.Delivered(customer, src)
			}
		})
	}
	wg.Go(func() { clk.add(2 * time.Second) }) // a minute boundary while counting
	wg.Wait()
	v := c.Source(src).View(clk.now())
	if v.Total.Accepted != 8000 || v.Total.Delivered != 8000 {
		t.Errorf("totals %+v, want 8000 each", v.Total)
	}
	var sum int64
	for _, m := range v.PerMinute {
		sum += m.Accepted
	}
	if sum > 8000 || sum < 7990 { // a count may straddle a slot being cleared
		t.Errorf("per-minute accepted sum %d, want about 8000", sum)
	}
}

func BenchmarkCountersIngested(b *testing.B) {
	c := NewCounters(nil, 0)
	pc := eventbus.PartnerCount{Source: src, Stored: 20}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.PartnerIngested(partner, pc)
		}
	})
}
