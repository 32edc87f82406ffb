package awsjson

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestByteBudget: a waiter is woken by a release, a waiter whose context
// ends gives up having taken nothing, and tryAcquire never waits.
func TestByteBudget(t *testing.T) {
	t.Parallel()
	b := newByteBudget(10)
	if !b.tryAcquire(8) || b.tryAcquire(3) {
		t.Fatal("tryAcquire: want 8 taken, then 3 refused")
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(context.Background(), 5) }()
	// The waiter cannot pass until 3 bytes come back.
	for {
		b.mu.Lock()
		w := b.waiters
		b.mu.Unlock()
		if w == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.release(8)
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("acquire after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a release did not wake the waiter")
	}
	if b.used() != 5 {
		t.Fatalf("used %d, want 5", b.used())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.acquire(ctx, 10); !errors.Is(err, context.Canceled) || b.used() != 5 || b.waiters != 0 {
		t.Fatalf("acquire on an ended context: %v, used %d, waiters %d", err, b.used(), b.waiters)
	}
	// Requests larger than the budget take all of it rather than wait forever.
	b.release(5)
	if !b.tryAcquire(100) || b.used() != 10 {
		t.Fatalf("an oversized request: used %d, want 10", b.used())
	}
}
