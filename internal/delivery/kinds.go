package delivery

import (
	"context"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A Delivery is one attempt to give one event to one target.
type Delivery struct {
	// Job is the job being attempted; senders must not modify it.
	Job *Job
	// Input is what the target receives: the Transformer's output, or the
	// event's envelope for a RawEvent kind.
	Input []byte
	// Attempt numbers this attempt, from 1.
	Attempt int
}

// A Sender delivers events to targets of one kind. Send returns nil once the
// target has the event (for an event bus: it is durably in the event log).
// On failure it should return an *Error (see Retryable and Permanent) that
// says whether trying again may help; any other error counts as a
// retryable UNKNOWN. Send is called from many goroutines at once and must
// honour ctx, which carries the send timeout.
type Sender interface {
	Send(ctx context.Context, d Delivery) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, d Delivery) error

// Send calls f(ctx, d).
func (f SenderFunc) Send(ctx context.Context, d Delivery) error { return f(ctx, d) }

// A Kind is one kind of target switchyard can deliver to.
type Kind struct {
	// Name identifies the kind in logs ("event-bus", "api-destination").
	Name string
	// Accepts reports whether a target ARN is of this kind.
	Accepts func(arn eventbus.ARN) bool
	// Sender delivers to targets of this kind.
	Sender Sender
	// RawEvent kinds receive the event as it is: the Transformer is not run,
	// and Delivery.Input is the envelope. Event buses are raw: AWS forwards
	// the original event to a bus target.
	RawEvent bool
	// Undelivered kinds are accepted as AWS accepts them but not delivered:
	// their Sender fails every event for good. Their dead letters are
	// logged at DEBUG, not WARN each, since the kind's owner says so once
	// when the target is put.
	Undelivered bool
}

// Kinds is the set of target kinds a Dispatcher can deliver to; the first
// kind that accepts an ARN handles it.
type Kinds []Kind

// For returns the kind that handles targetArn; false if none does or the
// ARN does not parse.
func (ks Kinds) For(targetArn string) (Kind, bool) {
	a, ok := eventbus.ParseARN(targetArn)
	if !ok {
		return Kind{}, false
	}
	for _, k := range ks {
		if k.Accepts != nil && k.Accepts(a) {
			return k, true
		}
	}
	return Kind{}, false
}
