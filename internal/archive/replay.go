package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/wait"
)

// DefaultReplayBatch is how many archived events a replay reads between
// two progress records.
const DefaultReplayBatch = 256

// A RouteFunc appends to dst the delivery jobs of ev on its bus's current
// rules, enqueued at now, and returns the extended slice (the router's
// table does this).
type RouteFunc func(ev eventbus.BusEvent, now time.Time, dst []delivery.Job) ([]delivery.Job, error)

// ReplayConfig is what a Replayer needs; zero optional fields take
// defaults.
type ReplayConfig struct {
	// Region names rules in FilterArns.
	Region   string
	Replays  *eventbus.Records[eventbus.Replay]
	Archives *eventbus.Records[eventbus.Archive]
	// Events are the archives' events.
	Events eventbus.ArchiveLog
	// Queue holds replays to run, shared by every process.
	Queue eventbus.Queue
	// Route matches replayed events against the bus's rules; Jobs is where
	// the resulting deliveries go.
	Route RouteFunc
	Jobs  delivery.Enqueuer
	// Workers: replays this process runs at once (default 2).
	Workers int
	// Batch: archived events read between progress records (default
	// DefaultReplayBatch).
	Batch int
	// Now is the clock (replay end times, the IngestedAt of replayed
	// events): time.Now if nil.
	Now func() time.Time
	Log *slog.Logger
}

// A Replayer runs replays: Run takes the replays any process's Starter
// queued and runs them until Close.
type Replayer struct {
	cfg  ReplayConfig
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

// NewReplayer returns a Replayer; Run starts it.
func NewReplayer(cfg ReplayConfig) *Replayer {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultReplayBatch
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Replayer{cfg: cfg, log: log.With("component", "replay"), done: make(chan struct{})}
}

// replayJob is a queued replay: which record to run.
type replayJob struct {
	Account string `json:"account"`
	Name    string `json:"name"`
}

// A Starter queues replays for the Replayers of every process.
type Starter struct{ Queue eventbus.Queue }

// Start implements api.Replayer: it queues the replay (account, name),
// whose record is stored, for some process to run.
func (s Starter) Start(ctx context.Context, account, name string) error {
	data, err := json.Marshal(replayJob{Account: account, Name: name})
	if err != nil {
		return err
	}
	return s.Queue.Enqueue(ctx, []eventbus.QueueMessage{{ID: "replay/" + account + "/" + name, Data: data}})
}

// Run starts taking queued replays in the background until Close.
func (r *Replayer) Run() {
	ctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go func() {
		defer close(r.done)
		for ctx.Err() == nil {
			err := r.cfg.Queue.Consume(ctx, r.cfg.Workers, func(d eventbus.QueueDelivery) { r.handle(ctx, d) })
			if err != nil && ctx.Err() == nil {
				r.log.Error("replay: queue consumer stopped; restarting", "err", err)
				_ = wait.Sleep(ctx, time.Second)
			}
		}
	}()
}

// Close stops running replays and returns once they have stopped (their
// progress is recorded; another process, or this one restarted, carries on)
// or ctx ends.
func (r *Replayer) Close(ctx context.Context) error {
	var err error
	r.once.Do(func() {
		if r.stop == nil {
			close(r.done)
			return
		}
		r.stop()
		select {
		case <-r.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	})
	return err
}

// handle runs one queued replay to its end, or leaves it queued for a
// retry after a failure that may pass (storage unreachable).
func (r *Replayer) handle(ctx context.Context, d eventbus.QueueDelivery) {
	var job replayJob
	if err := json.Unmarshal(d.Data(), &job); err != nil {
		r.log.Error("replay: undecodable job dropped", "err", err)
		_ = d.Ack(ctx)
		return
	}
	log := r.log.With("account", job.Account, "replay", job.Name)
	stopBeat := wait.Heartbeat(r.heartbeat(), func() { _ = d.InProgress() })
	err := r.run(ctx, job.Account, job.Name)
	stopBeat()
	switch {
	case ctx.Err() != nil:
		// Stopping: handed back for another process (or this one
		// restarted) to carry on from the recorded progress. Not at once:
		// a pull this process still has open at the server would take it
		// back and hold it for the whole ack wait.
		_ = d.Retry(handBackDelay)
	case err != nil:
		log.Warn("replay: interrupted; retrying", "err", err)
		_ = d.Retry(5 * time.Second)
	default:
		if err := d.Ack(ctx); err != nil {
			log.Warn("replay: finished, but its job could not be acknowledged", "err", err)
		}
	}
}

// handBackDelay is how long a replay handed back on stopping waits before
// another delivery: longer than a queue pull stays open.
const handBackDelay = 3 * time.Second

// heartbeat is how often a running replay keeps its ack wait open.
func (r *Replayer) heartbeat() time.Duration {
	if w := r.cfg.Queue.Limits().AckWait; w > 0 {
		return max(w/3, 10*time.Millisecond)
	}
	return 10 * time.Second
}

// errCancelled stops a replay that was asked to stop.
var errCancelled = errors.New("archive: replay cancelled")

// run runs the replay (account, name) from its recorded position. It
// returns nil once the replay has reached a final state, or an error for a
// failure that may pass.
func (r *Replayer) run(ctx context.Context, account, name string) error {
	rec, _, err := r.cfg.Replays.Get(ctx, account, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !rec.Active() {
		return nil
	}
	if rec.State == eventbus.ReplayCancelling {
		return r.finish(ctx, rec, eventbus.ReplayCancelled, "")
	}
	a, _, err := r.cfg.Archives.Get(ctx, account, rec.Archive)
	if errors.Is(err, eventbus.ErrNotFound) {
		return r.finish(ctx, rec, eventbus.ReplayFailed, "Archive "+rec.Archive+" does not exist.")
	}
	if err != nil {
		return err
	}
	if rec.State == eventbus.ReplayStarting {
		st, err := r.cfg.Events.Stats(ctx, a.ID())
		if errors.Is(err, eventbus.ErrNoArchive) {
			return r.finish(ctx, rec, eventbus.ReplayFailed, "Archive "+rec.Archive+" does not exist.")
		}
		if err != nil {
			return err
		}
		if rec, err = r.update(ctx, rec, func(x *eventbus.Replay) {
			x.State, x.LastSeq = eventbus.ReplayRunning, st.LastSeq
		}); err != nil {
			return r.stopped(ctx, rec, err)
		}
	}
	p := &pass{ctx: ctx, r: r, rec: rec, filter: rec.FilterArns}
	err = r.cfg.Events.Scan(ctx, a.ID(), rec.Seq+1, rec.LastSeq, p.add)
	if err == nil {
		err = p.flush(ctx)
	}
	if errors.Is(err, eventbus.ErrNoArchive) {
		return r.finish(ctx, p.rec, eventbus.ReplayFailed, "Archive "+rec.Archive+" does not exist.")
	}
	if err != nil {
		return r.stopped(ctx, p.rec, err)
	}
	return r.finish(ctx, p.rec, eventbus.ReplayCompleted, "")
}

// stopped ends a replay interrupted by err: cancelled, or to be retried.
func (r *Replayer) stopped(ctx context.Context, rec eventbus.Replay, err error) error {
	if errors.Is(err, errCancelled) {
		return r.finish(ctx, rec, eventbus.ReplayCancelled, "")
	}
	return err
}

// update applies change to the replay's record unless it was cancelled
// meanwhile (then errCancelled) or has ended (errEnded).
func (r *Replayer) update(ctx context.Context, rec eventbus.Replay, change func(*eventbus.Replay)) (eventbus.Replay, error) {
	out, err := r.cfg.Replays.Update(ctx, 0, func(x *eventbus.Replay) error {
		switch {
		case x.State == eventbus.ReplayCancelling:
			return errCancelled
		case !x.Active():
			return errEnded
		}
		change(x)
		return nil
	}, rec.Account, rec.Name)
	if errors.Is(err, errCancelled) {
		return rec, err
	}
	if errors.Is(err, errEnded) || errors.Is(err, eventbus.ErrNotFound) {
		return rec, errCancelled
	}
	return out, err
}

// errEnded: the replay reached a final state elsewhere.
var errEnded = errors.New("archive: replay ended")

// finish moves the replay to state (a cancelled one to CANCELLED whatever
// state says), with reason.
func (r *Replayer) finish(ctx context.Context, rec eventbus.Replay, state, reason string) error {
	_, err := r.cfg.Replays.Update(ctx, 0, func(x *eventbus.Replay) error {
		if !x.Active() {
			return errEnded
		}
		if x.State == eventbus.ReplayCancelling {
			state, reason = eventbus.ReplayCancelled, ""
		}
		x.State, x.StateReason, x.EndedAt = state, reason, r.cfg.Now().UTC()
		return nil
	}, rec.Account, rec.Name)
	if errors.Is(err, errEnded) || errors.Is(err, eventbus.ErrNotFound) {
		return nil
	}
	if err == nil {
		r.log.Info("replay: ended", "account", rec.Account, "replay", rec.Name, "state", state, "events", rec.Replayed)
	}
	return err
}

// A pass is one run over an archive's events, batching jobs and progress.
type pass struct {
	ctx    context.Context
	r      *Replayer
	rec    eventbus.Replay
	filter []string
	jobs   []delivery.Job
	seen   int       // archived events read since the last flush
	seq    uint64    // position of the last event read
	last   time.Time // time of the last event replayed
	sent   int64     // events replayed since the last flush
}

// add replays one archived event if its time is in the replay's range.
// Progress is recorded between positions only (the events of one position
// are replayed whole or not at all), once a batch's worth were read.
func (p *pass) add(ae eventbus.ArchivedEvent) error {
	if ae.Seq != p.seq && p.seen >= p.r.cfg.Batch {
		if err := p.flush(p.ctx); err != nil {
			return err
		}
	}
	p.seq = ae.Seq
	p.seen++
	t, ok := eventbus.EnvelopeTime(ae.Event.Envelope)
	if ok && !t.Before(p.rec.EventStart) && t.Before(p.rec.EventEnd) {
		return p.replay(ae.Event, t)
	}
	return nil
}

// replay routes one event as replayed.
func (p *pass) replay(ev eventbus.Event, t time.Time) error {
	now := p.r.cfg.Now().UTC()
	replayed := eventbus.Event{
		ID:         ev.ID + "@" + p.rec.Name,
		Envelope:   eventbus.WithReplayName(ev.Envelope, p.rec.Name),
		IngestedAt: now,
	}
	n := len(p.jobs)
	jobs, err := p.r.cfg.Route(eventbus.BusEvent{Account: p.rec.Account, Bus: p.rec.Bus, Event: replayed}, now, p.jobs)
	if err != nil {
		return fmt.Errorf("archive: route replayed event %s: %w", ev.ID, err)
	}
	if len(p.filter) > 0 {
		jobs = slices.DeleteFunc(jobs[n:], func(j delivery.Job) bool { return !slices.Contains(p.filter, j.RuleArn) })
		jobs = append(p.jobs[:n], jobs...)
	}
	p.jobs = jobs
	p.sent++
	if t.After(p.last) {
		p.last = t
	}
	return nil
}

// flush enqueues the jobs gathered so far, then records the progress; a
// replay cancelled meanwhile stops with errCancelled.
func (p *pass) flush(ctx context.Context) error {
	if p.seen == 0 {
		return nil
	}
	if len(p.jobs) > 0 {
		if err := p.r.cfg.Jobs.Enqueue(ctx, delivery.Batch{Jobs: p.jobs}); err != nil {
			return err
		}
	}
	seq, last, sent := p.seq, p.last, p.sent
	rec, err := p.r.update(ctx, p.rec, func(x *eventbus.Replay) {
		x.Seq = seq
		x.Replayed += sent
		if last.After(x.LastReplayed) {
			x.LastReplayed = last
		}
	})
	if err != nil {
		return err
	}
	p.rec, p.jobs, p.seen, p.sent = rec, p.jobs[:0], 0, 0
	return nil
}
