package delivery

import (
	"context"
	"maps"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// MaxBatchBytes bounds one queued batch message: large enough that a log
// batch's jobs usually travel together, small enough to keep one delivery
// of the batch cheap to redeliver.
const MaxBatchBytes = 512 << 10

// A Producer is the Enqueuer over a durable queue: it encodes a batch (see
// Batch.Encode) into messages of at most MaxBatchBytes, or the queue's own
// limit if lower, and enqueues them together.
type Producer struct{ Queue eventbus.Queue }

var _ Enqueuer = Producer{}

// Enqueue implements Enqueuer.
func (p Producer) Enqueue(ctx context.Context, b Batch) error {
	parts, err := b.Encode(min(MaxBatchBytes, p.Queue.Limits().MaxMessageBytes))
	if err != nil {
		return err
	}
	msgs := make([]eventbus.QueueMessage, len(parts))
	for i, part := range parts {
		msgs[i] = eventbus.QueueMessage{ID: part.ID, Data: part.Data}
	}
	return p.Queue.Enqueue(ctx, msgs)
}

// DeadLetterRecords is the DeadLetterStore over durable dead-letter
// records: the event as the body, AWS's attributes and switchyard's
// metadata as headers.
type DeadLetterRecords struct{ Store eventbus.DeadLetters }

var _ DeadLetterStore = DeadLetterRecords{}

// Put implements DeadLetterStore.
func (s DeadLetterRecords) Put(ctx context.Context, dl DeadLetter) error {
	headers := dl.Attributes()
	maps.Copy(headers, dl.Metadata())
	return s.Store.Put(ctx, eventbus.DeadLetterRecord{ID: dl.ID(), Account: dl.Job.Account, Headers: headers, Body: dl.Job.Event.Envelope})
}
