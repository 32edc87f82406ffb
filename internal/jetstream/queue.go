package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/wait"
)

// Defaults applied by Queue to zero QueueConfig fields.
const (
	DefaultQueueStream   = "SWITCHYARD_DELIVERIES"
	DefaultQueueSubject  = "switchyard.deliveries"
	DefaultQueueDurable  = "switchyard-delivery"
	DefaultQueueDupes    = 2 * time.Minute
	DefaultQueueAckWait  = 30 * time.Second
	DefaultQueueDeliver  = 1000
	DefaultQueuePending  = 20000
	DefaultQueueInflight = 512
)

// QueueConfig shapes the delivery queue stream and its shared consumer.
type QueueConfig struct {
	// Stream and Subject: DefaultQueueStream and DefaultQueueSubject if
	// empty. Durable is the consumer every process shares:
	// DefaultQueueDurable if empty.
	Stream  string
	Subject string
	Durable string
	// Duplicates is the stream's de-duplication window: a job enqueued again
	// with the same id within it is stored once. DefaultQueueDupes if zero.
	// It must outlast a crashed router's redelivery (the event log's
	// AckWait) for a re-routed batch not to deliver twice.
	Duplicates time.Duration
	// MaxBytes the queue may hold; 0: no limit. When full, Enqueue fails
	// (the router then keeps the log batch and retries): jobs already
	// stored are never dropped to make room.
	MaxBytes int64
	// AckWait is how long a delivery may go without an ack, a retry request
	// or an in-progress signal before the job is redelivered:
	// DefaultQueueAckWait if zero.
	AckWait time.Duration
	// MaxDeliver bounds deliveries of one job: DefaultQueueDeliver if zero.
	// Far above the 186 attempts a retry policy allows, it only stops a job
	// whose verdict cannot be stored from looping forever; a job past it
	// stays in the stream, undelivered.
	MaxDeliver int
	// MaxAckPending bounds jobs delivered and not yet acknowledged across
	// all processes, including jobs waiting out a retry delay:
	// DefaultQueuePending if zero. When reached, no further job is
	// delivered until one is settled.
	MaxAckPending int
	// FetchWait is how long one pull waits for jobs before the next:
	// DefaultFetchWait if zero. Consume notices its ctx ending at once.
	FetchWait time.Duration
	// PublishTimeout bounds one Enqueue: DefaultPublishTimeout if zero.
	PublishTimeout time.Duration
	// Inflight bounds the asynchronous publishes of one Enqueue awaiting
	// their acknowledgement: DefaultQueueInflight if zero.
	Inflight int
}

func (cfg QueueConfig) withDefaults() QueueConfig {
	str := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	num := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	str(&cfg.Stream, DefaultQueueStream)
	str(&cfg.Subject, DefaultQueueSubject)
	str(&cfg.Durable, DefaultQueueDurable)
	dur(&cfg.Duplicates, DefaultQueueDupes)
	dur(&cfg.AckWait, DefaultQueueAckWait)
	dur(&cfg.FetchWait, DefaultFetchWait)
	dur(&cfg.PublishTimeout, DefaultPublishTimeout)
	num(&cfg.MaxDeliver, DefaultQueueDeliver)
	num(&cfg.MaxAckPending, DefaultQueuePending)
	num(&cfg.Inflight, DefaultQueueInflight)
	return cfg
}

// A Queue is the durable work queue of delivery jobs: a work-queue stream
// (a job is removed once acknowledged) on one subject, consumed through one
// durable pull consumer that every process shares, so each job is worked on
// by one worker at a time. Retries are JetStream redeliveries: a worker asks
// for one with Retry (a delayed nak), and a worker that dies is replaced
// after AckWait. Jobs are opaque bytes with a de-duplication id.
//
// Safe for concurrent use. It needs no Close; stop Consume with its ctx.
type Queue struct {
	cfg    QueueConfig
	js     jetstream.JetStream // own handle: async publish limits
	stream jetstream.Stream
	log    *slog.Logger
	// maxBytes bounds one job's Data: the server's max payload less room
	// for headers.
	maxBytes int
}

var (
	_ eventbus.Queue         = (*Queue)(nil)
	_ eventbus.QueueDelivery = (*QueueMsg)(nil)
)

// A QueueJob is one job to enqueue: ID is its de-duplication id
// (Nats-Msg-Id), Data its encoding.
type QueueJob = eventbus.QueueMessage

// Queue creates the stream cfg describes, or binds to it and updates its
// limits.
func (c *Conn) Queue(ctx context.Context, cfg QueueConfig) (*Queue, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(c.nc,
		jetstream.WithPublishAsyncMaxPending(4*cfg.Inflight),
		jetstream.WithPublishAsyncTimeout(cfg.PublishTimeout))
	if err != nil {
		return nil, fmt.Errorf("jetstream: queue: %w", err)
	}
	maxBytes := cfg.MaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	stream, err := c.ensure(ctx, js, jetstream.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{cfg.Subject},
		Storage:    jetstream.FileStorage,
		Replicas:   c.cfg.Replicas,
		Retention:  jetstream.WorkQueuePolicy,
		MaxBytes:   maxBytes,
		Discard:    jetstream.DiscardNew,
		Duplicates: cfg.Duplicates,
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: queue stream %q: %w", cfg.Stream, err)
	}
	return &Queue{cfg: cfg, js: js, stream: stream, log: c.log.With("stream", cfg.Stream),
		maxBytes: int(c.nc.MaxPayload()) - 4096}, nil // room for headers
}

// OpenQueue binds to the existing delivery queue stream without changing
// it, for tools that enqueue jobs (redrive) next to a running server; cfg
// names the stream and subject and bounds publishes.
func (c *Conn) OpenQueue(ctx context.Context, cfg QueueConfig) (*Queue, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(c.nc, jetstream.WithPublishAsyncMaxPending(4*cfg.Inflight),
		jetstream.WithPublishAsyncTimeout(cfg.PublishTimeout))
	if err != nil {
		return nil, fmt.Errorf("jetstream: queue: %w", err)
	}
	stream, err := js.Stream(ctx, cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("jetstream: queue stream %q: %w", cfg.Stream, err)
	}
	return &Queue{cfg: cfg, js: js, stream: stream, log: c.log.With("stream", cfg.Stream),
		maxBytes: int(c.nc.MaxPayload()) - 4096}, nil
}

// MaxJobBytes is the largest Data one QueueJob may carry.
func (q *Queue) MaxJobBytes() int { return q.maxBytes }

// Limits implements eventbus.Queue: the largest job, the ack wait and the
// delivery bound this queue's consumer runs with.
func (q *Queue) Limits() eventbus.QueueLimits {
	return eventbus.QueueLimits{MaxMessageBytes: q.maxBytes, AckWait: q.cfg.AckWait, MaxDeliver: q.cfg.MaxDeliver}
}

// Enqueue stores jobs and returns nil only once every one is in the stream
// (acknowledged by JetStream, after fsync) or was found there already
// within the de-duplication window. On an error some jobs may be stored;
// enqueueing them again with the same ids is harmless within the window.
// Publishes are pipelined, at most Inflight awaiting acknowledgement.
func (q *Queue) Enqueue(ctx context.Context, jobs []QueueJob) error {
	ctx, cancel := context.WithTimeout(ctx, q.cfg.PublishTimeout)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, min(len(jobs), q.cfg.Inflight))
	for i := range jobs {
		f, err := q.js.PublishMsgAsync(&nats.Msg{Subject: q.cfg.Subject, Data: jobs[i].Data}, jetstream.WithMsgID(jobs[i].ID))
		if err != nil {
			return fmt.Errorf("jetstream: enqueue: %w", err)
		}
		futures = append(futures, f)
		if len(futures) == cap(futures) || i == len(jobs)-1 {
			if err := awaitAcks(ctx, futures); err != nil {
				return err
			}
			futures = futures[:0]
		}
	}
	return nil
}

// awaitAcks waits for every future's acknowledgement.
func awaitAcks(ctx context.Context, futures []jetstream.PubAckFuture) error {
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("jetstream: enqueue: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("jetstream: enqueue: %w", ctx.Err())
		}
	}
	return nil
}

// Len returns the number of jobs in the queue (delivered or not, waiting
// for a retry included).
func (q *Queue) Len(ctx context.Context) (uint64, error) {
	info, err := q.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("jetstream: queue info: %w", err)
	}
	return info.State.Msgs, nil
}

// Consume hands jobs to handle through the shared durable consumer (created
// or updated here), with at most workers calls running at once, until ctx
// ends; it returns after every handle call has returned. It returns an
// error if the consumer cannot be created or the stream goes away.
//
// handle must settle the message (Ack, Retry) or leave it to AckWait. A
// message received after ctx ended is handed back at once. The message's
// Data is valid until handle returns.
func (q *Queue) Consume(ctx context.Context, workers int, handle func(eventbus.QueueDelivery)) error {
	workers = max(workers, 1)
	cons, err := q.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       q.cfg.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       q.cfg.AckWait,
		MaxDeliver:    q.cfg.MaxDeliver,
		MaxAckPending: q.cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: q.cfg.Subject,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("jetstream: queue consumer %q: %w", q.cfg.Durable, err)
	}
	slots := make(chan struct{}, workers) // a token per running handle
	var wg sync.WaitGroup
	defer wg.Wait()
	var backoff pullBackoff
	for ctx.Err() == nil {
		n := acquire(ctx, slots, workers)
		if n == 0 {
			return nil
		}
		// The fetch ends at FetchWait or as soon as ctx does, so stopping
		// does not wait for an idle pull to expire.
		fctx, cancel := context.WithTimeout(ctx, q.cfg.FetchWait)
		batch, err := cons.Fetch(n, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			release(slots, n)
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Errorf("jetstream: queue consumer %q: %w", q.cfg.Durable, err)
			}
			q.log.Warn("jetstream: queue fetch failed", "err", err)
			_ = wait.Sleep(ctx, time.Second)
			continue
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			if ctx.Err() != nil {
				// Handed back for when this pull has expired: at once, it
				// would come back to the pull still open. AckWait covers a
				// lost Nak.
				_ = msg.NakWithDelay(q.cfg.FetchWait)
				release(slots, 1)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer release(slots, 1)
				handle(newQueueMsg(msg, q.cfg.PublishTimeout))
			}()
		}
		cancel()
		release(slots, n-got)
		// A pull that expired idle ends with fctx's deadline: not an error.
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			q.log.Debug("jetstream: queue fetch ended", "consumer", q.cfg.Durable, "err", err)
			backoff.wait(ctx, got)
		} else {
			backoff.reset()
		}
	}
	return nil
}

// acquire takes one slot, waiting for it, then as many more as are free up
// to limit; it returns how many it took (0 when ctx ended first).
func acquire(ctx context.Context, slots chan struct{}, limit int) int {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < limit {
		select {
		case slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

func release(slots chan struct{}, n int) {
	for range n {
		<-slots
	}
}

// A QueueMsg is one delivery of a job. Its methods are safe to call from
// the handling goroutine and a heartbeat goroutine at once.
type QueueMsg struct {
	msg        jetstream.Msg
	delivered  int
	ackTimeout time.Duration
}

func newQueueMsg(msg jetstream.Msg, ackTimeout time.Duration) *QueueMsg {
	m := &QueueMsg{msg: msg, delivered: 1, ackTimeout: ackTimeout}
	if md, err := msg.Metadata(); err == nil && md.NumDelivered > 0 {
		m.delivered = int(md.NumDelivered)
	}
	return m
}

// Data is the job's encoding.
func (m *QueueMsg) Data() []byte { return m.msg.Data() }

// Delivered counts deliveries of this job, this one included.
func (m *QueueMsg) Delivered() int { return m.delivered }

// Ack removes the job from the queue and waits for the server to confirm,
// at most the queue's PublishTimeout: a confirmation lost while the stream's
// leader moves to another node would otherwise be awaited as long as ctx
// lasts. An unconfirmed ack is an error, and the job may come again.
func (m *QueueMsg) Ack(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.ackTimeout)
	defer cancel()
	return m.msg.DoubleAck(ctx)
}

// Retry asks for a redelivery after delay (a nak with delay).
func (m *QueueMsg) Retry(delay time.Duration) error {
	if delay <= 0 {
		return m.msg.Nak()
	}
	return m.msg.NakWithDelay(delay)
}

// InProgress restarts the job's AckWait.
func (m *QueueMsg) InProgress() error { return m.msg.InProgress() }
