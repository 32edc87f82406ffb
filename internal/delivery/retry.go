package delivery

import (
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Values of a dead letter's EXHAUSTED_RETRY_CONDITION: which limit of the
// target's RetryPolicy ended the retries. A failure that is not retryable
// ends them without exhausting either, and carries no condition.
const (
	ConditionAttempts = "MaximumRetryAttempts"
	ConditionAge      = "MaximumEventAgeInSeconds"
)

// Backoff defaults. With equal jitter the mean delay once capped is 0.75 ×
// DefaultBackoffMax, so AWS's default policy (185 retries, 24 hours) runs
// out of attempts and of age at about the same time, as AWS describes it.
const (
	DefaultBackoffBase = time.Second
	DefaultBackoffMax  = 10 * time.Minute
)

// Backoff is exponential backoff with equal jitter: the n-th retry waits a
// random time in [d/2, d], d = min(Max, Base·2^(n-1)).
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = DefaultBackoffBase
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	return b
}

// Delay returns the wait before retry number retry (1 for the first retry),
// given rnd in [0, 1) as the jitter; zero fields take the defaults.
func (b Backoff) Delay(retry int, rnd float64) time.Duration {
	b = b.withDefaults()
	d := b.Max
	if retry < 1 {
		retry = 1
	}
	if shift := retry - 1; shift < 62 && b.Base<<shift > 0 && b.Base<<shift < b.Max {
		d = b.Base << shift
	}
	rnd = min(max(rnd, 0), 1)
	return d/2 + time.Duration(rnd*float64(d/2))
}

// Limits returns the retry limits of p: at most maxRetries retries after the
// first attempt, and no attempt once the event is maxAge old. A policy with
// both fields zero is "not set" and means AWS's default (185 retries, 24
// hours); a zero or out-of-range age alone takes the default age; retries
// are clamped to [0, 185].
func Limits(p eventbus.RetryPolicy) (maxRetries int, maxAge time.Duration) {
	def := eventbus.DefaultRetryPolicy()
	if p.MaximumRetryAttempts == 0 && p.MaximumEventAgeInSeconds == 0 {
		p = def
	}
	if p.MaximumEventAgeInSeconds <= 0 || p.MaximumEventAgeInSeconds > def.MaximumEventAgeInSeconds {
		p.MaximumEventAgeInSeconds = def.MaximumEventAgeInSeconds
	}
	maxRetries = min(max(p.MaximumRetryAttempts, 0), eventbus.DefaultMaxRetryAttempts)
	return maxRetries, time.Duration(p.MaximumEventAgeInSeconds) * time.Second
}

// Expired reports whether an event ingested at ingestedAt is, at now, too
// old for policy p to attempt it again.
func Expired(p eventbus.RetryPolicy, ingestedAt, now time.Time) bool {
	_, maxAge := Limits(p)
	return now.Sub(ingestedAt) >= maxAge
}

// A Verdict is what to do after a failed attempt: retry after Delay, or
// stop and dead-letter with Condition ("" when the failure was not
// retryable).
type Verdict struct {
	Retry     bool
	Delay     time.Duration
	Condition string
}

// AfterFailure decides what follows failed attempt number attempt (1 for
// the first try) of an event ingested at ingestedAt, at now: stop if the
// failure is not retryable; stop with ConditionAttempts once attempt-1
// retries have used up p's MaximumRetryAttempts; stop with ConditionAge if
// the next retry would come when the event is past its MaximumEventAge;
// otherwise retry after b.Delay(attempt, rnd).
func AfterFailure(p eventbus.RetryPolicy, b Backoff, ingestedAt, now time.Time, attempt int, retryable bool, rnd float64) Verdict {
	if !retryable {
		return Verdict{}
	}
	maxRetries, maxAge := Limits(p)
	if attempt-1 >= maxRetries {
		return Verdict{Condition: ConditionAttempts}
	}
	delay := b.Delay(attempt, rnd)
	if now.Add(delay).Sub(ingestedAt) >= maxAge {
		return Verdict{Condition: ConditionAge}
	}
	return Verdict{Retry: true, Delay: delay}
}
