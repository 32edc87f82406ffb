package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Consume delivers the log's records to handle, one message (one appended
// batch, in log order within what this process receives) at a time, through
// the durable pull consumer durableName, which it creates or updates. It
// returns nil when ctx ends (noticed within FetchWait), or an error if the consumer cannot be created or
// the stream goes away.
//
// Every process or goroutine calling Consume with the same durableName
// shares the work: each message goes to one of them. A message is
// acknowledged only after handle returns nil. If handle returns an error the
// message is redelivered after RetryDelay (doubling per delivery, up to
// MaxRetryDelay, with no limit on deliveries: records are never dropped);
// if the process dies, after AckWait. While handle runs Consume tells
// JetStream the message is in progress every AckWait/3, so a slow handler
// does not cause a redelivery. Delivery is therefore at least once: handle
// must tolerate seeing a batch again. A message that does not decode is
// logged and terminated (never redelivered).
//
// handle must not keep the records' Data after it returns.
func (l *EventLog) Consume(ctx context.Context, durableName string, handle func(ctx context.Context, records []Record) error) error {
	cons, err := l.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       durableName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       l.cfg.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: l.cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: l.cfg.Subject,
		Replicas:      0, // inherit the stream's
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("jetstream: consumer %q: %w", durableName, err)
	}
	for ctx.Err() == nil {
		// No FetchContext (nats.go allows it or a max wait, not both): an
		// ended ctx is noticed within FetchWait, and what arrives after is
		// handed back with Nak rather than left to AckWait.
		batch, err := cons.Fetch(l.cfg.FetchBatch, jetstream.FetchMaxWait(l.cfg.FetchWait))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Errorf("jetstream: consumer %q: %w", durableName, err)
			}
			l.log.Warn("jetstream: fetch failed", "consumer", durableName, "err", err)
			sleep(ctx, time.Second)
			continue
		}
		for msg := range batch.Messages() {
			if ctx.Err() != nil {
				_ = msg.Nak() // hand it back at once; AckWait covers a lost Nak
				continue
			}
			l.deliver(ctx, msg, handle)
		}
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, jetstream.ErrNoHeartbeat) {
			l.log.Debug("jetstream: fetch ended", "consumer", durableName, "err", err)
		}
	}
	return nil
}

// deliver runs handle on one message and acknowledges, naks or terminates it.
func (l *EventLog) deliver(ctx context.Context, msg jetstream.Msg, handle func(context.Context, []Record) error) {
	records, err := decodeFrame(msg.Data())
	if err != nil {
		l.log.Error("jetstream: dropping undecodable event log message", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	stop := l.keepInProgress(msg)
	err = handle(ctx, records)
	stop()
	if err != nil {
		delay := l.cfg.RetryDelay
		if md, mdErr := msg.Metadata(); mdErr == nil {
			for i := uint64(1); i < md.NumDelivered && delay < l.cfg.MaxRetryDelay; i++ {
				delay *= 2
			}
		}
		delay = min(delay, l.cfg.MaxRetryDelay)
		l.log.Warn("jetstream: event batch handler failed; will redeliver", "retry_in", delay, "err", err)
		if nakErr := msg.NakWithDelay(delay); nakErr != nil {
			l.log.Warn("jetstream: nak failed; AckWait will redeliver", "err", nakErr)
		}
		return
	}
	// The records are handled: acknowledge even if ctx just ended.
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.PublishTimeout)
	defer cancel()
	if err := msg.DoubleAck(ackCtx); err != nil {
		// Redelivered after AckWait: a duplicate, never a loss.
		l.log.Warn("jetstream: ack failed", "err", err)
	}
}

// keepInProgress resets msg's AckWait every AckWait/3 until the returned
// function is called.
func (l *EventLog) keepInProgress(msg jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(l.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = msg.InProgress() // best effort: a lost one only risks a duplicate
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

// sleep waits for d or ctx, whichever ends first.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
