package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/wait"
)

// An outcome is what became of one job of a batch.
type outcome int

const (
	delivered   outcome = iota
	retry               // to be queued again, Attempts+1, after a delay
	dead                // to be dead-lettered
	interrupted         // the attempt was cut short by shutdown
)

// result is a job's outcome with what settling it needs.
type result struct {
	outcome outcome
	delay   time.Duration // retry
	dl      DeadLetter    // dead
}

// Handle attempts every job of the batch in m, at most Config.Workers sends
// at a time across all batches, then settles m: jobs to retry go back to
// the queue as one batch (Attempts+1, not before the backoff delay), failed
// jobs are stored as dead letters, and only once all of that is durable is
// m acknowledged. A batch delivered before its NotBefore is handed back
// until then. If ctx ends during the attempts (shutdown) the whole batch is
// handed back for redelivery, so jobs already delivered may be delivered
// again (at least once). Handle never panics on a malformed batch: its
// bytes are stored as a dead letter of their own.
func (d *Dispatcher) Handle(ctx context.Context, m Msg) {
	var b Batch
	if err := b.UnmarshalBinary(m.Data()); err != nil {
		d.cfg.Log.Error("delivery: undecodable batch; dead-lettering its bytes", "err", err)
		sum := sha256.Sum256(m.Data())
		job := Job{Event: eventbus.Event{ID: "undecodable-" + hex.EncodeToString(sum[:8]), Envelope: m.Data()}}
		d.settle(ctx, m, nil, []DeadLetter{{Job: job, ErrorCode: CodeInternalError, ErrorMessage: err.Error(), FailedAt: d.cfg.Now()}}, 0)
		return
	}
	// On the queue's last allowed delivery nothing may be handed back.
	last := d.cfg.MaxDeliver > 0 && m.Delivered() >= d.cfg.MaxDeliver
	if early := b.NotBefore.Sub(d.cfg.Now()); early > 0 && !last {
		if err := m.Retry(early); err != nil {
			d.cfg.Log.Warn("delivery: retry request failed; the ack wait will redeliver", "err", err)
		}
		return
	}
	stop := d.heartbeat(m)
	results := d.attemptAll(ctx, b.Jobs, last)
	stop() // before settling: no in-progress signal may follow a nak
	var retries []Job
	var deadLetters []DeadLetter
	delay := time.Duration(-1)
	for i, r := range results {
		switch r.outcome {
		case interrupted:
			_ = m.Retry(0) // shutting down: not the targets' failure
			return
		case retry:
			j := b.Jobs[i]
			j.Attempts++
			retries = append(retries, j)
			if delay < 0 || r.delay < delay {
				delay = r.delay
			}
		case dead:
			deadLetters = append(deadLetters, r.dl)
		}
	}
	d.settle(ctx, m, retries, deadLetters, delay)
}

// attemptAll attempts every job, concurrently within the dispatcher's send
// slots, and returns their results in order. One jitter draw serves the
// whole batch: its retries are queued together.
func (d *Dispatcher) attemptAll(ctx context.Context, jobs []Job, last bool) []result {
	results := make([]result, len(jobs))
	rnd := d.cfg.Rand()
	if len(jobs) == 1 {
		results[0] = d.attemptJob(ctx, &jobs[0], rnd, last)
		return results
	}
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() { results[i] = d.attemptJob(ctx, &jobs[i], rnd, last) })
	}
	wg.Wait()
	return results
}

// attemptJob makes the next attempt of job unless its policy says it is
// too old or out of retries, and decides what follows a failure.
func (d *Dispatcher) attemptJob(ctx context.Context, job *Job, rnd float64, last bool) result {
	attempt := job.Attempts + 1
	now := d.cfg.Now()
	maxRetries, _ := Limits(job.Target.RetryPolicy)
	bl := d.busLog(job)
	var gaveUp result
	switch {
	case Expired(job.Target.RetryPolicy, job.Event.IngestedAt, now):
		// Queued too late (workers were down, or storing an earlier
		// verdict failed): AWS drops events past their age without a try.
		gaveUp = result{outcome: dead, dl: DeadLetter{Job: *job, ErrorCode: CodeUnknown, Condition: ConditionAge,
			ErrorMessage: "event reached MaximumEventAgeInSeconds before it could be delivered", RetryAttempts: job.Attempts, FailedAt: now}}
	case job.Attempts > maxRetries:
		// Only after storing an earlier verdict failed.
		gaveUp = result{outcome: dead, dl: DeadLetter{Job: *job, ErrorCode: CodeUnknown, Condition: ConditionAttempts,
			ErrorMessage: "retries exhausted on an earlier delivery", RetryAttempts: maxRetries, FailedAt: now}}
	}
	if gaveUp.outcome == dead {
		if bl != nil {
			bl.GaveUp(job, &Error{Code: gaveUp.dl.ErrorCode, Message: gaveUp.dl.ErrorMessage})
		}
		return gaveUp
	}
	select {
	case d.sends <- struct{}{}:
	case <-ctx.Done():
		return result{outcome: interrupted}
	}
	if bl != nil {
		bl.Attempting(job, attempt)
	}
	start := d.cfg.Now()
	kind, input, err := d.send(ctx, job, attempt)
	<-d.sends
	took := d.cfg.Now().Sub(start)
	if err == nil {
		if bl != nil {
			bl.Attempted(job, attempt, input, AttemptDelivered, nil)
		}
		d.cfg.Observer.Attempted(kind, AttemptDelivered, took)
		if d.cfg.Delivered != nil {
			d.cfg.Delivered(job.Account, job.Bus)
		}
		if d.cfg.Log.Enabled(ctx, slog.LevelDebug) { // the logger is built only when it will be used
			d.cfg.Log.Debug("delivery: delivered", "event", job.Event.ID, "rule", job.RuleArn, "target", job.Target.Arn, "attempt", attempt)
		}
		return result{outcome: delivered}
	}
	if ctx.Err() != nil {
		return result{outcome: interrupted}
	}
	e := Classify(err)
	now = d.cfg.Now()
	v := AfterFailure(job.Target.RetryPolicy, d.cfg.Backoff, job.Event.IngestedAt, now, attempt, e.Retryable, rnd)
	if v.Retry && last {
		v = Verdict{Condition: ConditionAttempts}
	}
	if v.Retry {
		if bl != nil {
			bl.Attempted(job, attempt, input, AttemptRetrying, e)
		}
		d.cfg.Observer.Attempted(kind, AttemptRetrying, took)
		d.fails.record(now, job.Target.Arn, failure{event: job.Event.ID, rule: job.RuleArn, code: e.Code, msg: e.Message, attempt: attempt, retryIn: v.Delay})
		return result{outcome: retry, delay: v.Delay}
	}
	if bl != nil {
		bl.Attempted(job, attempt, input, AttemptFailed, e)
	}
	d.cfg.Observer.Attempted(kind, AttemptFailed, took)
	return result{outcome: dead, dl: DeadLetter{Job: *job, ErrorCode: e.Code, ErrorMessage: e.Message, Condition: v.Condition, RetryAttempts: attempt - 1, FailedAt: now}}
}

// send shapes the input and sends it; it returns the name of the target's
// kind ("none" if no kind accepts it) and the input (nil if it has none).
func (d *Dispatcher) send(ctx context.Context, job *Job, attempt int) (string, []byte, error) {
	kind, ok := d.kinds.For(job.Target.Arn)
	if !ok {
		return "none", nil, Permanent(CodeInvalidParameter, "switchyard cannot deliver to target %s: no target kind accepts it", job.Target.Arn)
	}
	input := job.Event.Envelope
	if !kind.RawEvent {
		var err error
		if input, err = d.cfg.Transform.Transform(job); err != nil {
			return kind.Name, nil, err
		}
	}
	sctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	defer cancel()
	return kind.Name, input, kind.Sender.Send(sctx, Delivery{Job: job, Input: input, Attempt: attempt})
}

// settle makes the batch's verdicts durable, then acknowledges m: it stores
// the dead letters, queues their forwards to deliverable DeadLetterArns as
// one batch, and queues retries as one batch not to run before delay has
// passed. If any of that keeps failing, m is redelivered later to try again
// (de-duplication ids keep a repeat from doubling dead letters or batches).
func (d *Dispatcher) settle(ctx context.Context, m Msg, retries []Job, deadLetters []DeadLetter, delay time.Duration) {
	ok := true
	if len(deadLetters) > 0 || len(retries) > 0 {
		stop := d.heartbeat(m)
		ok = d.storeVerdicts(ctx, retries, deadLetters, delay)
		stop()
	}
	if !ok {
		_ = m.Retry(d.cfg.StoreRetry)
		return
	}
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.SendTimeout)
	defer cancel()
	if err := m.Ack(ackCtx); err != nil {
		d.cfg.Log.Warn("delivery: ack failed; the batch may be delivered again", "jobs", len(retries)+len(deadLetters), "err", err)
	}
}

// storeVerdicts stores deadLetters, queues their forwards and queues
// retries; false if any of it keeps failing.
func (d *Dispatcher) storeVerdicts(ctx context.Context, retries []Job, deadLetters []DeadLetter, delay time.Duration) bool {
	var forwards []Job
	for _, dl := range deadLetters {
		log := d.cfg.Log.With("event", dl.Job.Event.ID, "rule", dl.Job.RuleArn, "target", dl.Job.Target.Arn)
		if !d.retrying(ctx, func(ctx context.Context) error { return d.dead.Put(ctx, dl) }) {
			log.Error("delivery: cannot store dead letter; will try again")
			return false
		}
		level := slog.LevelWarn
		if k, ok := d.kinds.For(dl.Job.Target.Arn); ok && k.Undelivered {
			level = slog.LevelDebug // said once, when the target was put
		}
		log.Log(ctx, level, "delivery: dead-lettered", "code", dl.ErrorCode, "err", dl.ErrorMessage,
			"condition", dl.Condition, "retries", dl.RetryAttempts)
		d.cfg.Observer.DeadLettered(d.kindName(dl.Job.Target.Arn))
		if fwd, ok := d.forward(dl); ok {
			forwards = append(forwards, fwd)
			if bl := d.busLog(&dl.Job); bl != nil {
				bl.DeadLettered(&dl, fwd.Target.Arn)
			}
		}
	}
	if len(forwards) > 0 && !d.enqueue(ctx, Batch{Jobs: forwards}) {
		d.cfg.Log.Error("delivery: cannot queue dead letters for their DeadLetterArn; will try again", "jobs", len(forwards))
		return false
	}
	if len(retries) > 0 && !d.enqueue(ctx, Batch{Jobs: retries, NotBefore: d.cfg.Now().Add(delay)}) {
		d.cfg.Log.Error("delivery: cannot queue retries; will try again", "jobs", len(retries))
		return false
	}
	return true
}

func (d *Dispatcher) enqueue(ctx context.Context, b Batch) bool {
	return d.retrying(ctx, func(ctx context.Context) error { return d.requeue.Enqueue(ctx, b) })
}

// forward returns the job that carries dl to its target's DeadLetterArn,
// or false when there is none, it is of a kind switchyard cannot deliver
// to, or dl is itself a forward.
func (d *Dispatcher) forward(dl DeadLetter) (Job, bool) {
	arn := dl.Job.Target.DeadLetterArn
	if arn == "" || dl.Job.DeadLetter != nil {
		return Job{}, false
	}
	if _, ok := d.kinds.For(arn); !ok {
		d.cfg.Log.Debug("delivery: DeadLetterArn is not a kind switchyard delivers to; kept in the dead-letter store only", "dlq", arn)
		return Job{}, false
	}
	j := dl.Job
	j.Target = eventbus.Target{ID: dl.Job.Target.ID, Arn: arn, RetryPolicy: eventbus.DefaultRetryPolicy()}
	j.EnqueuedAt = d.cfg.Now()
	j.DeadLetter = dl.Attributes()
	j.Attempts = 0
	return j, true
}

// retrying calls f up to storeAttempts times, StoreRetry apart, each with
// SendTimeout; true once it succeeds.
func (d *Dispatcher) retrying(ctx context.Context, f func(context.Context) error) bool {
	ctx = context.WithoutCancel(ctx) // finish the verdict even while shutting down
	for i := range storeAttempts {
		if i > 0 {
			time.Sleep(d.cfg.StoreRetry)
		}
		fctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
		err := f(fctx)
		cancel()
		if err == nil {
			return true
		}
		d.cfg.Log.Warn("delivery: store failed", "attempt", i+1, "err", err)
	}
	return false
}

// heartbeat calls m.InProgress every Config.Heartbeat until stop is
// called.
func (d *Dispatcher) heartbeat(m Msg) (stop func()) {
	return wait.Heartbeat(d.cfg.Heartbeat, func() {
		_ = m.InProgress() // best effort: a lost one only risks a duplicate
	})
}
