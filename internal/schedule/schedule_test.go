package schedule_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
	"github.com/switchyard/switchyard/internal/schedule"
)

const account = "111122223333"

// clock is a settable clock shared by schedulers.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// queue is a delivery.Enqueuer that, like the JetStream queue, stores a
// job once per de-duplication id; dups counts the jobs it dropped.
type queue struct {
	mu   sync.Mutex
	seen map[string]bool
	jobs []delivery.Job
	dups int
	fail error
}

func (q *queue) Enqueue(_ context.Context, b delivery.Batch) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail != nil {
		return q.fail
	}
	for _, j := range b.Jobs {
		if q.seen[j.MsgID()] {
			q.dups++
			continue
		}
		q.seen[j.MsgID()] = true
		q.jobs = append(q.jobs, j)
	}
	return nil
}

func (q *queue) snapshot() []delivery.Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]delivery.Job(nil), q.jobs...)
}

type fixture struct {
	stores eventbus.Stores
	clock  *clock
	queue  *queue
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	st, err := eventbus.OpenStores(memstore.Open)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{stores: st, clock: &clock{now: start}, queue: &queue{seen: map[string]bool{}}}
}

// scheduler returns a started scheduler over the fixture that polls only
// when the test calls Fire.
func (f *fixture) scheduler(t *testing.T) *schedule.Scheduler {
	t.Helper()
	s := schedule.New(schedule.Config{
		Region: "us-east-1", Rules: f.stores.Rules, States: f.stores.Schedules, Jobs: f.queue,
		Now: f.clock.Now, Poll: time.Hour,
	})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func (f *fixture) putRule(t *testing.T, r eventbus.Rule) {
	t.Helper()
	r.Account, r.Bus = account, eventbus.DefaultBus
	if r.State == "" {
		r.State = eventbus.RuleEnabled
	}
	if r.ModifiedAt.IsZero() {
		r.ModifiedAt = f.clock.Now()
	}
	_, err := f.stores.Rules.Update(context.Background(), 0, func(x *eventbus.Rule) error { *x = r; return nil }, account, r.Bus, r.Name)
	if err == nil {
		return
	}
	if _, err := f.stores.Rules.Create(context.Background(), r, 0); err != nil {
		t.Fatal(err)
	}
}

// waitLoaded waits until s's watch has seen what the stores hold, by
// firing until fire reports the wanted number of jobs.
func fireUntil(t *testing.T, ss []*schedule.Scheduler, q *queue, n int) []delivery.Job {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, s := range ss {
			s.Fire(context.Background())
		}
		if got := q.snapshot(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs after 5s, want %d", len(q.snapshot()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var t0 = time.Date(2026, 12, 2, 10, 0, 30, 0, time.UTC)

func target(id string) eventbus.Target {
	return eventbus.Target{ID: id, Arn: "arn:aws:sqs:us-east-1:" + account + ":" + id}
}

// TestScheduledEvent checks one tick's event: AWS's envelope, the rule's
// targets, the tick as time.
func TestScheduledEvent(t *testing.T) {
	f := newFixture(t, t0)
	s := f.scheduler(t)
	f.putRule(t, eventbus.Rule{Name: "every-minute", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("a"), target("b")}})
	f.clock.set(t0.Add(45 * time.Second)) // 10:01:15: the 10:01 tick is due
	jobs := fireUntil(t, []*schedule.Scheduler{s}, f.queue, 2)
	tick := time.Date(2026, 12, 2, 10, 1, 0, 0, time.UTC)
	for _, j := range jobs {
		var env struct {
			Version    string          `json:"version"`
			ID         string          `json:"id"`
			DetailType string          `json:"detail-type"`
			Source     string          `json:"source"`
			Account    string          `json:"account"`
			Time       time.Time       `json:"time"`
			Region     string          `json:"region"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(j.Event.Envelope, &env); err != nil {
			t.Fatal(err)
		}
		ruleARN := "arn:aws:events:us-east-1:" + account + ":rule/every-minute"
		if env.Version != "0" || env.DetailType != "Scheduled Event" || env.Source != "aws.events" || env.Account != account ||
			!env.Time.Equal(tick) || env.Region != "us-east-1" || len(env.Resources) != 1 || env.Resources[0] != ruleARN ||
			string(env.Detail) != "{}" || env.ID != j.Event.ID || j.RuleArn != ruleARN {
			t.Fatalf("scheduled event %s", j.Event.Envelope)
		}
	}
	if jobs[0].Event.ID != jobs[1].Event.ID || jobs[0].Target.ID == jobs[1].Target.ID {
		t.Fatalf("one event to each target: %+v", jobs)
	}
}

// TestEachTickOnce runs two schedulers on the same stores and clock through
// ten minutes: every tick fires once, none is lost or doubled.
func TestEachTickOnce(t *testing.T) {
	f := newFixture(t, t0)
	a, b := f.scheduler(t), f.scheduler(t)
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")}})
	fireUntil(t, []*schedule.Scheduler{a, b}, f.queue, 0)
	for m := 1; m <= 10; m++ {
		f.clock.set(t0.Add(time.Duration(m) * time.Minute))
		fireUntil(t, []*schedule.Scheduler{a, b}, f.queue, m)
	}
	jobs := f.queue.snapshot()
	if len(jobs) != 10 {
		t.Fatalf("%d jobs for 10 ticks", len(jobs))
	}
	// One after the other, the second scheduler always finds the tick
	// taken: nothing was enqueued twice (the queue would hide it).
	if f.queue.dups != 0 {
		t.Errorf("%d ticks enqueued twice", f.queue.dups)
	}
	for i, j := range jobs {
		want := time.Date(2026, 12, 2, 10, 1+i, 0, 0, time.UTC)
		if tt, _ := eventbus.EnvelopeTime(j.Event.Envelope); !tt.Equal(want) {
			t.Errorf("job %d: tick %v, want %v", i, tt, want)
		}
	}
}

// TestRuleChanges checks that disabling, changing and deleting a rule take
// effect before its next tick, and that a disabled rule's ticks are skipped
// rather than fired when it is enabled again.
func TestRuleChanges(t *testing.T) {
	f := newFixture(t, t0)
	s := f.scheduler(t)
	all := []*schedule.Scheduler{s}
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")}})
	f.clock.set(t0.Add(time.Minute))
	fireUntil(t, all, f.queue, 1)

	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", State: eventbus.RuleDisabled, Targets: []eventbus.Target{target("q")}, ModifiedAt: t0})
	waitRuleState(t, all, eventbus.RuleDisabled)
	f.clock.set(t0.Add(4 * time.Minute))
	s.Fire(context.Background())
	if n := len(f.queue.snapshot()); n != 1 {
		t.Fatalf("a disabled rule fired: %d jobs", n)
	}
	// Enabled again at 10:04:30 with a new target: the next tick (10:05)
	// fires to it, the skipped ones do not come back.
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q2")}, ModifiedAt: t0})
	waitRuleState(t, all, eventbus.RuleEnabled)
	f.clock.set(t0.Add(4*time.Minute + 45*time.Second))
	jobs := fireUntil(t, all, f.queue, 2)
	if len(jobs) != 2 || jobs[1].Target.ID != "q2" {
		t.Fatalf("after re-enabling: %+v", jobs)
	}
	if tt, _ := eventbus.EnvelopeTime(jobs[1].Event.Envelope); !tt.Equal(time.Date(2026, 12, 2, 10, 5, 0, 0, time.UTC)) {
		t.Fatalf("first tick after re-enabling: %v", tt)
	}

	// A new expression starts over from the rule's change: cron at :30.
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "cron(30 * * * ? *)", Targets: []eventbus.Target{target("q2")}})
	waitRuleState(t, all, eventbus.RuleEnabled, "cron(30 * * * ? *)")
	f.clock.set(t0.Add(25 * time.Minute)) // 10:25:30
	for range 20 {
		s.Fire(context.Background())
	}
	if n := len(f.queue.snapshot()); n != 2 {
		t.Fatalf("cron(30 ...) fired before :30: %d jobs", n)
	}
	f.clock.set(t0.Add(31 * time.Minute)) // 10:31:30
	jobs = fireUntil(t, all, f.queue, 3)
	if tt, _ := eventbus.EnvelopeTime(jobs[2].Event.Envelope); !tt.Equal(time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)) {
		t.Fatalf("cron tick: %v", tt)
	}

	// Deleted: no more ticks, and the firing record goes.
	if _, err := f.stores.Rules.Update(context.Background(), 0, func(*eventbus.Rule) error { return eventbus.ErrRemove }, account, "default", "r"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, err := f.stores.Schedules.Get(context.Background(), account, "default", "r"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("firing record of a deleted rule still there")
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.clock.set(t0.Add(2 * time.Hour))
	s.Fire(context.Background())
	if n := len(f.queue.snapshot()); n != 3 {
		t.Fatalf("a deleted rule fired: %d jobs", n)
	}
}

// waitRuleState waits until every scheduler knows rule r in state, with
// the targets given (any if none).
func waitRuleState(t *testing.T, ss []*schedule.Scheduler, state string, expr ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range ss {
		for {
			if r, ok := s.Rule(account, "default", "r"); ok && r.State == state && (len(expr) == 0 || r.ScheduleExpression == expr[0]) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("scheduler never saw rule r %s", state)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// TestCatchUp checks the ticks missed while no scheduler ran: the recent
// ones fire late, each with its own time; older ones are skipped.
func TestCatchUp(t *testing.T) {
	f := newFixture(t, t0)
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(10 minutes)", Targets: []eventbus.Target{target("q")}})
	// Nothing ran for three hours; a scheduler starts at 13:00:30.
	f.clock.set(t0.Add(3 * time.Hour))
	s := f.scheduler(t)
	jobs := fireUntil(t, []*schedule.Scheduler{s}, f.queue, 6)
	for range 5 {
		s.Fire(context.Background())
	}
	jobs = f.queue.snapshot()
	if len(jobs) != 6 {
		t.Fatalf("%d ticks fired after 3h down, want the 6 of the last hour", len(jobs))
	}
	first, _ := eventbus.EnvelopeTime(jobs[0].Event.Envelope)
	if want := time.Date(2026, 12, 2, 12, 10, 0, 0, time.UTC); !first.Equal(want) {
		t.Fatalf("oldest tick fired %v, want %v", first, want)
	}
}

// TestEnqueueFailureKeepsTick checks that a tick whose jobs could not be
// enqueued is not marked fired: it fires at the next poll.
func TestEnqueueFailureKeepsTick(t *testing.T) {
	f := newFixture(t, t0)
	s := f.scheduler(t)
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")}})
	waitRuleState(t, []*schedule.Scheduler{s}, eventbus.RuleEnabled)
	f.queue.mu.Lock()
	f.queue.fail = context.DeadlineExceeded
	f.queue.mu.Unlock()
	f.clock.set(t0.Add(time.Minute))
	s.Fire(context.Background())
	f.queue.mu.Lock()
	f.queue.fail = nil
	f.queue.mu.Unlock()
	jobs := fireUntil(t, []*schedule.Scheduler{s}, f.queue, 1)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
}

// TestLongDowntimeSkipsInOneStep checks a rule whose last tick is ages
// ago (its firing record says so): the old ticks are skipped in one step,
// the recent ones fire; and a rule without a change time counts from now.
func TestLongDowntimeSkipsInOneStep(t *testing.T) {
	f := newFixture(t, t0)
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")}})
	ctx := context.Background()
	if _, err := f.stores.Schedules.Create(ctx, eventbus.ScheduleState{Account: account, Bus: "default", Rule: "r",
		Expression: "rate(1 minute)", Last: t0.Add(-30 * 24 * time.Hour).Truncate(time.Minute)}, 0); err != nil {
		t.Fatal(err)
	}
	s := f.scheduler(t)
	jobs := fireUntil(t, []*schedule.Scheduler{s}, f.queue, 60)
	s.Fire(ctx)
	if n := len(f.queue.snapshot()); n != 60 || len(jobs) != 60 {
		t.Fatalf("%d ticks fired, want the 60 of the last hour", n)
	}

	f.putRule(t, eventbus.Rule{Name: "old", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")},
		ModifiedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := s.Rule(account, "default", "old"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("scheduler never saw rule old")
		}
		time.Sleep(time.Millisecond)
	}
	s.Fire(ctx) // starts its record at now
	f.clock.set(t0.Add(time.Minute))
	fireUntil(t, []*schedule.Scheduler{s}, f.queue, 62) // r's tick and old's first
}

// hookKV runs before, once, ahead of the next Commit.
type hookKV struct {
	eventbus.KV
	mu     sync.Mutex
	before func()
}

func (kv *hookKV) Commit(ctx context.Context, writes ...eventbus.Write) ([]uint64, error) {
	kv.mu.Lock()
	f := kv.before
	kv.before = nil
	kv.mu.Unlock()
	if f != nil {
		f()
	}
	return kv.KV.Commit(ctx, writes...)
}

func (kv *hookKV) arm(f func()) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.before = f
}

// TestStaleSchedulerDoesNotRewind: a scheduler that fired a tick and is
// about to record it finds that another has meanwhile fired that tick and
// the next; it must not move the firing record back (the next tick would
// fire again, long after the queue's de-duplication window). It enqueued
// its tick before recording it, so that tick is queued twice under one
// de-duplication id, and nothing else is.
func TestStaleSchedulerDoesNotRewind(t *testing.T) {
	f := newFixture(t, t0)
	states := &hookKV{KV: memstore.NewKV()}
	st, err := eventbus.OpenStores(func(bucket string) (eventbus.KV, error) {
		if bucket == "schedules" {
			return states, nil
		}
		return memstore.NewKV(), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.stores = st
	a, b := f.scheduler(t), f.scheduler(t)
	all := []*schedule.Scheduler{a, b}
	f.putRule(t, eventbus.Rule{Name: "r", ScheduleExpression: "rate(1 minute)", Targets: []eventbus.Target{target("q")}})
	waitRuleState(t, all, eventbus.RuleEnabled)
	a.Fire(context.Background()) // starts the firing record at 10:00

	// a fires 10:01; as it records it, b fires 10:01 and 10:02.
	f.clock.set(t0.Add(time.Minute))
	states.arm(func() {
		f.clock.set(t0.Add(2 * time.Minute))
		b.Fire(context.Background())
	})
	a.Fire(context.Background())
	if n := len(f.queue.snapshot()); n != 2 {
		t.Fatalf("%d jobs after 10:02, want 2", n)
	}
	for range 5 {
		a.Fire(context.Background())
		b.Fire(context.Background())
	}
	if n, dups := len(f.queue.snapshot()), f.queue.dups; n != 2 || dups != 1 {
		t.Fatalf("%d jobs, %d enqueued twice; want 2 and 1 (10:01, by both)", n, dups)
	}
}
