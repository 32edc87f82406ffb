package delivery

import "time"

// The results of a delivery attempt an Observer is told.
const (
	// AttemptDelivered: the target has the event.
	AttemptDelivered = "delivered"
	// AttemptRetrying: the attempt failed and the job is queued again.
	AttemptRetrying = "retrying"
	// AttemptFailed: the attempt failed and the job is dead-lettered.
	AttemptFailed = "failed"
)

// An Observer is told what becomes of deliveries, for metrics. kind is the
// target kind's Name ("none" when no kind accepts the target). Its methods
// are called from many goroutines at once and must not block.
type Observer interface {
	// Attempted follows every send: its result (AttemptDelivered,
	// AttemptRetrying or AttemptFailed) and how long the send took.
	// Attempts cut short by shutdown are not reported.
	Attempted(kind, result string, took time.Duration)
	// DeadLettered follows every dead letter stored, including those of
	// jobs never attempted (too old when their turn came). A batch settled
	// twice after a crash may report its dead letters twice.
	DeadLettered(kind string)
}

// noObserver is the Observer of a Config that sets none.
type noObserver struct{}

func (noObserver) Attempted(string, string, time.Duration) {}
func (noObserver) DeadLettered(string)                     {}

// kindName is the Observer's name for the kind of targetArn.
func (d *Dispatcher) kindName(targetArn string) string {
	if k, ok := d.kinds.For(targetArn); ok {
		return k.Name
	}
	return "none"
}

// A BusLog writes the log records of buses whose LogConfig sets a level.
// Enabled is asked once per attempt (and per job given up) and must be
// cheap; the other methods are called only when it said yes for the job's
// Account and Bus. Called from many goroutines; must not block.
type BusLog interface {
	Enabled(account, bus string) bool
	// Attempting precedes attempt number attempt (1 for the first).
	Attempting(job *Job, attempt int)
	// Attempted follows it: result is AttemptDelivered, AttemptRetrying or
	// AttemptFailed, err nil when delivered, input what was sent (nil when
	// shaping it failed).
	Attempted(job *Job, attempt int, input []byte, result string, err *Error)
	// GaveUp reports a job dead-lettered without an attempt.
	GaveUp(job *Job, err *Error)
	// DeadLettered reports a dead letter sent on to dlqArn.
	DeadLettered(dl *DeadLetter, dlqArn string)
}

// busLog returns Config.BusLog when it logs job's bus, else nil.
func (d *Dispatcher) busLog(job *Job) BusLog {
	if bl := d.cfg.BusLog; bl != nil && bl.Enabled(job.Account, job.Bus) {
		return bl
	}
	return nil
}
