package awstarget

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestBatcher sends from many goroutines at once through a batcher whose
// call blocks until released: the first send of the destination is a call
// of its own; those arriving while maxInFlight calls run wait and go in
// full batches (bounded by entries and bytes); each send gets its own
// entry's error.
func TestBatcher(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var calls [][]int
	b := newBatcher(3, 10, 1, func(e int) int { return 4 }, func(_ context.Context, _ string, batch []int) []error {
		mu.Lock()
		calls = append(calls, append([]int(nil), batch...))
		first := len(calls) == 1
		mu.Unlock()
		if first {
			<-release
		}
		errs := make([]error, len(batch))
		for i, e := range batch {
			if e%2 == 1 {
				errs[i] = errors.New("odd")
			}
		}
		return errs
	})
	ctx := t.Context()
	results := make([]error, 8)
	var wg sync.WaitGroup
	wg.Go(func() { results[0] = b.send(ctx, "q", 0) })
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 1 })
	for i := 1; i < 8; i++ {
		wg.Go(func() { results[i] = b.send(ctx, "q", i) })
	}
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.dests["q"].waiting) == 7 })
	close(release)
	wg.Wait()
	for i, err := range results {
		if (err != nil) != (i%2 == 1) {
			t.Errorf("send %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 5 || len(calls[0]) != 1 {
		t.Fatalf("calls %v: want the first alone, then 7 entries in batches of at most 2 (10 bytes)", calls)
	}
	for _, c := range calls[1:] {
		if len(c) > 2 {
			t.Errorf("batch %v over the byte bound", c)
		}
	}
	// The last call's goroutine frees its slot after handing out results.
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.dests) == 0 })
}

// TestBatcherCancel: a send whose context ends while it waits returns the
// context's error and its entry is not sent.
func TestBatcherCancel(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sent []int
	b := newBatcher(10, 1<<20, 1, func(int) int { return 1 }, func(_ context.Context, _ string, batch []int) []error {
		mu.Lock()
		sent = append(sent, batch...)
		first := len(sent) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return make([]error, len(batch))
	})
	done := make(chan error, 1)
	go func() { done <- b.send(t.Context(), "q", 1) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sent) == 1 })
	ctx, cancel := context.WithCancel(t.Context())
	waiting := make(chan error, 1)
	go func() { waiting <- b.send(ctx, "q", 2) }()
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.dests["q"].waiting) == 1 })
	cancel()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled send = %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 {
		t.Errorf("sent %v: the cancelled entry went too", sent)
	}
}

// waitFor polls cond until it holds (state, not time, is awaited; the
// test's own deadline bounds it).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-t.Context().Done():
			t.Fatal("condition never held")
		case <-time.After(time.Millisecond):
		}
	}
}
