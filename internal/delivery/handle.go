package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Handle makes one delivery attempt of the job in m and settles m: Ack on
// success or once the job is dead-lettered, Retry with backoff when the
// failure is retryable within the target's policy. If ctx ends during the
// attempt (shutdown) the job is handed back for redelivery without counting
// as a failure. Handle never panics on a malformed job: it is stored as a
// dead letter of its own.
func (d *Dispatcher) Handle(ctx context.Context, m Msg) {
	var job Job
	if err := job.UnmarshalBinary(m.Data()); err != nil {
		d.cfg.Log.Error("delivery: undecodable job; dead-lettering its bytes", "err", err)
		sum := sha256.Sum256(m.Data())
		job = Job{Event: eventbus.Event{ID: "undecodable-" + hex.EncodeToString(sum[:8]), Envelope: m.Data()}}
		d.deadLetter(ctx, m, DeadLetter{Job: job, ErrorCode: CodeInternalError, ErrorMessage: err.Error(), FailedAt: d.cfg.Now()})
		return
	}
	attempt := m.Delivered()
	log := d.cfg.Log.With("event", job.Event.ID, "rule", job.RuleArn, "target", job.Target.Arn, "attempt", attempt)
	now := d.cfg.Now()
	maxRetries, _ := Limits(job.Target.RetryPolicy)
	switch {
	case Expired(job.Target.RetryPolicy, job.Event.IngestedAt, now):
		// Redelivered too late (workers were down, or storing an earlier
		// verdict failed): AWS drops events past their age without a try.
		d.deadLetter(ctx, m, DeadLetter{Job: job, ErrorCode: CodeUnknown, Condition: ConditionAge,
			ErrorMessage: "event reached MaximumEventAgeInSeconds before it could be delivered", RetryAttempts: attempt - 1, FailedAt: now})
		return
	case attempt-1 > maxRetries:
		// Only after a crash or a failed dead-letter write: the verdict was
		// already reached on an earlier delivery.
		d.deadLetter(ctx, m, DeadLetter{Job: job, ErrorCode: CodeUnknown, Condition: ConditionAttempts,
			ErrorMessage: "retries exhausted on an earlier delivery", RetryAttempts: maxRetries, FailedAt: now})
		return
	}

	err := d.attempt(ctx, m, &job, attempt)
	if err == nil {
		log.Debug("delivery: delivered")
		ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.SendTimeout)
		defer cancel()
		if err := m.Ack(ackCtx); err != nil {
			log.Warn("delivery: ack failed; the job may be delivered again", "err", err)
		}
		return
	}
	if ctx.Err() != nil { // shutting down: not the target's failure
		_ = m.Retry(0)
		return
	}
	e := Classify(err)
	now = d.cfg.Now()
	v := AfterFailure(job.Target.RetryPolicy, d.cfg.Backoff, job.Event.IngestedAt, now, attempt, e.Retryable, d.cfg.Rand())
	if v.Retry && d.cfg.MaxDeliver > 0 && attempt >= d.cfg.MaxDeliver {
		v = Verdict{Condition: ConditionAttempts}
	}
	if v.Retry {
		log.Warn("delivery: failed; will retry", "code", e.Code, "err", e.Message, "retry_in", v.Delay)
		if err := m.Retry(v.Delay); err != nil {
			log.Warn("delivery: retry request failed; the ack wait will redeliver", "err", err)
		}
		return
	}
	d.deadLetter(ctx, m, DeadLetter{Job: job, ErrorCode: e.Code, ErrorMessage: e.Message, Condition: v.Condition, RetryAttempts: attempt - 1, FailedAt: now})
}

// attempt shapes the input and sends it, telling the queue the job is in
// progress while the send runs.
func (d *Dispatcher) attempt(ctx context.Context, m Msg, job *Job, attempt int) error {
	kind, ok := d.kinds.For(job.Target.Arn)
	if !ok {
		return Permanent(CodeInvalidParameter, "switchyard cannot deliver to target %s: no target kind accepts it", job.Target.Arn)
	}
	input := job.Event.Envelope
	if !kind.RawEvent {
		var err error
		if input, err = d.cfg.Transform.Transform(job); err != nil {
			return err
		}
	}
	stop := heartbeat(m, d.cfg.Heartbeat)
	defer stop()
	sctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	defer cancel()
	return kind.Sender.Send(sctx, Delivery{Job: job, Input: input, Attempt: attempt})
}

// deadLetter stores dl, forwards it to the target's DeadLetterArn when
// switchyard can deliver there, and acknowledges m. If storing or
// forwarding keeps failing, m is redelivered later to try again (the
// de-duplication ids keep a repeat from doubling either).
func (d *Dispatcher) deadLetter(ctx context.Context, m Msg, dl DeadLetter) {
	log := d.cfg.Log.With("event", dl.Job.Event.ID, "rule", dl.Job.RuleArn, "target", dl.Job.Target.Arn)
	stop := heartbeat(m, d.cfg.Heartbeat)
	ok := d.storeDeadLetter(ctx, log, dl)
	stop() // before settling: no in-progress signal may follow a nak
	if !ok {
		_ = m.Retry(d.cfg.StoreRetry)
		return
	}
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.SendTimeout)
	defer cancel()
	if err := m.Ack(ackCtx); err != nil {
		log.Warn("delivery: ack of dead-lettered job failed", "err", err)
	}
}

// storeDeadLetter stores dl and enqueues its forward, if any; false if
// either keeps failing.
func (d *Dispatcher) storeDeadLetter(ctx context.Context, log *slog.Logger, dl DeadLetter) bool {
	if !d.retrying(ctx, func(ctx context.Context) error { return d.dead.Put(ctx, dl) }) {
		log.Error("delivery: cannot store dead letter; will try again")
		return false
	}
	log.Warn("delivery: dead-lettered", "code", dl.ErrorCode, "err", dl.ErrorMessage,
		"condition", dl.Condition, "retries", dl.RetryAttempts)
	fwd, ok := d.forward(dl)
	if !ok {
		return true
	}
	if !d.retrying(ctx, func(ctx context.Context) error { return d.requeue.Enqueue(ctx, []Job{fwd}) }) {
		log.Error("delivery: cannot enqueue dead letter for its DeadLetterArn; will try again", "dlq", fwd.Target.Arn)
		return false
	}
	return true
}

// forward returns the job that carries dl to its target's DeadLetterArn,
// or false when there is none, it is of a kind switchyard cannot deliver
// to, or dl is itself a forward.
func (d *Dispatcher) forward(dl DeadLetter) (Job, bool) {
	arn := dl.Job.Target.DeadLetterArn
	if arn == "" || dl.Job.DeadLetter != nil || d.requeue == nil {
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

// heartbeat calls m.InProgress every interval until stop is called.
func heartbeat(m Msg, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = m.InProgress() // best effort: a lost one only risks a duplicate
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}
