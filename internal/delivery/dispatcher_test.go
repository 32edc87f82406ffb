package delivery

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// fakeMsg records how a job was settled.
type fakeMsg struct {
	data      []byte
	delivered int

	mu       sync.Mutex
	acked    bool
	retries  []time.Duration
	progress int
}

func newFakeMsg(t *testing.T, j Job, delivered int) *fakeMsg {
	t.Helper()
	b, err := j.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return &fakeMsg{data: b, delivered: delivered}
}

func (m *fakeMsg) Data() []byte   { return m.data }
func (m *fakeMsg) Delivered() int { return m.delivered }
func (m *fakeMsg) Ack(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.acked = true
	return nil
}
func (m *fakeMsg) Retry(d time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retries = append(m.retries, d)
	return nil
}
func (m *fakeMsg) InProgress() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.progress++
	return nil
}

type fakeStore struct {
	mu    sync.Mutex
	dead  []DeadLetter
	fails int // Put fails this many times first
}

func (s *fakeStore) Put(_ context.Context, d DeadLetter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails > 0 {
		s.fails--
		return errors.New("store down")
	}
	s.dead = append(s.dead, d)
	return nil
}

type fakeQueue struct {
	mu   sync.Mutex
	jobs []Job
}

func (q *fakeQueue) Enqueue(_ context.Context, jobs []Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// recorder is a Sender that records deliveries and fails as told.
type recorder struct {
	mu   sync.Mutex
	got  []Delivery
	fail func(n int) error // n counts calls from 1
}

func (r *recorder) Send(ctx context.Context, d Delivery) error {
	r.mu.Lock()
	r.got = append(r.got, d)
	n := len(r.got)
	r.mu.Unlock()
	if r.fail != nil {
		return r.fail(n)
	}
	return nil
}

const sqsArn = "arn:aws:sqs:us-east-1:222222222222:q"

func sqsKind(s Sender) Kind {
	return Kind{Name: "sqs", Accepts: func(a eventbus.ARN) bool { return a.Service == "sqs" }, Sender: s}
}

type env struct {
	now   time.Time
	store *fakeStore
	queue *fakeQueue
	rec   *recorder
	d     *Dispatcher
}

func newEnv(cfg Config) *env {
	e := &env{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), store: &fakeStore{}, queue: &fakeQueue{}, rec: &recorder{}}
	cfg.Now = func() time.Time { return e.now }
	cfg.Rand = func() float64 { return 0 }
	cfg.Backoff = Backoff{Base: time.Second, Max: time.Minute}
	cfg.StoreRetry = time.Millisecond
	e.d = NewDispatcher(cfg, Kinds{sqsKind(e.rec)}, e.store, e.queue)
	return e
}

func sqsJob(now time.Time) Job {
	return Job{
		Account: "222222222222", Bus: "orders", RuleArn: "arn:aws:events:us-east-1:222222222222:rule/orders/r",
		Target: eventbus.Target{ID: "t", Arn: sqsArn, InputPath: "$.detail",
			RetryPolicy: eventbus.RetryPolicy{MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600}},
		Event: eventbus.Event{ID: "e", Envelope: []byte(`{"id":"e","detail":{"k":1}}`), IngestedAt: now},
	}
}

func TestHandleDelivers(t *testing.T) {
	e := newEnv(Config{})
	m := newFakeMsg(t, sqsJob(e.now), 1)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(m.retries) != 0 || len(e.store.dead) != 0 {
		t.Fatalf("acked %v retries %v dead %v", m.acked, m.retries, e.store.dead)
	}
	if len(e.rec.got) != 1 || string(e.rec.got[0].Input) != `{"k":1}` || e.rec.got[0].Attempt != 1 {
		t.Fatalf("deliveries %+v", e.rec.got)
	}
}

func TestHandleRetriesThenDeadLettersByAttempts(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow down") }
	j := sqsJob(e.now)
	for attempt := 1; attempt <= 2; attempt++ {
		m := newFakeMsg(t, j, attempt)
		e.d.Handle(context.Background(), m)
		want := time.Duration(500*(1<<(attempt-1))) * time.Millisecond
		if m.acked || len(m.retries) != 1 || m.retries[0] != want {
			t.Fatalf("attempt %d: acked %v retries %v, want one retry after %v", attempt, m.acked, m.retries, want)
		}
	}
	m := newFakeMsg(t, j, 3) // the second retry fails too: 2 retries used
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 {
		t.Fatalf("after the last retry: acked %v dead %d", m.acked, len(e.store.dead))
	}
	a := e.store.dead[0].Attributes()
	if a[AttrExhaustedRetryCondition] != ConditionAttempts || a[AttrRetryAttempts] != "2" || a[AttrErrorCode] != CodeThrottling ||
		a[AttrErrorMessage] != "slow down" || a[AttrTargetArn] != sqsArn || a[AttrRuleArn] != j.RuleArn {
		t.Fatalf("dead-letter attributes %v", a)
	}
}

func TestHandleDeadLettersByAge(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return errors.New("connection refused") }
	j := sqsJob(e.now)
	j.Target.RetryPolicy = eventbus.RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60}
	e.now = e.now.Add(59600 * time.Millisecond) // the next retry (in 0.5 s) would come too late
	m := newFakeMsg(t, j, 1)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 {
		t.Fatalf("acked %v dead %v", m.acked, e.store.dead)
	}
	if a := e.store.dead[0].Attributes(); a[AttrExhaustedRetryCondition] != ConditionAge || a[AttrRetryAttempts] != "0" || a[AttrErrorCode] != CodeUnknown {
		t.Fatalf("attributes %v", a)
	}

	// A job redelivered after its age is dead-lettered without a try.
	e.now = e.now.Add(time.Hour)
	m = newFakeMsg(t, j, 2)
	e.d.Handle(context.Background(), m)
	if len(e.rec.got) != 1 || !m.acked || len(e.store.dead) != 2 || e.store.dead[1].Condition != ConditionAge {
		t.Fatalf("expired job: sends %d acked %v dead %+v", len(e.rec.got), m.acked, e.store.dead)
	}
}

func TestHandlePermanentFailure(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return Permanent(CodeNoResource, "Queue q does not exist.") }
	m := newFakeMsg(t, sqsJob(e.now), 1)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(m.retries) != 0 || len(e.store.dead) != 1 {
		t.Fatalf("acked %v retries %v dead %v", m.acked, m.retries, e.store.dead)
	}
	a := e.store.dead[0].Attributes()
	if _, ok := a[AttrExhaustedRetryCondition]; ok || a[AttrErrorCode] != CodeNoResource || a[AttrRetryAttempts] != "0" {
		t.Fatalf("attributes %v", a)
	}
}

func TestHandleUnknownKindAndTransformFailure(t *testing.T) {
	e := newEnv(Config{})
	j := sqsJob(e.now)
	j.Target.Arn = "arn:aws:lambda:us-east-1:222222222222:function:f"
	m := newFakeMsg(t, j, 1)
	e.d.Handle(context.Background(), m)
	j2 := sqsJob(e.now)
	j2.Target.InputPath = "$.detail[0]"
	m2 := newFakeMsg(t, j2, 1)
	e.d.Handle(context.Background(), m2)
	if !m.acked || !m2.acked || len(e.rec.got) != 0 || len(e.store.dead) != 2 {
		t.Fatalf("acked %v %v sends %d dead %d", m.acked, m2.acked, len(e.rec.got), len(e.store.dead))
	}
	for _, dl := range e.store.dead {
		if dl.ErrorCode != CodeInvalidParameter || dl.Condition != "" {
			t.Errorf("dead letter %s / %q", dl.ErrorCode, dl.Condition)
		}
	}
}

func TestHandleForwardsToDeliverableDeadLetterArn(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return Permanent(CodeErrorFromTarget, "400") }
	j := sqsJob(e.now)
	j.Target.Arn = "arn:aws:events:us-east-1:222222222222:event-bus/nope" // no kind: permanent failure
	j.Target.DeadLetterArn = sqsArn
	m := newFakeMsg(t, j, 1)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 || len(e.queue.jobs) != 1 {
		t.Fatalf("acked %v dead %d forwards %d", m.acked, len(e.store.dead), len(e.queue.jobs))
	}
	fwd := e.queue.jobs[0]
	if fwd.Target.Arn != sqsArn || fwd.DeadLetter[AttrTargetArn] != j.Target.Arn || fwd.DeadLetter[AttrErrorCode] != CodeInvalidParameter {
		t.Fatalf("forward job %+v", fwd)
	}
	// The forward itself failing is stored, never forwarded again.
	fm := newFakeMsg(t, fwd, 1)
	e.d.Handle(context.Background(), fm)
	if !fm.acked || len(e.store.dead) != 2 || len(e.queue.jobs) != 1 {
		t.Fatalf("failed forward: acked %v dead %d forwards %d", fm.acked, len(e.store.dead), len(e.queue.jobs))
	}
	// A dead letter carries the original event, not the target's input.
	if got := e.rec.got[0]; string(got.Input) != string(j.Event.Envelope) || got.Job.DeadLetter == nil {
		t.Fatalf("forward delivery %+v", got)
	}

	// A DeadLetterArn of a kind switchyard cannot deliver to is not forwarded.
	j.Target.DeadLetterArn = "arn:aws:lambda:us-east-1:222222222222:function:f"
	e.d.Handle(context.Background(), newFakeMsg(t, j, 1))
	if len(e.queue.jobs) != 1 || len(e.store.dead) != 3 {
		t.Fatalf("undeliverable DLQ: forwards %d dead %d", len(e.queue.jobs), len(e.store.dead))
	}
}

func TestHandleMaxDeliverIsTheLastChance(t *testing.T) {
	e := newEnv(Config{MaxDeliver: 2})
	e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow") }
	j := sqsJob(e.now)
	j.Target.RetryPolicy = eventbus.DefaultRetryPolicy()
	m := newFakeMsg(t, j, 2)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 || e.store.dead[0].Condition != ConditionAttempts {
		t.Fatalf("acked %v dead %+v", m.acked, e.store.dead)
	}
}

func TestHandleDeadLetterStoreFailure(t *testing.T) {
	e := newEnv(Config{})
	e.store.fails = storeAttempts // every in-process attempt fails
	e.rec.fail = func(int) error { return Permanent(CodeNoResource, "gone") }
	m := newFakeMsg(t, sqsJob(e.now), 1)
	e.d.Handle(context.Background(), m)
	if m.acked || len(m.retries) != 1 || len(e.store.dead) != 0 {
		t.Fatalf("store down: acked %v retries %v", m.acked, m.retries)
	}
	// Redelivered: the send is tried again and the verdict stored.
	m = newFakeMsg(t, sqsJob(e.now), 2)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 {
		t.Fatalf("store back: acked %v dead %d", m.acked, len(e.store.dead))
	}
}

func TestHandleShutdownHandsTheJobBack(t *testing.T) {
	e := newEnv(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	e.rec.fail = func(int) error { cancel(); return context.Canceled }
	m := newFakeMsg(t, sqsJob(e.now), 1)
	e.d.Handle(ctx, m)
	if m.acked || len(m.retries) != 1 || m.retries[0] != 0 || len(e.store.dead) != 0 {
		t.Fatalf("acked %v retries %v dead %d", m.acked, m.retries, len(e.store.dead))
	}
}

func TestHandleHeartbeatsSlowSends(t *testing.T) {
	e := newEnv(Config{Heartbeat: 5 * time.Millisecond})
	e.rec.fail = func(int) error { time.Sleep(60 * time.Millisecond); return nil }
	m := newFakeMsg(t, sqsJob(e.now), 1)
	e.d.Handle(context.Background(), m)
	if !m.acked || m.progress < 3 {
		t.Fatalf("acked %v after %d in-progress signals", m.acked, m.progress)
	}
}

func TestHandleUndecodableJob(t *testing.T) {
	e := newEnv(Config{})
	m := &fakeMsg{data: []byte("garbage"), delivered: 1}
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 || e.store.dead[0].ErrorCode != CodeInternalError {
		t.Fatalf("acked %v dead %+v", m.acked, e.store.dead)
	}
}

// chanSource feeds messages to the dispatcher like a queue would.
type chanSource struct{ msgs chan Msg }

func (s chanSource) Consume(ctx context.Context, workers int, handle func(Msg)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, workers)
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-s.msgs:
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				handle(m)
			}()
		}
	}
}

func TestStartCloseFinishesInFlight(t *testing.T) {
	e := newEnv(Config{Workers: 4})
	started := make(chan struct{})
	release := make(chan struct{})
	e.rec.fail = func(int) error {
		close(started)
		<-release
		return nil
	}
	src := chanSource{msgs: make(chan Msg)}
	e.d.Start(src)
	m := newFakeMsg(t, sqsJob(e.now), 1)
	src.msgs <- m
	<-started
	closed := make(chan error)
	go func() { closed <- e.d.Close(context.Background()) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a send was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if !m.acked {
		t.Fatal("in-flight send not acknowledged")
	}
}

func TestCloseDeadlineCancelsSends(t *testing.T) {
	e := newEnv(Config{})
	started := make(chan struct{})
	e.rec.fail = nil
	src := chanSource{msgs: make(chan Msg)}
	blocking := SenderFunc(func(ctx context.Context, d Delivery) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	e.d.kinds = Kinds{sqsKind(blocking)}
	e.d.Start(src)
	m := newFakeMsg(t, sqsJob(e.now), 1)
	src.msgs <- m
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := e.d.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v", err)
	}
	if m.acked || len(m.retries) != 1 || len(e.store.dead) != 0 {
		t.Fatalf("cancelled send: acked %v retries %v dead %d", m.acked, m.retries, len(e.store.dead))
	}
}
