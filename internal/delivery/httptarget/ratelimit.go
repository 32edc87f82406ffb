package httptarget

import (
	"context"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/wait"
)

// A limiter spaces the requests to each API destination so that they keep
// to its InvocationRateLimitPerSecond: the n-th request at rate r starts no
// earlier than n/r seconds after the first of a busy spell, with no burst
// beyond one request. Excess requests are delayed, never dropped. It limits
// this process only: several switchyard processes sharing one NATS cluster
// each allow the full rate.
type limiter struct {
	now func() time.Time

	mu   sync.Mutex           // guards next
	next map[string]time.Time // destination ARN → earliest start of its next request
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, next: map[string]time.Time{}}
}

// reserve books the next request slot of destination at rate per second,
// unless it starts later than both now and latest: it returns how long to wait for the
// slot, and false (booking nothing) when the slot is too late. rate <= 0 is
// unlimited.
func (l *limiter) reserve(destination string, rate int, latest time.Time) (time.Duration, bool) {
	if rate <= 0 {
		return 0, true
	}
	interval := time.Second / time.Duration(rate)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	slot := l.next[destination]
	if slot.Before(now) {
		slot = now
	}
	if !latest.IsZero() && slot.After(now) && slot.After(latest) {
		return 0, false
	}
	l.next[destination] = slot.Add(interval)
	return slot.Sub(now), true
}

// wait blocks until the next request to destination may start. The request
// must be able to run for reqTimeout before ctx's deadline: if the slot
// comes later than that, wait returns a retryable THROTTLING at once and
// the job is redelivered by the queue. That redelivery counts as an attempt
// against the target's RetryPolicy (the delivery package has no way to give
// an attempt back); it happens only when more deliveries wait for one
// destination than its rate can serve within a send timeout. ctx ending
// during the wait returns ctx's error.
func (l *limiter) wait(ctx context.Context, destination string, rate int, reqTimeout time.Duration) error {
	var latest time.Time
	if dl, ok := ctx.Deadline(); ok {
		latest = dl.Add(-reqTimeout)
	}
	d, ok := l.reserve(destination, rate, latest)
	if !ok {
		return delivery.Retryable(delivery.CodeThrottling, "API destination %s is at its invocation rate limit of %d per second.", destination, rate)
	}
	if d <= 0 {
		return nil
	}
	return wait.Sleep(ctx, d)
}
