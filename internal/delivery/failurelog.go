package delivery

import (
	"log/slog"
	"sync"
	"time"
)

// DefaultFailureLogInterval is how often a target that keeps failing is
// logged: once per interval, with the number of failed attempts.
const DefaultFailureLogInterval = 10 * time.Second

// A failureLog turns failed attempts into one WARN line per target per
// interval: the first failure of a target opens its interval, later ones are
// counted, and the line, with the count and the last failure's details, is
// written when the interval is over (at the next failure or the next flush).
// A receiver outage of any length thus costs a line per target per interval
// instead of a line per attempt. Safe for concurrent use.
type failureLog struct {
	log      *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	targets map[string]*failures // by target ARN; guarded by mu
}

// failures are the failed attempts of one target in its current interval.
type failures struct {
	since time.Time // the interval's first failure
	count int
	last  failure
}

// failure is what the line says about the last failed attempt.
type failure struct {
	event, rule, code, msg string
	attempt                int
	retryIn                time.Duration
}

func newFailureLog(log *slog.Logger, interval time.Duration) *failureLog {
	return &failureLog{log: log, interval: interval, targets: make(map[string]*failures)}
}

// record counts a failed attempt on target at now, first writing the line of
// the target's previous interval if that is over.
func (l *failureLog) record(now time.Time, target string, f failure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.targets[target]
	if fs != nil && !now.Before(fs.since.Add(l.interval)) {
		l.write(target, fs)
		fs = nil
	}
	if fs == nil {
		fs = &failures{since: now}
		l.targets[target] = fs
	}
	fs.count++
	fs.last = f
}

// flush writes the lines of intervals over at now; all of them if all.
func (l *failureLog) flush(now time.Time, all bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for target, fs := range l.targets {
		if all || !now.Before(fs.since.Add(l.interval)) {
			l.write(target, fs)
			delete(l.targets, target)
		}
	}
}

// write logs one target's interval; the caller holds mu.
func (l *failureLog) write(target string, fs *failures) {
	l.log.Warn("delivery: target failing; will retry", "target", target, "failures", fs.count, "since", fs.since,
		"code", fs.last.code, "err", fs.last.msg, "event", fs.last.event, "rule", fs.last.rule,
		"attempt", fs.last.attempt, "retry_in", fs.last.retryIn)
}
