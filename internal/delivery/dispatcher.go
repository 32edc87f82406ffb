package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Dispatcher defaults.
const (
	DefaultWorkers     = 16
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

// A Msg is one delivery of a job by the queue. The queue redelivers it after
// its ack wait unless it is acknowledged, or told to retry later, first.
type Msg interface {
	// Data is the encoded Job.
	Data() []byte
	// Delivered counts deliveries of this job so far, this one included
	// (1 on the first).
	Delivered() int
	// Ack removes the job from the queue; it returns once the queue has
	// recorded that (an error means the job may come again).
	Ack(ctx context.Context) error
	// Retry asks for a redelivery after delay.
	Retry(delay time.Duration) error
	// InProgress restarts the ack wait while a slow send runs.
	InProgress() error
}

// A Source hands queued jobs to handle, at most workers at a time, until ctx
// ends; it returns once every handle call it started has returned.
type Source interface {
	Consume(ctx context.Context, workers int, handle func(Msg)) error
}

// An Enqueuer durably enqueues jobs: nil only once every job is stored.
// Jobs whose MsgID was enqueued recently are stored once.
type Enqueuer interface {
	Enqueue(ctx context.Context, jobs []Job) error
}

// Config tunes a Dispatcher; zero fields take the defaults.
type Config struct {
	// Workers is how many deliveries run at once in this process.
	Workers int
	// SendTimeout bounds one Send.
	SendTimeout time.Duration
	// Heartbeat is how often a running send tells the queue it is in
	// progress; keep it well under the queue's ack wait.
	Heartbeat time.Duration
	// Backoff spaces retries.
	Backoff Backoff
	// MaxDeliver is the queue's own bound on deliveries of one job (0: none).
	// A job failing on its last allowed delivery is dead-lettered whatever
	// its policy says, so the bound never drops a job silently.
	MaxDeliver int
	// StoreRetry: DefaultStoreRetry if zero.
	StoreRetry time.Duration
	// Transform shapes input for kinds that are not RawEvent:
	// TransformFunc(BasicTransform) if nil.
	Transform Transformer
	// Now is the clock (time.Now if nil); Rand returns jitter in [0, 1)
	// (math/rand/v2's Float64 if nil).
	Now  func() time.Time
	Rand func() float64
	// Log receives delivery failures (warn), dead letters (warn) and
	// deliveries (debug); nil discards.
	Log *slog.Logger
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
		c.Transform = TransformFunc(BasicTransform)
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
	return c
}

// A Dispatcher delivers queued jobs to their targets with at-least-once
// semantics: it acknowledges a job only once its Sender succeeded or the
// job is stored as a dead letter. Failures are retried through the queue's
// redelivery (Msg.Retry with backoff and jitter) within the target's
// RetryPolicy; an exhausted or non-retryable job is stored in the
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

	stop     context.CancelFunc // ends Consume: no new jobs
	hardStop context.CancelFunc // cancels sends in flight
	workCtx  context.Context    // cancelled by hardStop
	done     chan struct{}      // closed when the Start goroutine exits
	once     sync.Once
}

// NewDispatcher returns a Dispatcher delivering to kinds, storing dead
// letters in dead and enqueueing dead-letter forwards on requeue.
func NewDispatcher(cfg Config, kinds Kinds, dead DeadLetterStore, requeue Enqueuer) *Dispatcher {
	d := &Dispatcher{cfg: cfg.withDefaults(), kinds: kinds, dead: dead, requeue: requeue, done: make(chan struct{})}
	d.workCtx, d.hardStop = context.WithCancel(context.Background())
	return d
}

// Start consumes src with Config.Workers workers in the background until
// Close. If Consume fails (the queue is unavailable) it is called again
// after a pause.
func (d *Dispatcher) Start(src Source) {
	ctx, stop := context.WithCancel(context.Background())
	d.stop = stop
	go func() {
		defer close(d.done)
		for ctx.Err() == nil {
			err := src.Consume(ctx, d.cfg.Workers, func(m Msg) { d.Handle(d.workCtx, m) })
			if err != nil && ctx.Err() == nil {
				d.cfg.Log.Error("delivery: queue consumer stopped; restarting", "err", err)
				sleep(ctx, time.Second)
			}
		}
	}()
}

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
	return err
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
