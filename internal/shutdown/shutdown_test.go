package shutdown

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestSlowStepDoesNotStarveTheNext: a step that uses up its whole budget
// leaves the next step its own, whole budget.
func TestSlowStepDoesNotStarveTheNext(t *testing.T) {
	t.Parallel()
	const next = time.Hour
	var got struct {
		err      error
		deadline time.Time
		ok       bool
	}
	var order []string
	err := Run(context.Background(), []Step{
		{Name: "slow", Budget: time.Millisecond, Stop: func(ctx context.Context) error {
			order = append(order, "slow")
			<-ctx.Done() // overruns: waits out its whole budget
			return ctx.Err()
		}},
		{Name: "next", Budget: next, Stop: func(ctx context.Context) error {
			order = append(order, "next")
			got.err = ctx.Err()
			got.deadline, got.ok = ctx.Deadline()
			return nil
		}},
	})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "slow: ") {
		t.Errorf("Run: %v, want slow: context deadline exceeded", err)
	}
	if strings.Join(order, ",") != "slow,next" {
		t.Errorf("order %v", order)
	}
	if got.err != nil {
		t.Fatalf("the step after a slow one started with a done context: %v", got.err)
	}
	if left := time.Until(got.deadline); !got.ok || left < next-time.Minute {
		t.Errorf("next step's deadline in %v (set %v), want about %v", left, got.ok, next)
	}
}

// TestCallerDeadlineDoesNotStarveSteps: the caller's context having expired
// changes no step's budget, and its values reach the steps.
func TestCallerDeadlineDoesNotStarveSteps(t *testing.T) {
	t.Parallel()
	type key struct{}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	var errs []error
	var values []any
	stop := func(ctx context.Context) error {
		errs = append(errs, ctx.Err())
		values = append(values, ctx.Value(key{}))
		return nil
	}
	if err := Run(ctx, []Step{{Name: "a", Budget: time.Hour, Stop: stop}, {Name: "b", Stop: stop}}); err != nil {
		t.Fatal(err)
	}
	for i := range errs {
		if errs[i] != nil || values[i] != "v" {
			t.Errorf("step %d: ctx.Err %v, value %v", i, errs[i], values[i])
		}
	}
}

// TestEveryStepRuns: failures are reported by name and do not skip later
// steps; no budget means no deadline.
func TestEveryStepRuns(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	ran := 0
	err := Run(context.Background(), []Step{
		{Name: "first", Stop: func(context.Context) error { ran++; return boom }},
		{Name: "second", Stop: func(ctx context.Context) error {
			ran++
			if _, ok := ctx.Deadline(); ok {
				t.Error("a step without a budget got a deadline")
			}
			return nil
		}},
		{Name: "third", Stop: func(context.Context) error { ran++; return boom }},
	})
	if ran != 3 {
		t.Errorf("%d steps ran, want 3", ran)
	}
	if !errors.Is(err, boom) || err.Error() != "first: boom\nthird: boom" {
		t.Errorf("Run: %q", err)
	}
	if err := Run(context.Background(), nil); err != nil {
		t.Errorf("no steps: %v", err)
	}
}
