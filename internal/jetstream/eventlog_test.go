package jetstream

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testLogConfig redelivers fast so tests do not wait.
func testLogConfig() LogConfig {
	return LogConfig{
		AckWait:       time.Second,
		FetchWait:     200 * time.Millisecond,
		RetryDelay:    10 * time.Millisecond,
		MaxRetryDelay: 50 * time.Millisecond,
	}
}

func openLog(t testing.TB, c *Conn, cfg LogConfig) *EventLog {
	t.Helper()
	l, err := c.EventLog(context.Background(), cfg)
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(context.Background()); err != nil {
			t.Errorf("EventLog.Close: %v", err)
		}
	})
	return l
}

// collector gathers the records a consumer handles, by Data.
type collector struct {
	mu   sync.Mutex
	seen map[string]int // guarded by mu
	more chan struct{}  // signalled after each batch
}

func newCollector() *collector {
	return &collector{seen: make(map[string]int), more: make(chan struct{}, 1)}
}

func (c *collector) handle(_ context.Context, records []Record) error {
	c.mu.Lock()
	for _, r := range records {
		c.seen[r.Account+"/"+r.Bus+"/"+string(r.Data)]++
	}
	c.mu.Unlock()
	select {
	case c.more <- struct{}{}:
	default:
	}
	return nil
}

// waitFor waits until n distinct records were seen.
func (c *collector) waitFor(t *testing.T, n int) map[string]int {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.seen)
		c.mu.Unlock()
		if got >= n {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.seen
		}
		select {
		case <-c.more:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("saw %d records, want %d", got, n)
		}
	}
}

// consume runs Consume until the test ends, and checks it returned nil.
func consume(t *testing.T, l *EventLog, durable string, handle func(context.Context, []Record) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Consume(ctx, durable, handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Consume: %v", err)
		}
	})
}

func appendN(t *testing.T, l *EventLog, producers, calls, per int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for p := range producers {
		wg.Go(func() {
			for c := range calls {
				recs := make([]Record, per)
				for i := range recs {
					recs[i] = Record{Account: fmt.Sprint("acct", p%3), Bus: "bus.x", Data: fmt.Appendf(nil, "%d-%d-%d", p, c, i)}
				}
				if err := l.Append(t.Context(), recs); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
}

func TestEventLogAppendConsume(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	l := openLog(t, c, testLogConfig())
	appendN(t, l, 8, 10, 20)
	col := newCollector()
	consume(t, l, "router", col.handle)
	seen := col.waitFor(t, 8*10*20)
	if len(seen) != 1600 || seen["acct1/bus.x/4-9-19"] != 1 {
		t.Fatalf("saw %d records; 4-9-19 %d times", len(seen), seen["acct1/bus.x/4-9-19"])
	}
	info, err := l.stream.Info(t.Context())
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	// Group commit: far fewer messages than Append calls is likely but not
	// certain; more messages than calls would be a bug.
	if info.State.Msgs == 0 || info.State.Msgs > 80 {
		t.Fatalf("%d messages for 80 Append calls", info.State.Msgs)
	}
}

func TestEventLogSplitsLargeAppends(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	cfg := testLogConfig()
	cfg.MaxBatchRecords = 7
	cfg.MaxBatchBytes = 2048
	l := openLog(t, c, cfg)
	recs := make([]Record, 50)
	for i := range recs {
		recs[i] = Record{Account: "a", Bus: "b", Data: []byte(fmt.Sprint(i, strings.Repeat("x", 200)))}
	}
	if err := l.Append(t.Context(), recs); err != nil {
		t.Fatalf("Append: %v", err)
	}
	col := newCollector()
	consume(t, l, "router", col.handle)
	col.waitFor(t, 50)

	// A record larger than a batch message travels alone, up to the
	// server's max payload: a 1 MB event fits the embedded server's.
	big := []Record{{Account: "a", Bus: "b", Data: make([]byte, 4096)}, {Account: "a", Bus: "b", Data: make([]byte, 1<<20+512)}}
	if err := l.Append(t.Context(), big); err != nil {
		t.Fatalf("Append of records over the batch limit: %v", err)
	}
	col.waitFor(t, 52)
	huge := []Record{{Account: "a", Bus: "b", Data: make([]byte, EmbeddedMaxPayload)}}
	if err := l.Append(t.Context(), huge); err == nil {
		t.Fatal("Append of a record over the max payload: want an error")
	}
}

func TestEventLogHandlerErrorRedelivers(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	l := openLog(t, c, testLogConfig())
	if err := l.Append(t.Context(), []Record{{Account: "a", Bus: "b", Data: []byte("once")}}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	var mu sync.Mutex
	calls := 0
	handled := make(chan struct{})
	consume(t, l, "router", func(_ context.Context, recs []Record) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls < 3 {
			return errors.New("target down")
		}
		close(handled)
		return nil
	})
	select {
	case <-handled:
	case <-time.After(10 * time.Second):
		t.Fatal("batch not redelivered after handler errors")
	}
}

func TestEventLogCrashedConsumerRedelivers(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	cfg := testLogConfig()
	l := openLog(t, c, cfg)
	if err := l.Append(t.Context(), []Record{{Account: "a", Bus: "b", Data: []byte("x")}}); err != nil {
		t.Fatalf("Append: %v", err)
	}

	// A second "process": its own connection, which dies mid-handle.
	nc2, err := nats.Connect("", nats.InProcessServer(c.srv))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	c2 := &Conn{cfg: c.cfg, log: c.log, nc: nc2, closed: make(chan struct{})}
	if c2.js, err = jetstream.New(nc2); err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	l2, err := c2.EventLog(t.Context(), cfg)
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	inHandler := make(chan struct{})
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() {
		_ = l2.Consume(ctx2, "router", func(ctx context.Context, _ []Record) error {
			close(inHandler)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	select {
	case <-inHandler:
	case <-time.After(10 * time.Second):
		t.Fatal("crashing consumer never got the batch")
	}
	nc2.Close() // the crash: no ack, no nak
	start := time.Now()
	col := newCollector()
	consume(t, l, "router", col.handle)
	col.waitFor(t, 1)
	if waited := time.Since(start); waited > 10*cfg.AckWait {
		t.Fatalf("redelivered after %v, AckWait %v", waited, cfg.AckWait)
	}
	cancel2()
	_ = l2.Close(context.Background())
}

func TestEventLogSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l, err := c.EventLog(t.Context(), testLogConfig())
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	appendN(t, l, 4, 5, 10)
	if err := l.Close(t.Context()); err != nil {
		t.Fatalf("EventLog.Close: %v", err)
	}
	if err := l.Append(t.Context(), []Record{{Data: []byte("late")}}); !errors.Is(err, ErrLogClosed) {
		t.Fatalf("Append after Close = %v, want ErrLogClosed", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	c2 := openTest(t, dir)
	l2 := openLog(t, c2, testLogConfig())
	col := newCollector()
	consume(t, l2, "router", col.handle)
	if seen := col.waitFor(t, 200); len(seen) != 200 {
		t.Fatalf("after restart saw %d records, want 200", len(seen))
	}
}

// BenchmarkEventLogAppend: 8 producers, each appending 20 records of 1 KB
// per call, as concurrent PutEvents requests would, with the default config.
func BenchmarkEventLogAppend(b *testing.B) { benchmarkAppend(b, LogConfig{}) }

// BenchmarkEventLogAppendLinger: the same with a Linger. Closed-loop
// producers are all in the batch already, so a linger only adds a wait.
func BenchmarkEventLogAppendLinger(b *testing.B) {
	benchmarkAppend(b, LogConfig{Linger: 100 * time.Microsecond})
}

func benchmarkAppend(b *testing.B, cfg LogConfig) {
	c := openTest(b, b.TempDir())
	l := openLog(b, c, cfg)
	const perCall = 20
	data := make([]byte, 1024)
	b.SetParallelism(max(1, 8/runtimeProcs()))
	b.SetBytes(perCall * 1024)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		recs := make([]Record, perCall)
		for i := range recs {
			recs[i] = Record{Account: "123456789012", Bus: "default", Data: data}
		}
		for pb.Next() {
			if err := l.Append(context.Background(), recs); err != nil {
				b.Errorf("Append: %v", err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N*perCall)/b.Elapsed().Seconds(), "events/s")
	if info, err := l.stream.Info(context.Background()); err == nil && info.State.Msgs > 0 {
		b.ReportMetric(float64(b.N*perCall)/float64(info.State.Msgs), "events/msg")
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

func TestEventLogConsumersShareWork(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	l := openLog(t, c, testLogConfig())
	const n = 40
	for i := range n { // sequential: one message each
		if err := l.Append(t.Context(), []Record{{Account: "a", Bus: "b", Data: []byte(fmt.Sprint(i))}}); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	var mu sync.Mutex
	total := 0
	col := newCollector()
	for range 2 {
		consume(t, l, "shared", func(ctx context.Context, recs []Record) error {
			mu.Lock()
			total += len(recs)
			mu.Unlock()
			return col.handle(ctx, recs)
		})
	}
	col.waitFor(t, n)
	time.Sleep(100 * time.Millisecond) // let a duplicate, if any, arrive
	mu.Lock()
	defer mu.Unlock()
	if total != n {
		t.Fatalf("handled %d records for %d appended: a message went to both consumers", total, n)
	}
}

// BenchmarkEventLogConsume: records/s through one Consume of batches of
// 160 records of 1 KB (what BenchmarkEventLogAppend writes).
func BenchmarkEventLogConsume(b *testing.B) {
	c := openTest(b, b.TempDir())
	l := openLog(b, c, LogConfig{FetchWait: 200 * time.Millisecond})
	recs := make([]Record, 160)
	for i := range recs {
		recs[i] = Record{Account: "123456789012", Bus: "default", Data: make([]byte, 1024)}
	}
	for range b.N/len(recs) + 1 {
		if err := l.Append(context.Background(), recs); err != nil {
			b.Fatalf("Append: %v", err)
		}
	}
	want := (b.N/len(recs) + 1) * len(recs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := 0
	b.ResetTimer()
	err := l.Consume(ctx, "bench", func(_ context.Context, rs []Record) error {
		if got += len(rs); got >= want {
			cancel()
		}
		return nil
	})
	b.StopTimer()
	if err != nil {
		b.Fatalf("Consume: %v", err)
	}
	b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "records/s")
}

// TestEventLogConsumerCatchesUpInGroups: messages that arrive while the
// handler is busy are handled together in the next call, and every one of
// them is acknowledged.
func TestEventLogConsumerCatchesUpInGroups(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	l := openLog(t, c, testLogConfig())
	const messages = 6
	for i := range messages {
		if err := l.Append(t.Context(), []Record{{Account: "a", Bus: "b", Data: fmt.Appendf(nil, "r%d", i)}}); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	info := func() *jetstream.ConsumerInfo {
		t.Helper()
		cons, err := l.stream.Consumer(t.Context(), "router")
		if err != nil {
			t.Fatalf("Consumer: %v", err)
		}
		ci, err := cons.Info(t.Context())
		if err != nil {
			t.Fatalf("consumer info: %v", err)
		}
		return ci
	}
	waitUntil := func(what string, cond func(*jetstream.ConsumerInfo) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for ci := info(); !cond(ci); ci = info() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: consumer has %d pending acks, %d delivered", what, ci.NumAckPending, ci.Delivered.Consumer)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	col := newCollector()
	var mu sync.Mutex
	var sizes []int
	consume(t, l, "router", func(ctx context.Context, recs []Record) error {
		mu.Lock()
		first := len(sizes) == 0
		sizes = append(sizes, len(recs))
		mu.Unlock()
		if first { // hold the first call until the rest were delivered to this consumer
			waitUntil("delivering the rest", func(ci *jetstream.ConsumerInfo) bool { return ci.NumAckPending == messages })
			time.Sleep(50 * time.Millisecond) // and have reached the client
		}
		return col.handle(ctx, recs)
	})
	seen := col.waitFor(t, messages)
	waitUntil("acknowledging", func(ci *jetstream.ConsumerInfo) bool { return ci.NumAckPending == 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(sizes) >= messages {
		t.Errorf("handler calls got %v records: one call per message, none grouped", sizes)
	}
	for r, n := range seen {
		if n != 1 {
			t.Errorf("record %s handled %d times", r, n)
		}
	}
	if ci := info(); ci.NumRedelivered != 0 {
		t.Errorf("%d messages redelivered", ci.NumRedelivered)
	}
}
