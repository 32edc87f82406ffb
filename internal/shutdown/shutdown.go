// Package shutdown stops the parts of a program one after another, each
// within a time budget of its own, so that a part which overruns its budget
// cannot leave the parts after it with no time at all. It owns the order and
// the deadlines only; what stopping a part means is the part's business.
package shutdown

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Step is one part to stop.
type Step struct {
	// Name identifies the step in Run's errors.
	Name string
	// Budget is how long Stop may take, counted from the moment Run calls
	// it. Zero or negative: no deadline of its own (for steps that cannot
	// block).
	Budget time.Duration
	// Stop stops the part. It should return by the time its context is
	// done, reporting why it could not finish.
	Stop func(context.Context) error
}

// Run calls each step's Stop in order, each with a context of its own whose
// deadline is the step's Budget from when that step starts. The contexts
// carry ctx's values but neither its deadline nor its cancellation: neither
// a step that overran nor a caller that stopped waiting shortens the budget
// of a later step, so every step gets its whole budget and Run returns
// within the sum of the budgets (when every Stop honours its context).
//
// Every step runs even when earlier ones failed. Run returns the steps'
// errors joined, each prefixed with its step's name, or nil. It is not
// safe for concurrent use on the same steps.
func Run(ctx context.Context, steps []Step) error {
	base := context.WithoutCancel(ctx)
	var errs []error
	for _, s := range steps {
		if err := runStep(base, s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

func runStep(ctx context.Context, s Step) error {
	if s.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Budget)
		defer cancel()
	}
	return s.Stop(ctx)
}
