package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

func testQueueConfig() QueueConfig {
	return QueueConfig{AckWait: 500 * time.Millisecond, FetchWait: 100 * time.Millisecond}
}

func openQueue(t testing.TB, c *Conn, cfg QueueConfig) *Queue {
	t.Helper()
	q, err := c.Queue(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Queue: %v", err)
	}
	return q
}

// runQueue consumes q in the background until the test ends.
func runQueue(t *testing.T, q *Queue, workers int, handle func(eventbus.QueueDelivery)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Consume(ctx, workers, handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Consume: %v", err)
		}
	})
}

func enqueue(t *testing.T, q *Queue, ids ...string) {
	t.Helper()
	jobs := make([]QueueJob, len(ids))
	for i, id := range ids {
		jobs[i] = QueueJob{ID: id, Data: []byte("job " + id)}
	}
	if err := q.Enqueue(t.Context(), jobs); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

func waitLen(t *testing.T, q *Queue, want uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := q.Len(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d jobs, want %d", n, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueueDeduplicatesAndDeliversOnce(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	q := openQueue(t, c, QueueConfig{Inflight: 7, AckWait: 5 * time.Second, FetchWait: 100 * time.Millisecond})
	var ids []string
	for i := range 50 {
		ids = append(ids, fmt.Sprint("j", i))
	}
	enqueue(t, q, ids...)
	enqueue(t, q, ids[10:20]...) // a re-routed batch
	waitLen(t, q, 50)

	var mu sync.Mutex
	seen := map[string]int{}
	runQueue(t, q, 4, func(m eventbus.QueueDelivery) {
		mu.Lock()
		seen[string(m.Data())]++
		mu.Unlock()
		if err := m.Ack(context.Background()); err != nil {
			t.Errorf("Ack: %v", err)
		}
	})
	waitLen(t, q, 0) // a work queue drops acknowledged jobs
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 50 {
		t.Fatalf("handled %d distinct jobs, want 50", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
}

func TestQueueRetryRedeliversAfterDelay(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	q := openQueue(t, c, testQueueConfig())
	enqueue(t, q, "r")
	type delivery struct {
		n  int
		at time.Time
	}
	got := make(chan delivery, 8)
	runQueue(t, q, 2, func(m eventbus.QueueDelivery) {
		got <- delivery{m.Delivered(), time.Now()}
		if m.Delivered() < 3 {
			if err := m.Retry(200 * time.Millisecond); err != nil {
				t.Errorf("Retry: %v", err)
			}
			return
		}
		_ = m.Ack(context.Background())
	})
	var prev time.Time
	for want := 1; want <= 3; want++ {
		d := <-got
		if d.n != want {
			t.Fatalf("delivery %d reports Delivered %d", want, d.n)
		}
		if want > 1 && d.at.Sub(prev) < 180*time.Millisecond {
			t.Fatalf("redelivered after %v, before the 200ms delay", d.at.Sub(prev))
		}
		prev = d.at
	}
	waitLen(t, q, 0)
}

func TestQueueAckWaitAndInProgress(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	q := openQueue(t, c, testQueueConfig()) // AckWait 500ms
	enqueue(t, q, "slow", "lost")
	var slowDeliveries, lostDeliveries atomic.Int32
	runQueue(t, q, 2, func(m eventbus.QueueDelivery) {
		switch string(m.Data()) {
		case "job slow": // a slow send kept alive by heartbeats
			slowDeliveries.Add(1)
			for range 8 {
				time.Sleep(150 * time.Millisecond)
				if err := m.InProgress(); err != nil {
					t.Errorf("InProgress: %v", err)
				}
			}
			_ = m.Ack(context.Background())
		case "job lost": // a worker that died: never settled
			if lostDeliveries.Add(1) == 2 {
				_ = m.Ack(context.Background())
			}
		}
	})
	waitLen(t, q, 0)
	if n := slowDeliveries.Load(); n != 1 {
		t.Errorf("slow job delivered %d times despite heartbeats", n)
	}
	if n := lostDeliveries.Load(); n != 2 {
		t.Errorf("unsettled job delivered %d times, want 2 (again after AckWait)", n)
	}
}

func TestQueueBoundsWorkers(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	q := openQueue(t, c, testQueueConfig())
	var ids []string
	for i := range 30 {
		ids = append(ids, fmt.Sprint(i))
	}
	enqueue(t, q, ids...)
	var running, peak atomic.Int32
	runQueue(t, q, 3, func(m eventbus.QueueDelivery) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		running.Add(-1)
		_ = m.Ack(context.Background())
	})
	waitLen(t, q, 0)
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d with 3 workers", p)
	}
}

func TestQueueConsumeWaitsForInFlight(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	q := openQueue(t, c, testQueueConfig())
	enqueue(t, q, "x")
	ctx, cancel := context.WithCancel(context.Background())
	started, finished := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, 1, func(m eventbus.QueueDelivery) {
			close(started)
			time.Sleep(200 * time.Millisecond)
			_ = m.Ack(context.Background())
			close(finished)
		})
	}()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("Consume returned while a handler was running")
	}
}

func TestQueueSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	func() {
		c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := c.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		}()
		q := openQueue(t, c, testQueueConfig())
		enqueue(t, q, "a", "b")
		// One is delivered and left in its retry delay when the server stops.
		ctx, cancel := context.WithCancel(context.Background())
		handled := make(chan struct{}, 2)
		go func() {
			_ = q.Consume(ctx, 1, func(m eventbus.QueueDelivery) {
				_ = m.Retry(time.Hour)
				handled <- struct{}{}
			})
		}()
		<-handled
		cancel()
	}()
	c := openTest(t, dir)
	q := openQueue(t, c, testQueueConfig())
	waitLen(t, q, 2)
	seen := make(chan string, 4)
	runQueue(t, q, 2, func(m eventbus.QueueDelivery) {
		seen <- string(m.Data())
		_ = m.Ack(context.Background())
	})
	got := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for !got["job b"] && !got["job a"] {
		select {
		case s := <-seen:
			got[s] = true
		case <-timeout:
			t.Fatal("no job delivered after restart")
		}
	}
	time.Sleep(200 * time.Millisecond)
	for len(seen) > 0 {
		got[<-seen] = true
	}
	// Every job is delivered or still stored (the one waiting out its
	// hour-long retry may be either): none is lost.
	n, err := q.Len(t.Context())
	if err != nil || len(got)+int(n) != 2 {
		t.Fatalf("after restart: delivered %v, %d still queued (%v); want 2 in all", got, n, err)
	}
}

// BenchmarkQueue measures the delivery queue with 1 KB jobs in groups of
// 64 (a log batch's worth): Enqueue as 64 messages, as one 64 KB message
// (what delivery does with a Batch), and a round trip of the 64 messages
// (enqueue, consume with 16 workers, ack). Every message is one fsync.
func BenchmarkQueue(b *testing.B) {
	const group = 64
	data := make([]byte, 1024)
	jobs := func(round int) []QueueJob {
		js := make([]QueueJob, group)
		for i := range js {
			js[i] = QueueJob{ID: fmt.Sprintf("%d/%d", round, i), Data: data}
		}
		return js
	}
	b.Run("Enqueue", func(b *testing.B) {
		q := openQueue(b, openTest(b, b.TempDir()), QueueConfig{})
		round := 0
		for b.Loop() {
			round++
			if err := q.Enqueue(context.Background(), jobs(round)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*group)/b.Elapsed().Seconds(), "jobs/s")
	})
	b.Run("EnqueueOneMessage", func(b *testing.B) {
		q := openQueue(b, openTest(b, b.TempDir()), QueueConfig{})
		one := make([]byte, group*len(data))
		round := 0
		for b.Loop() {
			round++
			if err := q.Enqueue(context.Background(), []QueueJob{{ID: fmt.Sprint(round), Data: one}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*group)/b.Elapsed().Seconds(), "jobs/s")
	})
	b.Run("RoundTrip", func(b *testing.B) {
		q := openQueue(b, openTest(b, b.TempDir()), QueueConfig{FetchWait: 100 * time.Millisecond})
		var acked atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- q.Consume(ctx, 16, func(m eventbus.QueueDelivery) {
				if err := m.Ack(context.Background()); err == nil {
					acked.Add(1)
				}
			})
		}()
		start := time.Now()
		round := 0
		for b.Loop() {
			round++
			if err := q.Enqueue(context.Background(), jobs(round)); err != nil {
				b.Fatal(err)
			}
		}
		for acked.Load() < int64(b.N*group) {
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(b.N*group)/time.Since(start).Seconds(), "jobs/s")
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
}

// TestConsumePausesWhilePullsFail checks that the consume loops wait
// between pulls that fail at once. A pull for a consumer no server leads
// (here: deleted behind the loop's back) is answered at once with 503, no
// responders; the loops used to pull again at once, spinning, and in a
// cluster each pull's reply subscription went to every route.
func TestConsumePausesWhilePullsFail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, c *Conn) (stream, durable string)
	}{
		{"queue", func(t *testing.T, c *Conn) (string, string) {
			cfg := testQueueConfig()
			q := openQueue(t, c, cfg)
			runQueue(t, q, 2, func(eventbus.QueueDelivery) {})
			return q.stream.CachedInfo().Config.Name, q.cfg.Durable
		}},
		{"event log", func(t *testing.T, c *Conn) (string, string) {
			l := openLog(t, c, testLogConfig())
			consume(t, l, "pauses", func(context.Context, []Record) error { return nil })
			return l.stream.CachedInfo().Config.Name, "pauses"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := openTest(t, t.TempDir())
			stream, durable := tc.start(t, c)
			s, err := c.JetStream().Stream(t.Context(), stream)
			if err != nil {
				t.Fatal(err)
			}
			// Delete the consumer once the loop has created it and pulls
			// (a deletion while it is being created fails the creation).
			for {
				cons, err := s.Consumer(t.Context(), durable)
				if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
					t.Fatal(err)
				}
				if err == nil && cons.CachedInfo().NumWaiting > 0 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := s.DeleteConsumer(t.Context(), durable); err != nil {
				t.Fatal(err)
			}
			in := func() int64 {
				v, err := c.srv.Varz(nil)
				if err != nil {
					t.Fatal(err)
				}
				return v.InMsgs
			}
			time.Sleep(300 * time.Millisecond) // the pull open at the deletion ends
			before := in()
			time.Sleep(time.Second)
			// Waits of 50 ms doubling to 2 s allow about five pulls in a
			// second; a spinning loop made thousands.
			if n := in() - before; n > 30 {
				t.Errorf("%d messages in a second while every pull failed: the loop does not pause", n)
			}
		})
	}
}
