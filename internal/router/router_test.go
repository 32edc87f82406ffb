package router

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// fakeRules hands out one channel per Watch call.
type fakeRules struct {
	watches chan chan Change
}

func (r *fakeRules) Watch(ctx context.Context, _ ...string) (<-chan Change, error) {
	select {
	case ch := <-r.watches:
		return ch, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fakeLog delivers batches pushed on in, and records handler results.
type fakeLog struct {
	in      chan []eventbus.BusEvent
	results chan error
}

func (l *fakeLog) Consume(ctx context.Context, durable string, handle func(context.Context, []eventbus.BusEvent) error) error {
	for {
		select {
		case b := <-l.in:
			l.results <- handle(ctx, b)
		case <-ctx.Done():
			return nil
		}
	}
}

type fakeQueue struct {
	mu   sync.Mutex
	jobs []delivery.Job
	fail error
}

func (q *fakeQueue) Enqueue(_ context.Context, b delivery.Batch) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail != nil {
		return q.fail
	}
	for _, j := range b.Jobs {
		j.Event.Envelope = slices.Clone(j.Event.Envelope) // the batch's memory is reused
		q.jobs = append(q.jobs, j)
	}
	return nil
}

func (q *fakeQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, j := range q.jobs {
		out = append(out, j.Event.ID+">"+j.Target.Arn)
	}
	q.jobs = nil
	slices.Sort(out)
	return out
}

type harness struct {
	rules *fakeRules
	log   *fakeLog
	queue *fakeQueue
	r     *Router
	watch chan Change
}

// inlineKind is a router Inline that takes targets starting with "I" and
// records what it is given, failing while fail is set.
type inlineKind struct {
	fakeQueue
}

func (k *inlineKind) Accepts(arn string) bool { return strings.HasPrefix(arn, "I") }

func (k *inlineKind) Deliver(ctx context.Context, jobs []delivery.Job) error {
	return k.Enqueue(ctx, delivery.Batch{Jobs: jobs})
}

func newHarness(t *testing.T, inline ...Inline) *harness {
	h := &harness{
		rules: &fakeRules{watches: make(chan chan Change, 4)},
		log:   &fakeLog{in: make(chan []eventbus.BusEvent), results: make(chan error, 16)},
		queue: &fakeQueue{},
		watch: make(chan Change, 64),
	}
	h.rules.watches <- h.watch
	cfg := Config{Region: "us-east-1", Now: func() time.Time { return t0 }}
	if len(inline) > 0 {
		cfg.Inline = inline[0]
	}
	h.r = New(cfg, h.rules, h.log, h.queue)
	t.Cleanup(func() {
		if err := h.r.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h
}

// batch routes events through the log and returns the handler's result.
func (h *harness) batch(events ...eventbus.BusEvent) error {
	h.log.in <- events
	return <-h.log.results
}

func TestRouterWaitsForRulesThenRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.watch <- rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A1", "A2"), 1)
	started := make(chan error, 1)
	go func() { started <- h.r.Start(context.Background()) }()
	select {
	case err := <-started:
		t.Fatalf("Start returned before the rules were synced: %v", err)
	case <-time.After(30 * time.Millisecond):
	}
	h.watch <- Change{Op: eventbus.OpSynced}
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	if err := h.batch(event("orders", "shop"), event("orders", "none"), event("default", "shop")); err != nil {
		t.Fatal(err)
	}
	if got := h.queue.take(); !slices.Equal(got, []string{"e-shop>A1", "e-shop>A2"}) {
		t.Fatalf("enqueued %v", got)
	}

	// A change takes effect for the next batch once the watch delivered it.
	h.watch <- rulePut(t, rule("orders", "b", `{"source":["none"]}`, "B"), 2)
	waitFor(t, func() bool { return h.r.Table().Rules(acct, "orders") == 2 })
	if err := h.batch(event("orders", "none")); err != nil {
		t.Fatal(err)
	}
	if got := h.queue.take(); !slices.Equal(got, []string{"e-none>B"}) {
		t.Fatalf("after adding rule b: %v", got)
	}
}

func TestRouterEnqueueFailureKeepsTheBatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.watch <- rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A"), 1)
	h.watch <- Change{Op: eventbus.OpSynced}
	if err := h.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.queue.fail = errors.New("queue full")
	if err := h.batch(event("orders", "shop")); err == nil {
		t.Fatal("batch acknowledged although its jobs were not enqueued")
	}
	h.queue.fail = nil
	if err := h.batch(event("orders", "shop")); err != nil { // the redelivery
		t.Fatal(err)
	}
	if got := h.queue.take(); !slices.Equal(got, []string{"e-shop>A"}) {
		t.Fatalf("enqueued %v", got)
	}
	// A batch with nothing to route, or an unparseable event, is acknowledged.
	bad := event("orders", "shop")
	bad.Event.Envelope = []byte("not json")
	if err := h.batch(bad, event("orders", "other")); err != nil {
		t.Fatal(err)
	}
}

// TestRouterInline checks that the jobs of an Inline kind's targets are
// handed to it, not queued, before the rest are queued, and that its
// failure keeps the log batch.
func TestRouterInline(t *testing.T) {
	t.Parallel()
	in := &inlineKind{}
	h := newHarness(t, in)
	h.watch <- rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A", "I1"), 1)
	h.watch <- rulePut(t, rule("orders", "b", `{"source":["shop"]}`, "I2"), 1)
	h.watch <- Change{Op: eventbus.OpSynced}
	if err := h.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.fail = errors.New("archive down")
	if err := h.batch(event("orders", "shop")); err == nil {
		t.Fatal("batch acknowledged although its inline jobs failed")
	}
	if got := h.queue.take(); len(got) != 0 {
		t.Fatalf("queued before the inline jobs were done: %v", got)
	}
	in.fail = nil
	if err := h.batch(event("orders", "shop")); err != nil {
		t.Fatal(err)
	}
	if got := h.queue.take(); !slices.Equal(got, []string{"e-shop>A"}) {
		t.Fatalf("queued %v", got)
	}
	if got := in.take(); !slices.Equal(got, []string{"e-shop>I1", "e-shop>I2"}) {
		t.Fatalf("inline %v", got)
	}
}

func TestRouterRewatchesAndResyncs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.watch <- rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A"), 1)
	h.watch <- rulePut(t, rule("orders", "b", `{"source":["shop"]}`, "B"), 2)
	h.watch <- Change{Op: eventbus.OpSynced}
	if err := h.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The watch breaks; meanwhile rule b was deleted. The new watch re-sends
	// what exists.
	second := make(chan Change, 8)
	second <- rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A"), 1)
	second <- Change{Op: eventbus.OpSynced}
	h.rules.watches <- second
	close(h.watch)
	waitFor(t, func() bool { return h.r.Table().Rules(acct, "orders") == 1 })
	if err := h.batch(event("orders", "shop")); err != nil {
		t.Fatal(err)
	}
	if got := h.queue.take(); !slices.Equal(got, []string{"e-shop>A"}) {
		t.Fatalf("after resync: %v", got)
	}
}

func TestRouterStartFailsWithoutSync(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := h.r.Start(ctx); err == nil {
		t.Fatal("Start succeeded without the rules being synced")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
