package httptarget

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
)

func TestLimiterSpacesSlots(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	l := newLimiter(clk.Now)
	for i, want := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond} {
		if d, ok := l.reserve("a", 10, time.Time{}); !ok || d != want {
			t.Errorf("slot %d: wait %v %v, want %v", i, d, ok, want)
		}
	}
	if d, ok := l.reserve("b", 10, time.Time{}); !ok || d != 0 {
		t.Errorf("another destination waited %v", d)
	}
	// Too late for the caller's deadline: nothing is booked.
	if _, ok := l.reserve("a", 10, clk.Now().Add(250*time.Millisecond)); ok {
		t.Errorf("slot at +300ms accepted with latest +250ms")
	}
	if d, ok := l.reserve("a", 10, clk.Now().Add(300*time.Millisecond)); !ok || d != 300*time.Millisecond {
		t.Errorf("slot after a refusal: %v %v", d, ok)
	}
	// An idle destination starts again at once, with no saved-up burst.
	clk.Add(10 * time.Second)
	if d, _ := l.reserve("a", 10, time.Time{}); d != 0 {
		t.Errorf("after idle: wait %v", d)
	}
	if d, _ := l.reserve("a", 10, time.Time{}); d != 100*time.Millisecond {
		t.Errorf("second after idle: wait %v", d)
	}
	if d, ok := l.reserve("a", 0, time.Time{}); !ok || d != 0 {
		t.Errorf("unlimited rate waited %v", d)
	}
}

func TestRateLimitDelaysNotDrops(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var at []time.Time
	rc := newReceiver(t, func(int, *http.Request) int {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		return 200
	})
	r := resolved(rc.srv.URL+"/r", http.MethodPost, apiKey())
	r.Destination.InvocationRateLimitPerSecond = 20
	s := New(Config{Resolver: &fakeResolver{r: r}})
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			errs <- s.Send(ctx, delivery.Delivery{Job: job(nil), Input: []byte(`{}`), Attempt: 1})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(at) != n {
		t.Fatalf("%d requests arrived, want %d", len(at), n)
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// 10 requests at 20/s span at least 9 intervals of 50 ms; allow slack
	// for scheduling but no burst.
	if span := at[n-1].Sub(at[0]); span < 300*time.Millisecond {
		t.Errorf("%d requests at 20/s arrived within %v", n, span)
	}
}

func TestRateLimitBeyondDeadlineIsRetryableThrottling(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	r := resolved(rc.srv.URL+"/r", http.MethodPost, apiKey())
	r.Destination.InvocationRateLimitPerSecond = 1
	s := New(Config{Resolver: &fakeResolver{r: r}, Timeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := s.Send(ctx, delivery.Delivery{Job: job(nil), Input: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	err := s.Send(ctx, delivery.Delivery{Job: job(nil), Input: []byte(`{}`)})
	if e := delivery.Classify(err); e == nil || !e.Retryable || e.Code != delivery.CodeThrottling {
		t.Fatalf("got %v, want retryable THROTTLING", err)
	}
	if len(rc.requests()) != 1 {
		t.Fatalf("%d requests, want 1", len(rc.requests()))
	}
}
