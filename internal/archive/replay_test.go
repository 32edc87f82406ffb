package archive

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
)

const account = "111122223333"

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// jobs is a delivery.Enqueuer that keeps what it is given; before each
// Enqueue it calls hook, if set.
type jobs struct {
	mu   sync.Mutex
	got  []delivery.Job
	hook func(n int) error // n: Enqueue calls so far
	n    int
}

func (j *jobs) Enqueue(_ context.Context, b delivery.Batch) error {
	j.mu.Lock()
	j.n++
	n, hook := j.n, j.hook
	j.mu.Unlock()
	if hook != nil {
		if err := hook(n); err != nil {
			return err
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.got = append(j.got, b.Jobs...)
	return nil
}

type fixture struct {
	stores eventbus.Stores
	log    *memstore.Archives
	jobs   *jobs
	r      *Replayer
}

// newFixture archives n events of the default bus, one a minute from t0,
// and returns a Replayer whose router sends every event to rules r1 and r2.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := eventbus.OpenStores(memstore.Open)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{stores: st, log: memstore.NewArchives(), jobs: &jobs{}}
	a := eventbus.Archive{Name: "a", Account: account, Bus: eventbus.DefaultBus, State: eventbus.ArchiveEnabled}
	if _, err := st.Archives.Create(ctx, a, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.log.Open(ctx, a.ID(), 0); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("e%d", i)
		env, err := eventbus.NewEnvelope(eventbus.EnvelopeHeader{ID: id, Account: account, Region: "us-east-1", Time: t0.Add(time.Duration(i) * time.Minute)},
			eventbus.PutEntry{Source: "s", DetailType: "d", Detail: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.log.Append(ctx, a.ID(), []eventbus.Event{{ID: id, Envelope: env}}); err != nil {
			t.Fatal(err)
		}
	}
	route := func(ev eventbus.BusEvent, now time.Time, dst []delivery.Job) ([]delivery.Job, error) {
		for _, rule := range []string{"r1", "r2"} {
			dst = append(dst, delivery.Job{Account: ev.Account, Bus: ev.Bus, RuleArn: eventbus.RuleARN("us-east-1", account, ev.Bus, rule),
				Target: eventbus.Target{ID: "t"}, Event: ev.Event, EnqueuedAt: now})
		}
		return dst, nil
	}
	f.r = NewReplayer(ReplayConfig{Region: "us-east-1", Replays: st.Replays, Archives: st.Archives, Events: f.log,
		Route: route, Jobs: f.jobs, Batch: 4, Now: func() time.Time { return t0.Add(time.Hour) }})
	return f
}

func (f *fixture) start(t *testing.T, name string, from, to time.Time, filter ...string) {
	t.Helper()
	r := eventbus.Replay{Name: name, Account: account, Archive: "a", Bus: eventbus.DefaultBus, FilterArns: filter,
		EventStart: from, EventEnd: to, State: eventbus.ReplayStarting, StartedAt: t0}
	if _, err := f.stores.Replays.Create(context.Background(), r, 0); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) replay(t *testing.T, name string) eventbus.Replay {
	t.Helper()
	r, _, err := f.stores.Replays.Get(context.Background(), account, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReplayRangeAndFilter replays [t0+3m, t0+13m) to r1 only.
func TestReplayRangeAndFilter(t *testing.T) {
	f := newFixture(t, 20)
	f.start(t, "x", t0.Add(3*time.Minute), t0.Add(13*time.Minute), eventbus.RuleARN("us-east-1", account, "default", "r1"))
	if err := f.r.run(context.Background(), account, "x"); err != nil {
		t.Fatal(err)
	}
	rec := f.replay(t, "x")
	if rec.State != eventbus.ReplayCompleted || rec.Replayed != 10 || !rec.LastReplayed.Equal(t0.Add(12*time.Minute)) || rec.Seq != 20 || rec.EndedAt.IsZero() {
		t.Fatalf("replay after run: %+v", rec)
	}
	if len(f.jobs.got) != 10 {
		t.Fatalf("%d jobs, want 10 (one rule of two)", len(f.jobs.got))
	}
	for i, j := range f.jobs.got {
		want := fmt.Sprintf("e%d@x", i+3)
		if j.Event.ID != want || j.RuleArn != eventbus.RuleARN("us-east-1", account, "default", "r1") {
			t.Errorf("job %d: event %s rule %s, want %s on r1", i, j.Event.ID, j.RuleArn, want)
		}
		if got, _ := eventbus.EnvelopeTime(j.Event.Envelope); got.IsZero() || !strings.HasSuffix(string(j.Event.Envelope), `,"replay-name":"x"}`) {
			t.Errorf("job %d envelope %s", i, j.Event.Envelope)
		}
	}
	// Run again (a redelivered job): nothing more happens.
	if err := f.r.run(context.Background(), account, "x"); err != nil || len(f.jobs.got) != 10 {
		t.Fatalf("second run: %v, %d jobs", err, len(f.jobs.got))
	}
}

// TestReplayCancel cancels a replay between two batches: it stops there
// and ends CANCELLED.
func TestReplayCancel(t *testing.T) {
	f := newFixture(t, 20)
	f.start(t, "x", t0, t0.Add(time.Hour))
	f.jobs.hook = func(n int) error {
		if n == 2 { // CancelReplay arrives while the second batch is enqueued
			_, err := f.stores.Replays.Update(context.Background(), 0, func(r *eventbus.Replay) error {
				r.State = eventbus.ReplayCancelling
				return nil
			}, account, "x")
			return err
		}
		return nil
	}
	if err := f.r.run(context.Background(), account, "x"); err != nil {
		t.Fatal(err)
	}
	rec := f.replay(t, "x")
	if rec.State != eventbus.ReplayCancelled || rec.EndedAt.IsZero() {
		t.Fatalf("cancelled replay: %+v", rec)
	}
	if n := len(f.jobs.got); n != 16 { // two batches of 4 events, to 2 rules
		t.Fatalf("%d jobs enqueued before the cancel took effect, want 16", n)
	}
}

// TestReplayResumes interrupts a replay (its enqueue fails) and runs it
// again: it carries on from the last batch recorded, so every event is
// sent, and only the failed batch's events may be sent twice.
func TestReplayResumes(t *testing.T) {
	f := newFixture(t, 20)
	f.start(t, "x", t0, t0.Add(time.Hour), eventbus.RuleARN("us-east-1", account, "default", "r1"))
	f.jobs.hook = func(n int) error {
		if n == 3 {
			return context.DeadlineExceeded
		}
		return nil
	}
	if err := f.r.run(context.Background(), account, "x"); err == nil {
		t.Fatal("an interrupted replay reported success")
	}
	if rec := f.replay(t, "x"); rec.State != eventbus.ReplayRunning || rec.Seq != 8 {
		t.Fatalf("interrupted replay: %+v", rec)
	}
	if err := f.r.run(context.Background(), account, "x"); err != nil {
		t.Fatal(err)
	}
	if rec := f.replay(t, "x"); rec.State != eventbus.ReplayCompleted || rec.Replayed != 20 {
		t.Fatalf("resumed replay: %+v", rec)
	}
	seen := map[string]int{}
	for _, j := range f.jobs.got {
		seen[j.Event.ID]++
	}
	for i := range 20 {
		if seen[fmt.Sprintf("e%d@x", i)] != 1 {
			t.Errorf("event e%d sent %d times", i, seen[fmt.Sprintf("e%d@x", i)])
		}
	}
}

// TestReplayArchiveGone fails a replay whose archive was deleted.
func TestReplayArchiveGone(t *testing.T) {
	f := newFixture(t, 3)
	f.start(t, "x", t0, t0.Add(time.Hour))
	if err := f.log.Drop(context.Background(), eventbus.ArchiveID(account, "a")); err != nil {
		t.Fatal(err)
	}
	if err := f.r.run(context.Background(), account, "x"); err != nil {
		t.Fatal(err)
	}
	if rec := f.replay(t, "x"); rec.State != eventbus.ReplayFailed || rec.StateReason != "Archive a does not exist." {
		t.Fatalf("replay of a dropped archive: %+v", rec)
	}
}

// TestSenderArchives checks the archive kind: events go to the archive of
// the target ARN, once per id; an archive deleted meanwhile drops them.
func TestSenderArchives(t *testing.T) {
	ctx := context.Background()
	log := memstore.NewArchives()
	id := eventbus.ArchiveID(account, "a")
	if err := log.Open(ctx, id, 0); err != nil {
		t.Fatal(err)
	}
	s := NewSender(log)
	arn := eventbus.ArchiveARN("us-east-1", account, "a")
	k := s.Kind()
	if a, _ := eventbus.ParseARN(arn); !k.Accepts(a) || !k.RawEvent {
		t.Fatalf("kind %+v does not take %s raw", k, arn)
	}
	job := &delivery.Job{Target: eventbus.Target{Arn: arn}, Event: eventbus.Event{ID: "e1", Envelope: []byte(`{}`)}}
	for range 2 {
		if err := s.Send(ctx, delivery.Delivery{Job: job}); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := log.Stats(ctx, id); st.Events != 1 {
		t.Fatalf("%d events archived, want 1", st.Events)
	}
	job.Target.Arn = eventbus.ArchiveARN("us-east-1", account, "gone")
	if err := s.Send(ctx, delivery.Delivery{Job: job}); err != nil {
		t.Fatalf("event for a deleted archive: %v", err)
	}
}
