package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/transform"
	"github.com/switchyard/switchyard/internal/wait"
)

// Dispatcher defaults.
const (
	DefaultWorkers     = 64
	DefaultSendTimeout = 30 * time.Second
	// DefaultHeartbeat suits the queue's default 30 s AckWait: a third of it.
	DefaultHeartbeat = 10 * time.Second
	// DefaultStoreRetry is the pause between attempts to store a dead letter
	// or re-enqueue one, and the delay of the queue redelivery that follows
	// when they keep failing.
	DefaultStoreRetry = 2 * time.Second
	// storeAttempts bounds in-process attempts to store a dead letter.
	storeAttempts = 5
)

// A Msg is one delivery of a queued batch by the queue (its Data is the
// encoded Batch).
type Msg = eventbus.QueueDelivery

// A Source hands queued batches to handle, at most workers at a time, until
// ctx ends; it returns once every handle call it started has returned. An
// eventbus.Queue is one.
type Source interface {
	Consume(ctx context.Context, workers int, handle func(Msg)) error
}

// An Enqueuer durably enqueues a batch, as one queue message or, when it is
// too large for one, several (see Batch.Encode): nil only once every job is
// stored. A batch whose BatchID was enqueued recently is stored once.
type Enqueuer interface {
	Enqueue(ctx context.Context, b Batch) error
}

// Config tunes a Dispatcher; zero fields take the defaults.
type Config struct {
	// Workers is how many sends run at once in this process, and how many
	// batches it works on at once.
	Workers int
	// SendTimeout bounds one Send.
	SendTimeout time.Duration
	// Heartbeat is how often a running send tells the queue it is in
	// progress; keep it well under the queue's ack wait.
	Heartbeat time.Duration
	// Backoff spaces retries.
	Backoff Backoff
	// MaxDeliver is the queue's own bound on deliveries of one message (0:
	// none). On a batch's last allowed delivery it is attempted even before
	// its NotBefore, and a job failing then is dead-lettered whatever its
	// policy says, so the bound never drops a job silently.
	MaxDeliver int
	// StoreRetry: DefaultStoreRetry if zero.
	StoreRetry time.Duration
	// Transform shapes input for kinds that are not RawEvent:
	// TargetInput(transform.NewCache(0)) if nil.
	Transform Transformer
	// Now is the clock (time.Now if nil); Rand returns jitter in [0, 1)
	// (math/rand/v2's Float64 if nil).
	Now  func() time.Time
	Rand func() float64
	// Log receives delivery failures (warn, per target once per
	// FailureLogInterval with a count), dead letters (warn) and deliveries
	// (debug); nil discards.
	Log *slog.Logger
	// FailureLogInterval: DefaultFailureLogInterval if zero.
	FailureLogInterval time.Duration
	// Observer is told every attempt and dead letter (nil: nothing is).
	Observer Observer
	// BusLog, if set, writes the invocation records of buses that log.
	BusLog BusLog
	// Delivered, if set, is told the bus (owner account and name) of
	// every job delivered, once its target has it. Called from many
	// goroutines at once; it must not block.
	Delivered func(account, bus string)
}

// ForQueue returns c with the settings a queue dictates filled in where c
// leaves them zero: a heartbeat of a third of its ack wait (two beats may
// be lost before the batch is handed to another worker), and its bound on
// deliveries.
func (c Config) ForQueue(l eventbus.QueueLimits) Config {
	if c.Heartbeat <= 0 && l.AckWait > 0 {
		c.Heartbeat = l.AckWait / 3
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = l.MaxDeliver
	}
	return c
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = DefaultSendTimeout
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.StoreRetry <= 0 {
		c.StoreRetry = DefaultStoreRetry
	}
	c.Backoff = c.Backoff.withDefaults()
	if c.Transform == nil {
		c.Transform = TargetInput(transform.NewCache(0))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.FailureLogInterval <= 0 {
		c.FailureLogInterval = DefaultFailureLogInterval
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	return c
}

// A Dispatcher delivers queued batches of jobs to their targets with
// at-least-once semantics: it acknowledges a batch only once each of its
// jobs was delivered, queued again for a retry, or stored as a dead letter.
// Failures are retried within the target's RetryPolicy, with backoff and
// jitter, as a new batch that the queue hands back (Msg.Retry) until its
// NotBefore; an exhausted or non-retryable job is stored in the
// DeadLetterStore and, when the target has a DeadLetterArn of a kind in
// Kinds, enqueued again for that ARN.
//
// Handle may run on any number of goroutines. Start and Close run workers
// over a Source; call Close once, after Start.
type Dispatcher struct {
	cfg     Config
	kinds   Kinds
	dead    DeadLetterStore
	requeue Enqueuer
	sends   chan struct{} // a token per send running
	fails   *failureLog

	stop     context.CancelFunc // ends Consume: no new jobs
	hardStop context.CancelFunc // cancels sends in flight
	workCtx  context.Context    // cancelled by hardStop
	done     chan struct{}      // closed when the Start goroutine exits
	once     sync.Once
	running  atomic.Bool // between Start and Close, while the queue's consumer runs
}

// NewDispatcher returns a Dispatcher delivering to kinds, storing dead
// letters in dead and enqueueing retries and dead-letter forwards on
// requeue. All of them are required.
func NewDispatcher(cfg Config, kinds Kinds, dead DeadLetterStore, requeue Enqueuer) *Dispatcher {
	cfg = cfg.withDefaults()
	d := &Dispatcher{cfg: cfg, kinds: kinds, dead: dead, requeue: requeue, sends: make(chan struct{}, cfg.Workers), done: make(chan struct{}),
		fails: newFailureLog(cfg.Log, cfg.FailureLogInterval)}
	d.workCtx, d.hardStop = context.WithCancel(context.Background())
	return d
}

// Start consumes src with Config.Workers workers in the background until
// Close. If Consume fails (the queue is unavailable) it is called again
// after a pause. Every FailureLogInterval (wall time) it writes the
// failure lines of targets whose interval is over.
func (d *Dispatcher) Start(src Source) {
	ctx, stop := context.WithCancel(context.Background())
	d.stop = stop
	stopFlush := wait.Heartbeat(d.cfg.FailureLogInterval, func() { d.flushFailureLog(d.cfg.Now()) })
	go func() {
		defer stopFlush()
		defer close(d.done)
		for ctx.Err() == nil {
			d.running.Store(true)
			err := src.Consume(ctx, d.cfg.Workers, func(m Msg) { d.Handle(d.workCtx, m) })
			d.running.Store(false)
			if err != nil && ctx.Err() == nil {
				d.cfg.Log.Error("delivery: queue consumer stopped; restarting", "err", err)
				_ = wait.Sleep(ctx, time.Second)
			}
		}
	}()
}

// Running reports whether the dispatcher is consuming its queue: Start was
// called, Close was not, and the queue's consumer has not failed without
// being started again.
func (d *Dispatcher) Running() bool { return d.running.Load() }

// Close stops taking jobs, lets the sends in flight finish, and returns
// once the workers have stopped. If ctx ends first it cancels the sends in
// flight (their jobs are redelivered later: at least once) and returns
// ctx's error after they have returned.
func (d *Dispatcher) Close(ctx context.Context) error {
	var err error
	d.once.Do(func() {
		if d.stop == nil { // never started
			d.hardStop()
			close(d.done)
			return
		}
		d.stop()
		select {
		case <-d.done:
		case <-ctx.Done():
			err = ctx.Err()
			d.hardStop()
			<-d.done
		}
		d.hardStop()
	})
	d.fails.flush(time.Time{}, true)
	return err
}

// flushFailureLog writes the failure lines of targets whose interval is over
// at now.
func (d *Dispatcher) flushFailureLog(now time.Time) { d.fails.flush(now, false) }
