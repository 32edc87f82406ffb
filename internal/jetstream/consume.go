package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/wait"
)

// Consume delivers the log's records to handle through the durable pull
// consumer durableName, which it creates or updates. It returns nil when ctx
// ends (noticed within FetchWait), or an error if the consumer cannot be
// created or the stream goes away.
//
// Each handle call gets the records of one message (one appended batch),
// or, when more messages had already arrived while the previous call ran,
// of all of them (at most FetchBatch), in log order within what this
// process receives: a consumer that falls behind catches up in larger
// steps, as the log's writer does.
//
// Every process or goroutine calling Consume with the same durableName
// shares the work: each message goes to one of them. Messages are
// acknowledged only after handle returns nil. If handle returns an error
// they are redelivered after RetryDelay (doubling per delivery, up to
// MaxRetryDelay, with no limit on deliveries: records are never dropped);
// if the process dies, after AckWait. While handle runs Consume tells
// JetStream the messages are in progress every AckWait/3, so a slow handler
// does not cause a redelivery. Delivery is therefore at least once: handle
// must tolerate seeing records again, perhaps grouped otherwise. A message
// that does not decode is logged and terminated (never redelivered).
//
// handle must not keep the records' Data after it returns.
func (l *EventLog) Consume(ctx context.Context, durableName string, handle func(ctx context.Context, records []Record) error) error {
	cons, err := l.stream.CreateOrUpdateConsumer(ctx, l.cfg.consumerConfig(durableName))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("jetstream: consumer %q: %w", durableName, err)
	}
	var backoff pullBackoff
	for ctx.Err() == nil {
		// No FetchContext (nats.go allows it or a max wait, not both): an
		// ended ctx is noticed within FetchWait, and what arrives after is
		// handed back with a Nak rather than left to AckWait.
		batch, err := cons.Fetch(l.cfg.FetchBatch, jetstream.FetchMaxWait(l.cfg.FetchWait))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Errorf("jetstream: consumer %q: %w", durableName, err)
			}
			l.log.Warn("jetstream: fetch failed", "consumer", durableName, "err", err)
			_ = wait.Sleep(ctx, time.Second)
			continue
		}
		msgs := batch.Messages()
		var group []jetstream.Msg
		got := 0
		for msg := range msgs {
			got++
			group = ready(msgs, append(group[:0], msg))
			if ctx.Err() != nil {
				for _, m := range group {
					// Handed back for when this pull has expired: at once,
					// it would come back to the pull still open. AckWait
					// covers a lost Nak.
					_ = m.NakWithDelay(l.cfg.FetchWait)
				}
				continue
			}
			l.deliver(ctx, group, handle)
			clear(group)
		}
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, jetstream.ErrNoHeartbeat) {
			l.log.Debug("jetstream: fetch ended", "consumer", durableName, "err", err)
			backoff.wait(ctx, got)
		} else {
			backoff.reset()
		}
	}
	return nil
}

// A pullBackoff spaces out the pulls of a consume loop while they end at
// once with an error and nothing delivered, as they do while the consumer
// has no leader (503, no responders: a cluster electing one, or one whose
// only replica was lost) or no longer exists. Without it the loop spins, a
// core's worth of pulls, and in a cluster each pull's reply subscription
// goes to every route and back.
type pullBackoff struct{ d time.Duration }

const (
	minPullBackoff = 50 * time.Millisecond
	maxPullBackoff = 2 * time.Second
)

// wait waits before the next pull when the last one, which ended in an
// error, delivered nothing: 50 ms, doubling each time, up to 2 s.
func (b *pullBackoff) wait(ctx context.Context, got int) {
	if got > 0 {
		b.reset()
		return
	}
	b.d = min(max(2*b.d, minPullBackoff), maxPullBackoff)
	_ = wait.Sleep(ctx, b.d)
}

// reset is for a pull that ended well: the next error waits the least.
func (b *pullBackoff) reset() { b.d = 0 }

// consumerConfig is the configuration of the durable consumer name, the
// same whether Consume or EventLog (for LogConfig.Keep) creates it.
func (cfg LogConfig) consumerConfig(name string) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       name,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: cfg.Subject,
		Replicas:      0, // inherit the stream's
	}
}

// ready appends to group the messages that have already arrived on msgs,
// without waiting for more.
func ready(msgs <-chan jetstream.Msg, group []jetstream.Msg) []jetstream.Msg {
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return group
			}
			group = append(group, m)
		default:
			return group
		}
	}
}

// deliver runs handle on the records of msgs and acknowledges the messages,
// or naks them, or terminates those that do not decode.
func (l *EventLog) deliver(ctx context.Context, msgs []jetstream.Msg, handle func(context.Context, []Record) error) {
	var records []Record
	held := msgs[:0:0]
	for _, msg := range msgs {
		r, err := decodeFrame(msg.Data())
		if err != nil {
			l.log.Error("jetstream: dropping undecodable event log message", "subject", msg.Subject(), "err", err)
			_ = msg.Term()
			continue
		}
		records = append(records, r...)
		held = append(held, msg)
	}
	if len(held) == 0 {
		return
	}
	stop := l.keepInProgress(held)
	err := handle(ctx, records)
	stop()
	if err != nil {
		l.log.Warn("jetstream: event batch handler failed; will redeliver", "messages", len(held), "err", err)
		for _, msg := range held {
			if nakErr := msg.NakWithDelay(l.retryDelay(msg)); nakErr != nil {
				l.log.Warn("jetstream: nak failed; AckWait will redeliver", "err", nakErr)
			}
		}
		return
	}
	// The records are handled: acknowledge even if ctx just ended. Acks of
	// one connection reach the consumer in order, so once the last one is
	// confirmed the others have been processed too.
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.PublishTimeout)
	defer cancel()
	last := len(held) - 1
	for _, msg := range held[:last] {
		if err := msg.Ack(); err != nil {
			l.log.Warn("jetstream: ack failed", "err", err) // redelivered after AckWait: a duplicate, never a loss
		}
	}
	if err := held[last].DoubleAck(ackCtx); err != nil {
		l.log.Warn("jetstream: ack failed", "err", err)
	}
}

// retryDelay is the delay before redelivering msg after its handler
// failed: RetryDelay doubled per earlier delivery, up to MaxRetryDelay.
func (l *EventLog) retryDelay(msg jetstream.Msg) time.Duration {
	delay := l.cfg.RetryDelay
	if md, err := msg.Metadata(); err == nil {
		for i := uint64(1); i < md.NumDelivered && delay < l.cfg.MaxRetryDelay; i++ {
			delay *= 2
		}
	}
	return min(delay, l.cfg.MaxRetryDelay)
}

// keepInProgress resets the AckWait of msgs every AckWait/3 until the
// returned function is called.
func (l *EventLog) keepInProgress(msgs []jetstream.Msg) (stop func()) {
	return wait.Heartbeat(l.cfg.AckWait/3, func() {
		for _, msg := range msgs {
			_ = msg.InProgress() // best effort: a lost one only risks a duplicate
		}
	})
}
