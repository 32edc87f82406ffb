package delivery

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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

// newFakeMsg is the delivered-th delivery of a batch of jobs.
func newFakeMsg(t *testing.T, delivered int, jobs ...Job) *fakeMsg {
	t.Helper()
	return newFakeBatchMsg(t, delivered, Batch{Jobs: jobs})
}

func newFakeBatchMsg(t *testing.T, delivered int, b Batch) *fakeMsg {
	t.Helper()
	parts, err := b.Encode(1 << 20)
	if err != nil || len(parts) != 1 {
		t.Fatalf("encode: %d parts, %v", len(parts), err)
	}
	return &fakeMsg{data: parts[0].Data, delivered: delivered}
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
	mu      sync.Mutex
	batches []Batch
	fails   int // Enqueue fails this many times first
}

func (q *fakeQueue) Enqueue(_ context.Context, b Batch) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fails > 0 {
		q.fails--
		return errors.New("queue down")
	}
	q.batches = append(q.batches, b)
	return nil
}

// jobs returns every job enqueued, in order.
func (q *fakeQueue) jobs() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	var js []Job
	for _, b := range q.batches {
		js = append(js, b.Jobs...)
	}
	return js
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
	m := newFakeMsg(t, 1, sqsJob(e.now))
	e.d.Handle(context.Background(), m)
	if !m.acked || len(m.retries) != 0 || len(e.store.dead) != 0 {
		t.Fatalf("acked %v retries %v dead %v", m.acked, m.retries, e.store.dead)
	}
	if len(e.rec.got) != 1 || string(e.rec.got[0].Input) != `{"k":1}` || e.rec.got[0].Attempt != 1 {
		t.Fatalf("deliveries %+v", e.rec.got)
	}
}

// TestHandleTellsDelivered: Config.Delivered hears of each delivered job's
// bus, and of no failed one.
func TestHandleTellsDelivered(t *testing.T) {
	var mu sync.Mutex
	var told []string
	e := newEnv(Config{Delivered: func(account, bus string) {
		mu.Lock()
		told = append(told, account+"/"+bus)
		mu.Unlock()
	}})
	e.d.Handle(context.Background(), newFakeMsg(t, 1, sqsJob(e.now)))
	e.rec.fail = func(int) error { return Permanent(CodeNoResource, "Queue q does not exist.") }
	e.d.Handle(context.Background(), newFakeMsg(t, 1, sqsJob(e.now)))
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 || told[0] != "222222222222/orders" {
		t.Fatalf("told %v, want one delivery from 222222222222/orders", told)
	}
}

func TestHandleRetriesThenDeadLettersByAttempts(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow down") }
	j := sqsJob(e.now)
	for attempt := 1; attempt <= 2; attempt++ {
		m := newFakeMsg(t, 1, j)
		e.d.Handle(context.Background(), m)
		want := time.Duration(500*(1<<(attempt-1))) * time.Millisecond
		if !m.acked || len(m.retries) != 0 || len(e.queue.batches) != attempt {
			t.Fatalf("attempt %d: acked %v retries %v batches %d", attempt, m.acked, m.retries, len(e.queue.batches))
		}
		b := e.queue.batches[attempt-1]
		if len(b.Jobs) != 1 || b.Jobs[0].Attempts != attempt || !b.NotBefore.Equal(e.now.Add(want)) {
			t.Fatalf("attempt %d: retry batch %d jobs, attempts %d, not before %v; want 1, %d, %v",
				attempt, len(b.Jobs), b.Jobs[0].Attempts, b.NotBefore, attempt, e.now.Add(want))
		}
		j = b.Jobs[0]
	}
	m := newFakeMsg(t, 1, j) // the second retry fails too: 2 retries used
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
	m := newFakeMsg(t, 1, j)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 {
		t.Fatalf("acked %v dead %v", m.acked, e.store.dead)
	}
	if a := e.store.dead[0].Attributes(); a[AttrExhaustedRetryCondition] != ConditionAge || a[AttrRetryAttempts] != "0" || a[AttrErrorCode] != CodeUnknown {
		t.Fatalf("attributes %v", a)
	}

	// A job redelivered after its age is dead-lettered without a try.
	e.now = e.now.Add(time.Hour)
	j.Attempts = 1
	m = newFakeMsg(t, 1, j)
	e.d.Handle(context.Background(), m)
	if len(e.rec.got) != 1 || !m.acked || len(e.store.dead) != 2 || e.store.dead[1].Condition != ConditionAge {
		t.Fatalf("expired job: sends %d acked %v dead %+v", len(e.rec.got), m.acked, e.store.dead)
	}
}

func TestHandlePermanentFailure(t *testing.T) {
	e := newEnv(Config{})
	e.rec.fail = func(int) error { return Permanent(CodeNoResource, "Queue q does not exist.") }
	m := newFakeMsg(t, 1, sqsJob(e.now))
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
	m := newFakeMsg(t, 1, j)
	e.d.Handle(context.Background(), m)
	j2 := sqsJob(e.now)
	j2.Target.InputPath = "detail" // not a JSONPath: the transform fails
	m2 := newFakeMsg(t, 1, j2)
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
	m := newFakeMsg(t, 1, j)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 || len(e.queue.jobs()) != 1 {
		t.Fatalf("acked %v dead %d forwards %d", m.acked, len(e.store.dead), len(e.queue.jobs()))
	}
	fwd := e.queue.jobs()[0]
	if fwd.Target.Arn != sqsArn || fwd.DeadLetter[AttrTargetArn] != j.Target.Arn || fwd.DeadLetter[AttrErrorCode] != CodeInvalidParameter {
		t.Fatalf("forward job %+v", fwd)
	}
	// The forward itself failing is stored, never forwarded again.
	fm := newFakeMsg(t, 1, fwd)
	e.d.Handle(context.Background(), fm)
	if !fm.acked || len(e.store.dead) != 2 || len(e.queue.jobs()) != 1 {
		t.Fatalf("failed forward: acked %v dead %d forwards %d", fm.acked, len(e.store.dead), len(e.queue.jobs()))
	}
	// A dead letter carries the original event, not the target's input.
	if got := e.rec.got[0]; string(got.Input) != string(j.Event.Envelope) || got.Job.DeadLetter == nil {
		t.Fatalf("forward delivery %+v", got)
	}

	// A DeadLetterArn of a kind switchyard cannot deliver to is not forwarded.
	j.Target.DeadLetterArn = "arn:aws:lambda:us-east-1:222222222222:function:f"
	e.d.Handle(context.Background(), newFakeMsg(t, 1, j))
	if len(e.queue.jobs()) != 1 || len(e.store.dead) != 3 {
		t.Fatalf("undeliverable DLQ: forwards %d dead %d", len(e.queue.jobs()), len(e.store.dead))
	}
}

func TestHandleMaxDeliverIsTheLastChance(t *testing.T) {
	e := newEnv(Config{MaxDeliver: 2})
	e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow") }
	j := sqsJob(e.now)
	j.Target.RetryPolicy = eventbus.DefaultRetryPolicy()
	m := newFakeMsg(t, 2, j)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 || e.store.dead[0].Condition != ConditionAttempts {
		t.Fatalf("acked %v dead %+v", m.acked, e.store.dead)
	}
}

func TestHandleDeadLetterStoreFailure(t *testing.T) {
	e := newEnv(Config{})
	e.store.fails = storeAttempts // every in-process attempt fails
	e.rec.fail = func(int) error { return Permanent(CodeNoResource, "gone") }
	m := newFakeMsg(t, 1, sqsJob(e.now))
	e.d.Handle(context.Background(), m)
	if m.acked || len(m.retries) != 1 || m.retries[0] != time.Millisecond || len(e.store.dead) != 0 {
		t.Fatalf("store down: acked %v retries %v", m.acked, m.retries)
	}
	// Redelivered: the send is tried again and the verdict stored.
	m = newFakeMsg(t, 2, sqsJob(e.now))
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.store.dead) != 1 {
		t.Fatalf("store back: acked %v dead %d", m.acked, len(e.store.dead))
	}
}

func TestHandleShutdownHandsTheJobBack(t *testing.T) {
	e := newEnv(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	e.rec.fail = func(int) error { cancel(); return context.Canceled }
	m := newFakeMsg(t, 1, sqsJob(e.now))
	e.d.Handle(ctx, m)
	if m.acked || len(m.retries) != 1 || m.retries[0] != 0 || len(e.store.dead) != 0 {
		t.Fatalf("acked %v retries %v dead %d", m.acked, m.retries, len(e.store.dead))
	}
}

func TestHandleHeartbeatsSlowSends(t *testing.T) {
	e := newEnv(Config{Heartbeat: 5 * time.Millisecond})
	e.rec.fail = func(int) error { time.Sleep(60 * time.Millisecond); return nil }
	m := newFakeMsg(t, 1, sqsJob(e.now))
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
	m := newFakeMsg(t, 1, sqsJob(e.now))
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
	m := newFakeMsg(t, 1, sqsJob(e.now))
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

func TestHandleNotBeforeHandsTheBatchBack(t *testing.T) {
	e := newEnv(Config{MaxDeliver: 5})
	b := Batch{Jobs: []Job{sqsJob(e.now)}, NotBefore: e.now.Add(1500 * time.Millisecond)}
	m := newFakeBatchMsg(t, 1, b)
	e.d.Handle(context.Background(), m)
	if m.acked || len(m.retries) != 1 || m.retries[0] != 1500*time.Millisecond || len(e.rec.got) != 0 {
		t.Fatalf("early: acked %v retries %v sends %d", m.acked, m.retries, len(e.rec.got))
	}
	e.now = e.now.Add(1500 * time.Millisecond)
	m = newFakeBatchMsg(t, 2, b)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.rec.got) != 1 {
		t.Fatalf("on time: acked %v sends %d", m.acked, len(e.rec.got))
	}
	// On the queue's last allowed delivery the batch is attempted at once.
	m = newFakeBatchMsg(t, 5, Batch{Jobs: b.Jobs, NotBefore: e.now.Add(time.Hour)})
	e.d.Handle(context.Background(), m)
	if !m.acked || len(e.rec.got) != 2 {
		t.Fatalf("last delivery: acked %v sends %d", m.acked, len(e.rec.got))
	}
}

func TestHandleBatchSettlesEachJob(t *testing.T) {
	e := newEnv(Config{})
	jobs := make([]Job, 4)
	for i := range jobs {
		jobs[i] = sqsJob(e.now)
		jobs[i].Event.ID = fmt.Sprintf("e%d", i)
	}
	jobs[2].Attempts = 2 // out of retries (MaximumRetryAttempts 2)
	e.rec.fail = nil
	fails := map[string]error{
		"e1": Retryable(CodeThrottling, "slow down"),
		"e2": Retryable(CodeThrottling, "slow down"),
		"e3": Permanent(CodeNoResource, "gone"),
	}
	e.d.kinds = Kinds{sqsKind(SenderFunc(func(_ context.Context, d Delivery) error { return fails[d.Job.Event.ID] }))}
	m := newFakeMsg(t, 1, jobs...)
	e.d.Handle(context.Background(), m)
	if !m.acked || len(m.retries) != 0 {
		t.Fatalf("acked %v retries %v", m.acked, m.retries)
	}
	if len(e.queue.batches) != 1 || len(e.queue.batches[0].Jobs) != 1 {
		t.Fatalf("retry batches %+v, want one with e1", e.queue.batches)
	}
	if r := e.queue.batches[0]; r.Jobs[0].Event.ID != "e1" || r.Jobs[0].Attempts != 1 || !r.NotBefore.Equal(e.now.Add(500*time.Millisecond)) {
		t.Fatalf("retry batch: %s attempts %d not before %v", r.Jobs[0].Event.ID, r.Jobs[0].Attempts, r.NotBefore)
	}
	got := map[string]string{}
	for _, dl := range e.store.dead {
		got[dl.Job.Event.ID] = dl.ErrorCode + "/" + dl.Condition + "/" + fmt.Sprint(dl.RetryAttempts)
	}
	want := map[string]string{"e2": CodeThrottling + "/" + ConditionAttempts + "/2", "e3": CodeNoResource + "//0"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dead letters %v, want %v", got, want)
	}
}

func TestHandleRetryQueueDown(t *testing.T) {
	e := newEnv(Config{})
	e.queue.fails = storeAttempts // every in-process attempt fails
	e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow down") }
	m := newFakeMsg(t, 1, sqsJob(e.now))
	e.d.Handle(context.Background(), m)
	if m.acked || len(m.retries) != 1 || len(e.queue.batches) != 0 {
		t.Fatalf("queue down: acked %v retries %v batches %d", m.acked, m.retries, len(e.queue.batches))
	}
}

func TestHandleBoundsConcurrentSends(t *testing.T) {
	const workers = 3
	e := newEnv(Config{Workers: workers})
	var mu sync.Mutex
	running, peak := 0, 0
	e.d.kinds = Kinds{sqsKind(SenderFunc(func(context.Context, Delivery) error {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	}))}
	jobs := make([]Job, 20)
	for i := range jobs {
		jobs[i] = sqsJob(e.now)
		jobs[i].Event.ID = fmt.Sprintf("e%d", i)
	}
	var wg sync.WaitGroup
	for range 2 { // two batches at once share the slots
		wg.Go(func() { e.d.Handle(context.Background(), newFakeMsg(t, 1, jobs...)) })
	}
	wg.Wait()
	if peak != workers {
		t.Fatalf("peak concurrent sends %d, want %d", peak, workers)
	}
}

// BenchmarkHandleBatch: the dispatcher's own cost per job (decode, attempt
// through a sender that does nothing, settle) for a log batch's worth of
// jobs.
func BenchmarkHandleBatch(b *testing.B) {
	e := newEnv(Config{})
	e.d.kinds = Kinds{sqsKind(SenderFunc(func(context.Context, Delivery) error { return nil }))}
	jobs := make([]Job, 64)
	for i := range jobs {
		jobs[i] = sqsJob(e.now)
		jobs[i].Event.ID = fmt.Sprintf("e%d", i)
		jobs[i].Event.Envelope = []byte(`{"id":"e","detail":{"pad":"` + strings.Repeat("x", 1000) + `"}}`)
		jobs[i].Target.InputPath = "" // the whole event: measure the dispatcher, not a transform
	}
	parts, err := (&Batch{Jobs: jobs}).Encode(1 << 20)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(parts[0].Data)))
	for b.Loop() {
		m := &fakeMsg{data: parts[0].Data, delivered: 1}
		e.d.Handle(context.Background(), m)
		if !m.acked || len(e.store.dead) > 0 {
			b.Fatalf("batch not delivered: acked %v, %d dead letters", m.acked, len(e.store.dead))
		}
	}
	b.ReportMetric(float64(b.N*len(jobs))/b.Elapsed().Seconds(), "jobs/s")
}
