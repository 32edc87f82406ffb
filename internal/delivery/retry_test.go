package delivery

import (
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

func TestBackoffDelayBounds(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute}
	tests := []struct {
		retry    int
		min, max time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{6, 16 * time.Second, 32 * time.Second},
		{7, 30 * time.Second, time.Minute}, // 64 s capped at the max
		{100, 30 * time.Second, time.Minute},
		{10000, 30 * time.Second, time.Minute}, // no overflow
		{0, 500 * time.Millisecond, time.Second},
	}
	for _, tc := range tests {
		for _, rnd := range []float64{0, 0.25, 0.5, 0.999999, 1} {
			got := b.Delay(tc.retry, rnd)
			if got < tc.min || got > tc.max {
				t.Errorf("Delay(%d, %v) = %v, want in [%v, %v]", tc.retry, rnd, got, tc.min, tc.max)
			}
		}
		if lo, hi := b.Delay(tc.retry, 0), b.Delay(tc.retry, 0.999); lo != tc.min || hi <= lo {
			t.Errorf("retry %d: jitter spans [%v, %v], want from %v upwards", tc.retry, lo, hi, tc.min)
		}
	}
}

func TestBackoffDefaults(t *testing.T) {
	var b Backoff
	if got := b.Delay(1, 0); got != DefaultBackoffBase/2 {
		t.Errorf("zero Backoff first delay %v, want %v", got, DefaultBackoffBase/2)
	}
	if got := b.Delay(50, 1); got != DefaultBackoffMax {
		t.Errorf("zero Backoff capped delay %v, want %v", got, DefaultBackoffMax)
	}
	// The default policy's 185 retries span roughly its 24 hours.
	var total time.Duration
	for r := 1; r <= eventbus.DefaultMaxRetryAttempts; r++ {
		total += b.Delay(r, 0.5)
	}
	if total < 20*time.Hour || total > 30*time.Hour {
		t.Errorf("185 mean retries take %v, want about 24h", total)
	}
}

func TestLimits(t *testing.T) {
	tests := map[string]struct {
		p       eventbus.RetryPolicy
		retries int
		age     time.Duration
	}{
		"unset":         {eventbus.RetryPolicy{}, 185, 24 * time.Hour},
		"default":       {eventbus.DefaultRetryPolicy(), 185, 24 * time.Hour},
		"no retries":    {eventbus.RetryPolicy{MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60}, 0, time.Minute},
		"age only":      {eventbus.RetryPolicy{MaximumRetryAttempts: 3}, 3, 24 * time.Hour},
		"clamped":       {eventbus.RetryPolicy{MaximumRetryAttempts: 1000, MaximumEventAgeInSeconds: 999999}, 185, 24 * time.Hour},
		"negative":      {eventbus.RetryPolicy{MaximumRetryAttempts: -1, MaximumEventAgeInSeconds: 120}, 0, 2 * time.Minute},
		"custom bounds": {eventbus.RetryPolicy{MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600}, 10, time.Hour},
	}
	for name, tc := range tests {
		r, a := Limits(tc.p)
		if r != tc.retries || a != tc.age {
			t.Errorf("%s: Limits = %d, %v; want %d, %v", name, r, a, tc.retries, tc.age)
		}
	}
}

func TestAfterFailure(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	b := Backoff{Base: time.Second, Max: time.Minute}
	policy := eventbus.RetryPolicy{MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600}
	tests := map[string]struct {
		p         eventbus.RetryPolicy
		now       time.Time
		attempt   int
		retryable bool
		want      Verdict
	}{
		"first failure retries": {policy, t0, 1, true, Verdict{Retry: true, Delay: 750 * time.Millisecond}},
		"third failure retries": {policy, t0, 3, true, Verdict{Retry: true, Delay: 3 * time.Second}},
		"retries used up":       {policy, t0, 4, true, Verdict{Condition: ConditionAttempts}},
		"zero retries":          {eventbus.RetryPolicy{MaximumEventAgeInSeconds: 60}, t0, 1, true, Verdict{Condition: ConditionAttempts}},
		"not retryable":         {policy, t0, 1, false, Verdict{}},
		"not retryable late":    {policy, t0, 4, false, Verdict{}},
		"age reached":           {policy, t0.Add(time.Hour), 2, true, Verdict{Condition: ConditionAge}},
		"next retry past age":   {policy, t0.Add(time.Hour - time.Second), 2, true, Verdict{Condition: ConditionAge}},
		"just in time":          {policy, t0.Add(time.Hour - 2*time.Second), 2, true, Verdict{Retry: true, Delay: 1500 * time.Millisecond}},
		"attempts before age":   {eventbus.RetryPolicy{MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60}, t0.Add(time.Hour), 2, true, Verdict{Condition: ConditionAttempts}},
	}
	for name, tc := range tests {
		if got := AfterFailure(tc.p, b, t0, tc.now, tc.attempt, tc.retryable, 0.5); got != tc.want {
			t.Errorf("%s: %+v, want %+v", name, got, tc.want)
		}
	}
}

func TestExpired(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	p := eventbus.RetryPolicy{MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 60}
	if Expired(p, t0, t0.Add(59*time.Second)) {
		t.Error("59 s old event expired under a 60 s policy")
	}
	if !Expired(p, t0, t0.Add(60*time.Second)) {
		t.Error("60 s old event not expired under a 60 s policy")
	}
}

func TestClassify(t *testing.T) {
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	if e := Classify(Permanent(CodeNoResource, "gone %d", 1)); e.Code != CodeNoResource || e.Retryable || e.Message != "gone 1" {
		t.Errorf("permanent: %+v", e)
	}
	if e := Classify(errorsJoin(Retryable(CodeThrottling, "slow"))); e.Code != CodeThrottling || !e.Retryable {
		t.Errorf("wrapped retryable: %+v", e)
	}
	if e := Classify(errPlain("boom")); e.Code != CodeUnknown || !e.Retryable || e.Message != "boom" {
		t.Errorf("plain error: %+v", e)
	}
}

type errPlain string

func (e errPlain) Error() string { return string(e) }

type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func errorsJoin(err error) error { return wrapped{err} }
