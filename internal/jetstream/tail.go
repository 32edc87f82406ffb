package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// DefaultTailBuffer is how many log messages a Tail holds for its caller
// before it drops new ones.
const DefaultTailBuffer = 4096

// TailConfig says what a Tail follows.
type TailConfig struct {
	// Stream and Subject of the event log: DefaultLogStream and
	// DefaultLogSubject if empty.
	Stream, Subject string
	// Since, if positive, first replays the events the log still holds
	// that were appended within Since before now (with interest retention,
	// only those not yet routed).
	Since time.Duration
	// Buffer: DefaultTailBuffer if zero.
	Buffer int
	// Now is the clock of Since: time.Now if nil.
	Now func() time.Time
	// Ready, if set, is called once Tail follows the log: its
	// subscription is in place and the replay, if any, is done.
	Ready func()
}

// Tail calls fn, from one goroutine, with each event appended to the event
// log from now on, until ctx ends (Tail then returns nil) or fn returns an
// error (which Tail returns). Live events come from a plain NATS
// subscription to the log's subject, not a consumer of the stream: a tail
// never holds an event in the log or slows routing, and one that dies
// leaves nothing behind. A tail slower than the log drops messages (the
// buffer is full, or the server cut the subscription's backlog); dropped
// reports how many so far, and is called with the running total whenever
// it grows. With Since, a short-lived ordered consumer (removed when the
// replay ends, or by the server 5 s after a dead tail) replays first;
// events seen in both are given once.
func (c *Conn) Tail(ctx context.Context, cfg TailConfig, fn func(eventbus.BusEvent) error, dropped func(n int)) error {
	if cfg.Stream == "" {
		cfg.Stream = DefaultLogStream
	}
	if cfg.Subject == "" {
		cfg.Subject = DefaultLogSubject
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultTailBuffer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	live := make(chan *nats.Msg, cfg.Buffer)
	var drops atomic.Int64
	lost := make(chan struct{}, 1)
	sub, err := c.nc.Subscribe(cfg.Subject, func(m *nats.Msg) {
		select {
		case live <- m:
		default:
			drops.Add(1)
			select {
			case lost <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		return fmt.Errorf("jetstream: tail: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := c.nc.FlushTimeout(10 * time.Second); err != nil { // the subscription is in place before the replay starts
		return fmt.Errorf("jetstream: tail: %w", err)
	}
	seen := map[string]bool{}
	if cfg.Since > 0 {
		if err := c.replay(ctx, cfg, seen, fn); err != nil {
			return err
		}
	}
	if cfg.Ready != nil {
		cfg.Ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-live:
			if id := m.Header.Get(jetstream.MsgIDHeader); id != "" && seen[id] {
				delete(seen, id)
				continue
			}
			if err := emit(m.Data, fn); err != nil {
				return err
			}
		case <-lost:
			if dropped != nil {
				dropped(int(drops.Load()))
			}
		}
	}
}

// replay gives fn the events the log holds from cfg.Since ago up to its
// last message now, noting each message's id in seen.
func (c *Conn) replay(ctx context.Context, cfg TailConfig, seen map[string]bool, fn func(eventbus.BusEvent) error) error {
	start := cfg.Now().Add(-cfg.Since)
	cons, err := c.js.OrderedConsumer(ctx, cfg.Stream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &start, InactiveThreshold: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("jetstream: tail replay: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("jetstream: tail replay: %w", err)
	}
	defer func() { // best effort: the server removes it after InactiveThreshold anyway
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = c.js.DeleteConsumer(dctx, cfg.Stream, cons.CachedInfo().Name)
	}()
	for pending := info.NumPending; pending > 0; {
		batch, err := cons.Fetch(int(min(pending, 256)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return fmt.Errorf("jetstream: tail replay: %w", err)
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			md, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("jetstream: tail replay: %w", err)
			}
			pending = md.NumPending
			if id := msg.Headers().Get(jetstream.MsgIDHeader); id != "" {
				seen[id] = true
			}
			if err := emit(msg.Data(), fn); err != nil {
				return err
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("jetstream: tail replay: %w", err)
		}
		if got == 0 { // routed (and so removed) while we read: nothing more to replay
			return nil
		}
	}
	return nil
}

// emit decodes one log message and gives fn its events; a message or
// record that does not decode is skipped (the router logs it).
func emit(data []byte, fn func(eventbus.BusEvent) error) error {
	records, err := decodeFrame(data)
	if err != nil {
		return nil
	}
	for _, r := range records {
		var ev eventbus.Event
		if ev.UnmarshalBinary(r.Data) != nil {
			continue
		}
		if err := fn(eventbus.BusEvent{Account: r.Account, Bus: r.Bus, Event: ev}); err != nil {
			return err
		}
	}
	return nil
}
