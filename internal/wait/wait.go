// Package wait owns switchyard's waiting on wall time: a sleep that ends
// early with its context, and a heartbeat that calls a function at an
// interval until it is stopped.
//
// It never decides anything from the time: code whose outcome depends on
// time (expiry, retries, backoff) takes an injected clock instead, and uses
// this package only to pause.
package wait

import (
	"context"
	"time"
)

// Sleep waits for d or for ctx to end, whichever comes first. It returns
// ctx's error if ctx ended first, and nil otherwise.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Heartbeat calls beat every interval, on a goroutine of its own, until the
// returned stop is called; stop returns once beat is no longer running and
// must be called exactly once. interval must be positive.
func Heartbeat(interval time.Duration, beat func()) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				beat()
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}
