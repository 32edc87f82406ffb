package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/wait"
)

// Router defaults.
const (
	// DefaultDurable is the event-log consumer every switchyard process
	// shares, so each log batch is routed by one of them.
	DefaultDurable        = "switchyard-router"
	DefaultConsumers      = 1
	DefaultEnqueueTimeout = 30 * time.Second
	// rewatchDelay is the pause before watching the rules again after the
	// watch ended on its own (connection lost).
	rewatchDelay = time.Second
)

// Rules watches the rules KV: the current value of every rule as OpPut,
// then one OpSynced, then every later put and delete, until ctx ends or the
// watch fails (the channel closes).
type Rules interface {
	Watch(ctx context.Context, prefix ...string) (<-chan Change, error)
}

// Log is the durable event log routing reads (an eventbus.EventStream).
type Log = eventbus.EventStream

var _ Rules = (*eventbus.Records[eventbus.Rule])(nil)

// Config tunes a Router; zero fields take the defaults.
type Config struct {
	// Region makes rule ARNs.
	Region string
	// Durable: DefaultDurable if empty.
	Durable string
	// Consumers is how many goroutines of this process consume the log:
	// DefaultConsumers if zero.
	Consumers int
	// EnqueueTimeout bounds enqueueing one log batch's jobs.
	EnqueueTimeout time.Duration
	// Now stamps jobs (EnqueuedAt): time.Now if nil.
	Now func() time.Time
	// Log: nil discards.
	Log *slog.Logger
	// Observer is told what routing matched (nil: nothing is).
	Observer Observer
	// BusLog, if set, writes the rule-match records of buses that log.
	BusLog BusLog
	// Inline, if set, completes the jobs of the targets it accepts itself,
	// before the rest of a log batch's jobs are queued (see Inline).
	Inline Inline
}

// An Inline target kind is completed by the router in the log batch's own
// step instead of going through the delivery queue: a kind whose delivery
// is one durable write in switchyard's own storage (archives), for which a
// queued job, a worker and an acknowledgement would cost more than the
// write. Deliver returns nil once every job is durable; an error keeps the
// log batch, which is routed again (at least once).
type Inline interface {
	Accepts(targetArn string) bool
	Deliver(ctx context.Context, jobs []delivery.Job) error
}

// A BusLog writes the log records of buses whose LogConfig sets a level.
// Enabled is asked once per routed event and must be cheap; Routed, only
// when it said yes, is given the event and its jobs (a rule's jobs are
// adjacent). Called from the router's consumers; must not block.
type BusLog interface {
	Enabled(account, bus string) bool
	Routed(ev eventbus.BusEvent, jobs []delivery.Job)
}

// An Observer is told, for metrics, how many events of a bus were routed
// and how many rule matches they made (an event matching two rules with
// targets counts two; a rule's targets count once), once per run of consecutive events of
// one bus in a log batch. Called from the router's consumers; it must not
// block.
type Observer interface {
	Routed(account, bus string, events, matches int)
}

type noObserver struct{}

func (noObserver) Routed(string, string, int, int) {}

func (c Config) withDefaults() Config {
	if c.Durable == "" {
		c.Durable = DefaultDurable
	}
	if c.Consumers <= 0 {
		c.Consumers = DefaultConsumers
	}
	if c.EnqueueTimeout <= 0 {
		c.EnqueueTimeout = DefaultEnqueueTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	return c
}

// A Router routes the event log to the delivery queue: it keeps every bus's
// rules in a Table fed by the rules watch, and for each batch the log hands
// it (one log message, or several when routing fell behind) enqueues one
// delivery batch holding a job per target of every enabled rule each event
// matches, acknowledging the log messages only once their jobs are durably
// queued. A crash in between re-routes them; the queue drops the repeated
// delivery batch by its BatchID within its de-duplication window when the
// same messages come back together, and otherwise the jobs are delivered
// again (at least once).
//
// Routing runs from the log only: it never waits for ingest, and ingest
// never waits for it. Start once, then Close once.
type Router struct {
	cfg   Config
	table *Table
	rules Rules
	log   Log
	queue delivery.Enqueuer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	// consuming counts the consumers of the log running now (between a
	// Consume call and its return).
	consuming atomic.Int32
}

// New returns a Router; nothing runs until Start.
func New(cfg Config, rules Rules, log Log, queue delivery.Enqueuer) *Router {
	cfg = cfg.withDefaults()
	return &Router{cfg: cfg, table: NewTable(cfg.Region, cfg.Log), rules: rules, log: log, queue: queue}
}

// Table returns the router's rule table.
func (r *Router) Table() *Table { return r.table }

// Start watches the rules, waits until the table holds every rule present
// now (so no event is routed against a partial rule set), then consumes the
// log in the background. It returns an error if the watch cannot start or
// ctx ends before the rules are loaded.
func (r *Router) Start(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(context.Background())
	changes, err := r.rules.Watch(runCtx)
	if err != nil {
		cancel()
		return fmt.Errorf("router: watch rules: %w", err)
	}
	if err := r.load(ctx, changes); err != nil {
		cancel()
		return err
	}
	r.cancel = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.watch(runCtx, changes)
	}()
	for range r.cfg.Consumers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.consume(runCtx)
		}()
	}
	return nil
}

// load applies changes up to OpSynced and publishes them.
func (r *Router) load(ctx context.Context, changes <-chan Change) error {
	for {
		select {
		case c, ok := <-changes:
			if !ok {
				return errors.New("router: rules watch ended before the initial rules were loaded")
			}
			r.table.Apply(c)
			if c.Op == eventbus.OpSynced {
				r.table.Publish()
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("router: loading rules: %w", ctx.Err())
		}
	}
}

// watch applies rule changes until ctx ends, publishing after each run of
// changes that arrived together; if the watch ends on its own it watches
// again (a resync: rules deleted meanwhile are dropped).
func (r *Router) watch(ctx context.Context, changes <-chan Change) {
	for ctx.Err() == nil {
		r.follow(ctx, changes)
		for ctx.Err() == nil {
			_ = wait.Sleep(ctx, rewatchDelay)
			var err error
			if changes, err = r.rules.Watch(ctx); err == nil {
				r.cfg.Log.Warn("router: rules watch restarted")
				r.table.BeginResync()
				break
			}
			if ctx.Err() == nil {
				r.cfg.Log.Error("router: rules watch failed; routing with the rules already loaded", "err", err)
			}
		}
	}
}

// follow applies changes until the channel closes or ctx ends.
func (r *Router) follow(ctx context.Context, changes <-chan Change) {
	for {
		var c Change
		var ok bool
		select {
		case c, ok = <-changes:
		case <-ctx.Done():
			return
		}
		if !ok {
			return
		}
		r.table.Apply(c)
		for more := true; more; { // batch what is already waiting
			select {
			case c, ok = <-changes:
				if !ok {
					r.table.Publish()
					return
				}
				r.table.Apply(c)
			default:
				more = false
			}
		}
		r.table.Publish()
	}
}

// consume runs one log consumer until ctx ends, restarting it if it fails.
func (r *Router) consume(ctx context.Context) {
	var sc Scratch
	var jobs, inline []delivery.Job
	handle := func(ctx context.Context, events []eventbus.BusEvent) error {
		jobs = r.route(events, &sc, jobs[:0])
		if len(jobs) == 0 {
			return nil
		}
		// Finish the batch even if shutdown starts now: its jobs are worth
		// keeping, and the log acks only after this returns nil.
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.EnqueueTimeout)
		defer cancel()
		defer func() { clear(jobs); clear(inline) }() // drop references to the batch's events
		if r.cfg.Inline != nil {
			jobs, inline = splitInline(r.cfg.Inline, jobs, inline[:0])
			if len(inline) > 0 {
				if err := r.cfg.Inline.Deliver(ectx, inline); err != nil {
					return err
				}
			}
			if len(jobs) == 0 {
				return nil
			}
		}
		return r.queue.Enqueue(ectx, delivery.Batch{Jobs: jobs})
	}
	for ctx.Err() == nil {
		r.consuming.Add(1)
		err := r.log.Consume(ctx, r.cfg.Durable, handle)
		r.consuming.Add(-1)
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Error("router: event log consumer stopped; restarting", "err", err)
			_ = wait.Sleep(ctx, time.Second)
		}
	}
}

// route appends the jobs of every event in events to jobs. An event whose
// envelope is not a JSON object cannot match anything: it is logged and
// skipped.
func (r *Router) route(events []eventbus.BusEvent, sc *Scratch, jobs []delivery.Job) []delivery.Job {
	now := r.cfg.Now()
	run, matches := 0, 0 // the run of events of one bus being counted
	for i := range events {
		if i > 0 && (events[i].Account != events[run].Account || events[i].Bus != events[run].Bus) {
			r.cfg.Observer.Routed(events[run].Account, events[run].Bus, i-run, matches)
			run, matches = i, 0
		}
		from := len(jobs)
		var err error
		if jobs, err = r.table.Route(events[i], now, sc, jobs); err != nil {
			r.cfg.Log.Error("router: event does not parse; not routed", "event", events[i].Event.ID,
				"account", events[i].Account, "bus", events[i].Bus, "err", err)
		}
		matches += rulesIn(jobs[from:])
		if bl := r.cfg.BusLog; bl != nil && err == nil && bl.Enabled(events[i].Account, events[i].Bus) {
			bl.Routed(events[i], jobs[from:])
		}
	}
	if len(events) > 0 {
		r.cfg.Observer.Routed(events[run].Account, events[run].Bus, len(events)-run, matches)
	}
	return jobs
}

// splitInline moves the jobs in accepts out of jobs into inline, keeping
// the order of both, and returns both.
func splitInline(in Inline, jobs, inline []delivery.Job) ([]delivery.Job, []delivery.Job) {
	kept := jobs[:0]
	for _, j := range jobs {
		if in.Accepts(j.Target.Arn) {
			inline = append(inline, j)
		} else {
			kept = append(kept, j)
		}
	}
	clear(jobs[len(kept):])
	return kept, inline
}

// rulesIn counts the rules of one event's jobs: a rule's jobs are
// adjacent.
func rulesIn(jobs []delivery.Job) int {
	n := 0
	for i := range jobs {
		if i == 0 || jobs[i].RuleArn != jobs[i-1].RuleArn {
			n++
		}
	}
	return n
}

// Running reports whether every consumer of the log is running: Start
// returned nil, Close was not called, and none of them has failed without
// being started again.
func (r *Router) Running() bool {
	return int(r.consuming.Load()) == r.cfg.Consumers
}

// Close stops consuming the log and watching the rules: a batch being
// routed finishes (its jobs are enqueued and it is acknowledged, or it is
// redelivered later). It returns once everything stopped, or ctx's error
// if ctx ends first.
func (r *Router) Close(ctx context.Context) error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
