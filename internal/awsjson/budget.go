package awsjson

import (
	"context"
	"sync"
)

// A byteBudget hands out up to total bytes at a time: a counting semaphore
// over bytes. Safe for concurrent use.
type byteBudget struct {
	total int64

	mu      sync.Mutex
	free    int64         // guarded by mu
	waiters int           // acquire calls waiting on changed; guarded by mu
	changed chan struct{} // closed and replaced on a release while some wait; guarded by mu
}

func newByteBudget(total int64) *byteBudget {
	return &byteBudget{total: total, free: total, changed: make(chan struct{})}
}

// tryAcquire takes n bytes (at most total) if they are free now.
func (b *byteBudget) tryAcquire(n int64) bool {
	n = min(n, b.total)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.free < n {
		return false
	}
	b.free -= n
	return true
}

// acquire takes n bytes (at most total), waiting for them until ctx ends;
// it returns ctx's error then, having taken nothing. Waiters are not served
// in order: a small request may pass a large one that is waiting.
func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	n = min(n, b.total)
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		b.waiters++
		changed := b.changed
		b.mu.Unlock()
		var err error
		select {
		case <-changed:
		case <-ctx.Done():
			err = ctx.Err()
		}
		b.mu.Lock()
		b.waiters--
		b.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// release returns n bytes taken by acquire or tryAcquire, waking the
// waiters if there are any.
func (b *byteBudget) release(n int64) {
	n = min(n, b.total)
	b.mu.Lock()
	b.free += n
	if b.waiters > 0 {
		close(b.changed)
		b.changed = make(chan struct{})
	}
	b.mu.Unlock()
}

// used returns the bytes taken now.
func (b *byteBudget) used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total - b.free
}
