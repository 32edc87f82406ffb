package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/delivery/bustarget"
	"github.com/switchyard/switchyard/internal/delivery/httptarget"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// RoutingConfig is how `switchyard serve` routes and delivers events. Zero
// fields take the defaults of the packages they configure.
type RoutingConfig struct {
	// Workers: sends running at once in this process.
	Workers int
	// RouterConsumers: goroutines of this process routing the event log.
	RouterConsumers int
	// SendTimeout bounds one delivery attempt.
	SendTimeout time.Duration
	// AckWait: how long a delivery may go silent before another worker
	// (perhaps in another process) takes the job over.
	AckWait time.Duration
	// MaxDeliver: the queue's bound on deliveries of one batch.
	MaxDeliver int
	// MaxAckPending: queued batches delivered or waiting to be due at once,
	// across all processes.
	MaxAckPending int
	// BackoffBase and BackoffMax shape retry delays.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// DedupWindow: the queue's de-duplication window.
	DedupWindow time.Duration
	// QueueMaxBytes: size bound of the delivery queue (0: none).
	QueueMaxBytes int64
	// DeadLetterMaxAge: how long dead letters are kept (0: 14 days,
	// negative: forever).
	DeadLetterMaxAge time.Duration

	// ExtraKinds are target kinds delivered besides event buses; tests add
	// recording or failing kinds here. Not a flag.
	ExtraKinds delivery.Kinds
	// Now is the delivery clock (retry age, ingestion time of forwarded
	// events): time.Now if nil. Not a flag.
	Now func() time.Time
	// Observe, if set, is given the router's rule table once it is loaded,
	// so tests can wait for a rule change to reach the router. Not a flag.
	Observe func(*router.Table)
}

// addFlags registers the routing flags on fs.
func (c *RoutingConfig) addFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Workers, "delivery-workers", c.Workers, "sends running at once in this process (0: default 64)")
	fs.IntVar(&c.RouterConsumers, "router-consumers", c.RouterConsumers, "goroutines routing the event log in this process (0: default 1)")
	fs.DurationVar(&c.SendTimeout, "delivery-timeout", c.SendTimeout, "time limit of one delivery attempt (0: default 30s)")
	fs.DurationVar(&c.AckWait, "delivery-ack-wait", c.AckWait, "silence after which a delivery is handed to another worker (0: default 30s)")
	fs.IntVar(&c.MaxDeliver, "delivery-max-deliver", c.MaxDeliver, "deliveries of one queued batch before its failing jobs are dead-lettered regardless (0: default 1000)")
	fs.IntVar(&c.MaxAckPending, "delivery-max-pending", c.MaxAckPending, "queued batches in flight or waiting to be due, across processes (0: default 20000)")
	fs.DurationVar(&c.BackoffBase, "retry-backoff-base", c.BackoffBase, "first retry delay (0: default 1s)")
	fs.DurationVar(&c.BackoffMax, "retry-backoff-max", c.BackoffMax, "longest retry delay (0: default 10m)")
	fs.DurationVar(&c.DedupWindow, "delivery-dedup-window", c.DedupWindow, "window in which a batch routed twice is queued once (0: default 2m)")
	fs.Int64Var(&c.QueueMaxBytes, "delivery-queue-max-bytes", c.QueueMaxBytes, "size bound of the delivery queue (0: none)")
	fs.DurationVar(&c.DeadLetterMaxAge, "deadletter-max-age", c.DeadLetterMaxAge, "how long dead letters are kept (0: 14 days, negative: forever)")
}

// startRouting starts the router (event log → rules → delivery queue) and
// the delivery workers, registering their shutdown in m.closers: the router
// stops routing first (a batch in flight finishes), then the workers stop
// taking jobs and finish the deliveries in flight. Both run before the
// event log and the JetStream connection close.
func (m *Main) startRouting(ctx context.Context) error {
	rc := m.Config.Routing
	log := m.Log.With("component", "routing")
	evlog, err := m.routingLog(ctx)
	if err != nil {
		return err
	}
	rules, err := m.rulesKV(ctx)
	if err != nil {
		return err
	}
	q, err := m.conn.Queue(ctx, jetstream.QueueConfig{
		Duplicates: rc.DedupWindow, MaxBytes: rc.QueueMaxBytes, AckWait: rc.AckWait,
		MaxDeliver: rc.MaxDeliver, MaxAckPending: rc.MaxAckPending,
	})
	if err != nil {
		return fmt.Errorf("open delivery queue: %w", err)
	}
	dead, err := m.conn.DeadLetters(ctx, jetstream.DeadLetterConfig{MaxAge: rc.DeadLetterMaxAge})
	if err != nil {
		return fmt.Errorf("open dead letters: %w", err)
	}
	jobs := jobQueue{q}

	buses := bustarget.New(bustarget.Config{
		Region: m.Config.Region, Buses: m.stores.Buses, Log: m.stores.Events,
		PolicyAllows: eventbus.PolicyAllows, Now: rc.Now,
	})
	apiDests := httptarget.New(httptarget.Config{
		Resolver: m.service, Deauthorizer: m.service, Now: rc.Now, Log: log,
	})
	kinds := append(delivery.Kinds{buses.Kind(), apiDests.Kind()}, rc.ExtraKinds...)
	ackWait := rc.AckWait
	if ackWait <= 0 {
		ackWait = jetstream.DefaultQueueAckWait
	}
	maxDeliver := rc.MaxDeliver
	if maxDeliver <= 0 {
		maxDeliver = jetstream.DefaultQueueDeliver
	}
	disp := delivery.NewDispatcher(delivery.Config{
		Workers: rc.Workers, SendTimeout: rc.SendTimeout, Heartbeat: ackWait / 3,
		Backoff: delivery.Backoff{Base: rc.BackoffBase, Max: rc.BackoffMax}, MaxDeliver: maxDeliver,
		Now: rc.Now, Log: log,
	}, kinds, deadLetterSink{dead}, jobs)
	disp.Start(jobs)
	m.closers = append(m.closers, disp.Close)

	r := router.New(router.Config{Region: m.Config.Region, Consumers: rc.RouterConsumers, Log: log},
		ruleWatch{rules}, logSource{evlog, log}, jobs)
	if err := r.Start(ctx); err != nil {
		return err
	}
	m.closers = append(m.closers, r.Close)
	if rc.Observe != nil {
		rc.Observe(r.Table())
	}
	return nil
}

// routerFetchWait is how long the router's idle pulls of the event log
// wait, and so how long stopping the router may take.
const routerFetchWait = 250 * time.Millisecond

// routingLog opens the router's handle on the event log: ingest's
// configuration (the stream limits must agree), with a short fetch wait so
// shutdown is prompt. When ingest did not set m.stores.Events (the bus
// target appends there) it is set to this handle.
func (m *Main) routingLog(ctx context.Context) (*jetstream.EventLog, error) {
	cfg := eventLogConfig()
	cfg.FetchWait = routerFetchWait
	l, err := m.conn.EventLog(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	m.closers = append(m.closers, l.Close)
	if m.stores.Events == nil {
		m.stores.Events = eventLog{l}
	}
	return l, nil
}

// rulesKV returns the rules bucket as the JetStream KV it is, for Watch.
func (m *Main) rulesKV(ctx context.Context) (*jetstream.KV, error) {
	if kv, ok := m.stores.Rules.(*jetstream.KV); ok {
		return kv, nil
	}
	kv, err := m.conn.KV(ctx, "rules")
	if err != nil {
		return nil, fmt.Errorf("open bucket rules: %w", err)
	}
	return kv, nil
}

// ruleWatch adapts the rules KV's Watch to router.Rules.
type ruleWatch struct{ kv *jetstream.KV }

func (w ruleWatch) Watch(ctx context.Context) (<-chan router.Change, error) {
	in, err := w.kv.Watch(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan router.Change, 64)
	go func() {
		defer close(out)
		for c := range in { // closed when ctx ends or the connection closes
			var op router.Op
			switch c.Op {
			case jetstream.OpPut:
				op = router.OpPut
			case jetstream.OpDelete:
				op = router.OpDelete
			case jetstream.OpSynced:
				op = router.OpSynced
			default:
				continue
			}
			select {
			case out <- router.Change{Op: op, Entry: c.Entry}:
			case <-ctx.Done():
				for range in { // let the watch goroutine finish
				}
				return
			}
		}
	}()
	return out, nil
}

// logSource adapts the event log's Consume to router.Log, decoding each
// record's event (what eventLog.Append encoded).
type logSource struct {
	l   *jetstream.EventLog
	log *slog.Logger
}

func (s logSource) Consume(ctx context.Context, durable string, handle func(context.Context, []eventbus.BusEvent) error) error {
	var events []eventbus.BusEvent // reused: Consume calls handle from one goroutine
	return s.l.Consume(ctx, durable, func(ctx context.Context, records []jetstream.Record) error {
		events = events[:0]
		for _, r := range records {
			var e eventbus.Event
			if err := e.UnmarshalBinary(r.Data); err != nil {
				s.log.Error("routing: dropping undecodable event log record", "account", r.Account, "bus", r.Bus, "err", err)
				continue
			}
			events = append(events, eventbus.BusEvent{Account: r.Account, Bus: r.Bus, Event: e})
		}
		err := handle(ctx, events)
		clear(events)
		return err
	})
}

// jobQueue adapts the JetStream queue to the router's and the dispatcher's
// view of it: jobs in, delivery.Msg out.
type jobQueue struct{ q *jetstream.Queue }

var (
	_ delivery.Enqueuer = jobQueue{}
	_ delivery.Source   = jobQueue{}
	_ delivery.Msg      = (*jetstream.QueueMsg)(nil)
)

// maxBatchBytes bounds one queued batch message: large enough that a log
// batch's jobs usually travel together, small enough to keep one delivery
// of the batch cheap to redeliver.
const maxBatchBytes = 512 << 10

func (j jobQueue) Enqueue(ctx context.Context, b delivery.Batch) error {
	parts, err := b.Encode(min(maxBatchBytes, j.q.MaxJobBytes()))
	if err != nil {
		return err
	}
	msgs := make([]jetstream.QueueJob, len(parts))
	for i, p := range parts {
		msgs[i] = jetstream.QueueJob{ID: p.ID, Data: p.Data}
	}
	return j.q.Enqueue(ctx, msgs)
}

func (j jobQueue) Consume(ctx context.Context, workers int, handle func(delivery.Msg)) error {
	return j.q.Consume(ctx, workers, func(m *jetstream.QueueMsg) { handle(m) })
}

// deadLetterSink stores delivery's dead letters in the JetStream stream:
// the event as the body, AWS's attributes and switchyard's metadata as
// headers.
type deadLetterSink struct{ d *jetstream.DeadLetters }

func (s deadLetterSink) Put(ctx context.Context, dl delivery.DeadLetter) error {
	headers := dl.Attributes()
	maps.Copy(headers, dl.Metadata())
	return s.d.Put(ctx, jetstream.DeadLetter{ID: dl.ID(), Account: dl.Job.Account, Headers: headers, Body: dl.Job.Event.Envelope})
}
