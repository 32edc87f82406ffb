// Package schedule fires EventBridge scheduled rules: each tick of a rule's
// rate() or cron() expression sends AWS's "Scheduled Event" to the rule's
// targets, through the same delivery queue, retries and dead letters as
// every routed event.
//
// Every switchyard process on one NATS runs a Scheduler, and each tick
// fires once among them. A rule's firing record (eventbus.ScheduleState:
// the last tick fired, in a KV bucket) moves forward by compare-and-set
// only; a process first enqueues the tick's delivery jobs, whose ids are
// derived from the rule and the tick so the delivery queue's
// de-duplication window stores them once however many processes enqueue
// them, and then advances the record. A process that dies between the two
// leaves the tick to the next one, which enqueues the same ids again: no
// tick is lost, and none doubled within the window.
//
// Ticks are read off the injected clock (Config.Now) at every poll, so a
// rule's change (disabled, deleted, a new expression or new targets) takes
// effect from the next poll. A tick missed while no process ran fires late
// if it is at most Config.CatchUp old, and is skipped (with a warning)
// otherwise; a disabled rule's ticks are skipped, not saved for later.
//
// This package never matches patterns, never delivers anything itself, and
// never touches storage directly: rules, firing records and the queue are
// interfaces.
package schedule

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/wait"
)

// Defaults of zero Config fields.
const (
	DefaultPoll    = time.Second
	DefaultCatchUp = time.Hour
)

// Scheduled events' fixed envelope fields (FACTS: source and detail-type of
// AWS's scheduled events).
const (
	EventSource     = "aws.events"
	EventDetailType = "Scheduled Event"
)

// Config is what a Scheduler needs.
type Config struct {
	// Region names rules in the events' resources.
	Region string
	// Rules are the stored rules; States the rules' firing records.
	Rules  *eventbus.Records[eventbus.Rule]
	States *eventbus.Records[eventbus.ScheduleState]
	// Jobs is where fired ticks' deliveries go.
	Jobs delivery.Enqueuer
	// Now is the clock ticks are read off: time.Now if nil.
	Now func() time.Time
	// Poll is how often (in real time) the clock is read: DefaultPoll if
	// zero.
	Poll time.Duration
	// CatchUp bounds how late a missed tick may still fire:
	// DefaultCatchUp if zero.
	CatchUp time.Duration
	Log     *slog.Logger
}

// A Scheduler fires the scheduled rules of every account. Safe for
// concurrent use.
type Scheduler struct {
	cfg Config

	mu    sync.Mutex
	rules map[ruleKey]eventbus.Rule // scheduled rules; guarded by mu

	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

type ruleKey struct{ account, bus, name string }

// New returns a Scheduler; Start starts it.
func New(cfg Config) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.CatchUp <= 0 {
		cfg.CatchUp = DefaultCatchUp
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{cfg: cfg, rules: map[ruleKey]eventbus.Rule{}, done: make(chan struct{})}
}

// Start loads the scheduled rules, then follows rule changes and fires
// ticks in the background until Close. It returns an error if the rules
// cannot be watched or ctx ends before they are loaded.
func (s *Scheduler) Start(ctx context.Context) error {
	runCtx, stop := context.WithCancel(context.Background())
	changes, err := s.cfg.Rules.Watch(runCtx)
	if err != nil {
		stop()
		return err
	}
	if err := s.load(ctx, changes); err != nil {
		stop()
		return err
	}
	s.stop = stop
	go func() {
		defer close(s.done)
		var wg sync.WaitGroup
		wg.Go(func() { s.watch(runCtx, changes) })
		for runCtx.Err() == nil {
			s.Fire(runCtx)
			_ = wait.Sleep(runCtx, s.cfg.Poll)
		}
		wg.Wait()
	}()
	return nil
}

// Close stops the Scheduler and returns once it has stopped or ctx ends.
func (s *Scheduler) Close(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		if s.stop == nil {
			return
		}
		s.stop()
		select {
		case <-s.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	})
	return err
}

// load reads the rule changes up to the watch's OpSynced into a fresh rule
// set.
func (s *Scheduler) load(ctx context.Context, changes <-chan eventbus.RecordChange[eventbus.Rule]) error {
	rules := map[ruleKey]eventbus.Rule{}
	for {
		select {
		case c, ok := <-changes:
			if !ok {
				return errors.New("schedule: rules watch ended before the rules were loaded")
			}
			if c.Op == eventbus.OpSynced {
				s.mu.Lock()
				s.rules = rules
				s.mu.Unlock()
				return nil
			}
			apply(rules, c)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// apply records one rule change in rules, keeping scheduled rules only.
// It reports the key of a scheduled rule that left the set.
func apply(rules map[ruleKey]eventbus.Rule, c eventbus.RecordChange[eventbus.Rule]) (ruleKey, bool) {
	account, bus, name, ok := eventbus.RuleKey(c.Key)
	if !ok {
		return ruleKey{}, false
	}
	k := ruleKey{account, bus, name}
	if c.Op == eventbus.OpPut && c.Err == nil && c.Value.ScheduleExpression != "" {
		rules[k] = c.Value
		return k, false
	}
	_, was := rules[k]
	delete(rules, k)
	return k, was
}

// watch follows rule changes until ctx ends, watching again (and reloading
// every rule) when a watch ends on its own.
func (s *Scheduler) watch(ctx context.Context, changes <-chan eventbus.RecordChange[eventbus.Rule]) {
	for ctx.Err() == nil {
		for c := range changes {
			s.mu.Lock()
			k, gone := apply(s.rules, c)
			s.mu.Unlock()
			if gone {
				s.forget(ctx, k)
			}
		}
		for ctx.Err() == nil {
			_ = wait.Sleep(ctx, time.Second)
			var err error
			if changes, err = s.cfg.Rules.Watch(ctx); err == nil {
				if err = s.load(ctx, changes); err == nil {
					s.cfg.Log.Warn("schedule: rules watch restarted")
					break
				}
			}
			if ctx.Err() == nil {
				s.cfg.Log.Error("schedule: rules watch failed; firing the rules already loaded", "err", err)
			}
		}
	}
}

// Rule returns the scheduled rule (account, bus, name) as the Scheduler
// knows it now; false if it knows no such scheduled rule.
func (s *Scheduler) Rule(account, bus, name string) (eventbus.Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[ruleKey{account, bus, name}]
	return r, ok
}

// Fire fires every tick due at the clock's now, of every scheduled rule,
// that no process has fired yet. Start calls it at every poll.
func (s *Scheduler) Fire(ctx context.Context) {
	s.mu.Lock()
	rules := make([]eventbus.Rule, 0, len(s.rules))
	for _, r := range s.rules {
		rules = append(rules, r)
	}
	s.mu.Unlock()
	now := s.cfg.Now().UTC()
	for _, r := range rules {
		if err := s.fireRule(ctx, r, now); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("schedule: rule not fired; trying again at the next poll", "rule", r.ARN(s.cfg.Region), "err", err)
		}
	}
}

// forget removes the firing record of a rule no longer scheduled, so a
// rule made again under its name starts afresh. Every process may do it;
// a record already gone is fine.
func (s *Scheduler) forget(ctx context.Context, k ruleKey) {
	_, err := s.cfg.States.Update(ctx, 0, func(*eventbus.ScheduleState) error { return eventbus.ErrRemove }, k.account, k.bus, k.name)
	if err != nil && !errors.Is(err, eventbus.ErrNotFound) && ctx.Err() == nil {
		s.cfg.Log.Warn("schedule: firing record of a removed rule not deleted", "rule", k.name, "err", err)
	}
}

// errMoved: another process advanced the firing record first.
var errMoved = errors.New("schedule: firing record moved")

// fireRule fires r's ticks due at now, one at a time, each advancing the
// firing record.
func (s *Scheduler) fireRule(ctx context.Context, r eventbus.Rule, now time.Time) error {
	sched, err := eventbus.ParseSchedule(r.ScheduleExpression)
	if err != nil {
		return nil // PutRule refuses these: a record from elsewhere
	}
	st, err := s.state(ctx, r, now)
	if err != nil {
		return err
	}
	if next := sched.Anchored(st.Last).Next(st.Last); !next.IsZero() && now.Sub(next) > s.cfg.CatchUp {
		// Ticks missed long ago (no process ran, or the rule was disabled
		// meanwhile) are skipped in one step, not one write each.
		last := skipTo(sched, st.Last, now.Add(-s.cfg.CatchUp))
		if isEnabled(r) {
			s.cfg.Log.Warn("schedule: ticks skipped: missed by more than the catch-up bound", "rule", r.ARN(s.cfg.Region), "from", next, "to", last)
		}
		if st, err = s.advance(ctx, r, st.Last, last); err != nil {
			return ignoreMoved(err)
		}
	}
	for range maxTicksPerPoll {
		next := sched.Anchored(st.Last).Next(st.Last)
		if next.IsZero() || next.After(now) {
			return nil
		}
		if isEnabled(r) && now.Sub(next) <= s.cfg.CatchUp {
			if err := s.enqueue(ctx, r, next, now); err != nil {
				return err
			}
		}
		if st, err = s.advance(ctx, r, st.Last, next); err != nil {
			return ignoreMoved(err)
		}
	}
	return nil
}

// advance moves r's firing record from prev to next, unless another process
// moved it first or the rule changed (errMoved).
func (s *Scheduler) advance(ctx context.Context, r eventbus.Rule, prev, next time.Time) (eventbus.ScheduleState, error) {
	return s.cfg.States.Update(ctx, 0, func(x *eventbus.ScheduleState) error {
		if x.Expression != r.ScheduleExpression || !x.Last.Equal(prev) {
			return errMoved
		}
		x.Last = next
		return nil
	}, r.Account, r.Bus, r.Name)
}

// ignoreMoved is nil for errMoved and a record gone (fired elsewhere, or
// the rule changed: the next poll sees it), else err.
func ignoreMoved(err error) error {
	if errors.Is(err, errMoved) || errors.Is(err, eventbus.ErrNotFound) {
		return nil
	}
	return err
}

// skipTo returns the firing record's new Last when every tick before from
// is skipped: for a rate, the last tick of its anchor's series at or before
// from (so later ticks keep their alignment); for a cron, from itself, to
// the minute.
func skipTo(sched eventbus.Schedule, last, from time.Time) time.Time {
	if !sched.IsRate() {
		return from.Truncate(time.Minute)
	}
	d := from.Sub(last)
	if d >= math.MaxInt64/2 { // saturated: an anchor centuries ago keeps no alignment worth keeping
		return from.Truncate(time.Minute)
	}
	p := sched.Period()
	return last.Add(d / p * p)
}

// maxTicksPerPoll bounds the ticks one rule fires in one poll (a rule
// catching up after downtime); the rest fire at the next polls.
const maxTicksPerPoll = 100

func isEnabled(r eventbus.Rule) bool {
	return r.State == eventbus.RuleEnabled || r.State == eventbus.RuleEnabledWithCloudTrail
}

// state returns r's firing record, starting it (anchored at the rule's
// last change, to the minute) when it is missing or belongs to another
// expression.
func (s *Scheduler) state(ctx context.Context, r eventbus.Rule, now time.Time) (eventbus.ScheduleState, error) {
	st, _, err := s.cfg.States.Get(ctx, r.Account, r.Bus, r.Name)
	if err == nil && st.Expression == r.ScheduleExpression {
		return st, nil
	}
	if err != nil && !errors.Is(err, eventbus.ErrNotFound) {
		return st, err
	}
	anchor := r.ModifiedAt.UTC().Truncate(time.Minute)
	if anchor.Year() < 1970 { // a record without a change time: count from now
		anchor = now.Truncate(time.Minute)
	}
	fresh := eventbus.ScheduleState{
		Account: r.Account, Bus: r.Bus, Rule: r.Name, Expression: r.ScheduleExpression, Last: anchor,
	}
	if errors.Is(err, eventbus.ErrNotFound) {
		_, err = s.cfg.States.Create(ctx, fresh, 0)
		if errors.Is(err, eventbus.ErrExists) {
			return s.state(ctx, r, now) // another process started it
		}
		return fresh, err
	}
	return s.cfg.States.Update(ctx, 0, func(x *eventbus.ScheduleState) error {
		if x.Expression != r.ScheduleExpression {
			*x = fresh
		}
		return nil
	}, r.Account, r.Bus, r.Name)
}

// enqueue sends tick's scheduled event to r's targets. The event's id, and
// so the jobs' de-duplication ids, depend only on the rule and the tick.
func (s *Scheduler) enqueue(ctx context.Context, r eventbus.Rule, tick, now time.Time) error {
	if len(r.Targets) == 0 {
		return nil
	}
	arn := r.ARN(s.cfg.Region)
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(arn+"@"+strconv.FormatInt(tick.Unix(), 10))).String()
	env, err := eventbus.NewEnvelope(eventbus.EnvelopeHeader{ID: id, Account: r.Account, Region: s.cfg.Region, Time: tick},
		eventbus.PutEntry{Source: EventSource, DetailType: EventDetailType, Detail: "{}", Resources: []string{arn}})
	if err != nil {
		return err
	}
	ev := eventbus.Event{ID: id, Envelope: env, IngestedAt: tick}
	jobs := make([]delivery.Job, len(r.Targets))
	for i, t := range r.Targets {
		jobs[i] = delivery.Job{Account: r.Account, Bus: r.Bus, RuleArn: arn, Target: t, Event: ev, EnqueuedAt: now}
	}
	return s.cfg.Jobs.Enqueue(ctx, delivery.Batch{Jobs: jobs})
}
