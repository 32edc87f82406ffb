package api

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the rule operations. A rule is stored whole, targets and
// tags included, as an eventbus.Rule under the key (account, bus, rule) of
// Stores.Rules, so listing (account, bus) finds a bus's rules (DeleteEventBus
// relies on it) and a rule changes with its targets under one revision.

// ruleBus resolves the EventBusName of a rule operation to the caller's
// account and the bus name; another account's bus does not exist for the
// caller.
func (s *Service) ruleBus(ctx context.Context, nameOrARN *string) (eventbus.Caller, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return c, "", err
	}
	bus, err := s.resolveBus(c, nameOrARN)
	return c, bus, err
}

// requireBus fails with ResourceNotFoundException unless the bus exists.
func (s *Service) requireBus(ctx context.Context, account, bus string) error {
	ok, err := s.busExists(ctx, account, bus)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.BusNotFound(bus)
	}
	return nil
}

// getRule reads a rule, answering ResourceNotFoundException when it is missing.
func (s *Service) getRule(ctx context.Context, account, bus, name string) (eventbus.Rule, error) {
	return find(ctx, s.st.Rules, func() *awserr.Error { return awserr.RuleNotFound(name, bus) }, account, bus, name)
}

// changeRule applies change to a stored rule (see mutate), answering
// ResourceNotFoundException when it is missing. change may return eventbus.ErrRemove
// or errNoChange; the latter is not an error for the caller.
func (s *Service) changeRule(ctx context.Context, account, bus, name string, change func(*eventbus.Rule) error) (eventbus.Rule, error) {
	r, err := mutate(ctx, s.st.Rules, change, account, bus, name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return r, awserr.RuleNotFound(name, bus)
	case errors.Is(err, errNoChange):
		return r, nil
	}
	return r, err
}

// ruleSpec is what a PutRule call sets on a rule, checked.
type ruleSpec struct {
	pattern, schedule, state, description, roleArn string
}

// checkPutRule applies PutRule's rules that the model cannot express, in the
// order AWS reports them.
func checkPutRule(bus string, in *apimodel.PutRuleRequest) (ruleSpec, error) {
	sp := ruleSpec{
		pattern: deref(in.EventPattern), schedule: deref(in.ScheduleExpression), state: deref(in.State),
		description: deref(in.Description), roleArn: deref(in.RoleArn),
	}
	if sp.state == "" {
		sp.state = eventbus.RuleEnabled
	}
	if in.ScheduleExpression != nil && bus != eventbus.DefaultBus {
		return sp, awserr.ScheduleNotOnDefaultBus()
	}
	if sp.pattern == "" && sp.schedule == "" {
		return sp, awserr.PatternOrScheduleRequired()
	}
	if sp.schedule != "" && !eventbus.ValidScheduleExpression(sp.schedule) {
		return sp, awserr.ScheduleInvalid()
	}
	if sp.pattern != "" {
		if _, err := compilePattern(sp.pattern); err != nil {
			return sp, err
		}
	}
	return sp, nil
}

// PutRule creates a rule, or replaces the settings of an existing one while
// keeping its targets, tags and creation time (Tags apply only on creation).
// Settings left out of an update are cleared, State defaults to ENABLED.
func (s *Service) PutRule(ctx context.Context, in *apimodel.PutRuleRequest) (*apimodel.PutRuleResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	sp, err := checkPutRule(bus, in)
	if err != nil {
		return nil, err
	}
	if err := s.requireBus(ctx, c.Account, bus); err != nil {
		return nil, err
	}
	name := *in.Name
	apply := func(r *eventbus.Rule) {
		r.EventPattern, r.ScheduleExpression, r.State = sp.pattern, sp.schedule, sp.state
		r.Description, r.RoleArn, r.ModifiedAt = sp.description, sp.roleArn, s.now()
	}
	for range 8 { // an update, or a create that lost to another create: update then
		_, err := mutate(ctx, s.st.Rules, func(r *eventbus.Rule) error {
			if r.Managed() {
				return awserr.ManagedRuleReadOnly(name)
			}
			apply(r)
			return nil
		}, c.Account, bus, name)
		if !errors.Is(err, eventbus.ErrNotFound) {
			if err != nil {
				return nil, err
			}
			return &apimodel.PutRuleResponse{RuleArn: ptr(eventbus.RuleARN(s.cfg.Region, c.Account, bus, name))}, nil
		}
		r := eventbus.Rule{Name: name, Account: c.Account, Bus: bus, CreatedAt: s.now(), Tags: tagsIn(in.Tags)}
		apply(&r)
		_, err = s.st.Rules.Create(ctx, r, s.cfg.MaxRulesPerBus)
		switch {
		case errors.Is(err, eventbus.ErrExists):
			continue // created meanwhile: update it instead
		case errors.Is(err, eventbus.ErrLimit):
			return nil, awserr.LimitReached()
		}
		if err != nil {
			return nil, err
		}
		return &apimodel.PutRuleResponse{RuleArn: ptr(r.ARN(s.cfg.Region))}, nil
	}
	return nil, awserr.ConcurrentChange()
}

// DescribeRule describes a rule of the caller's account.
func (s *Service) DescribeRule(ctx context.Context, in *apimodel.DescribeRuleRequest) (*apimodel.DescribeRuleResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r, err := s.getRule(ctx, c.Account, bus, *in.Name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeRuleResponse{
		Name: ptr(r.Name), Arn: ptr(r.ARN(s.cfg.Region)), EventPattern: optional(r.EventPattern),
		ScheduleExpression: optional(r.ScheduleExpression), State: ptr(r.State), Description: optional(r.Description),
		RoleArn: optional(r.RoleArn), ManagedBy: optional(r.ManagedBy), EventBusName: ptr(r.Bus), CreatedBy: ptr(r.Account),
	}, nil
}

// listRules returns the rules of a bus that must exist, sorted by name.
func (s *Service) listRules(ctx context.Context, account, bus string) ([]eventbus.Rule, error) {
	if err := s.requireBus(ctx, account, bus); err != nil {
		return nil, err
	}
	rules, err := s.st.Rules.List(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name })
	return rules, nil
}

// ListRules lists the rules of a bus under an optional name prefix.
func (s *Service) ListRules(ctx context.Context, in *apimodel.ListRulesRequest) (*apimodel.ListRulesResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	all, err := s.listRules(ctx, c.Account, bus)
	if err != nil {
		return nil, err
	}
	prefix := deref(in.NamePrefix)
	rules, next, err := pageOf(all, func(r eventbus.Rule) string { return r.Name },
		func(r eventbus.Rule) bool { return strings.HasPrefix(r.Name, prefix) }, "rules:"+bus, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListRulesResponse{NextToken: next, Rules: []apimodel.Rule{}}
	for _, r := range rules {
		out.Rules = append(out.Rules, apimodel.Rule{
			Name: ptr(r.Name), Arn: ptr(r.ARN(s.cfg.Region)), EventPattern: optional(r.EventPattern), State: ptr(r.State),
			Description: optional(r.Description), ScheduleExpression: optional(r.ScheduleExpression),
			RoleArn: optional(r.RoleArn), ManagedBy: optional(r.ManagedBy), EventBusName: ptr(r.Bus),
		})
	}
	return out, nil
}

// DeleteRule deletes a rule. A rule with targets is refused; a managed rule
// needs Force (which is ignored for other rules) and is then deleted with its
// targets. Deleting a rule that does not exist succeeds; on a bus that does
// not exist it is ResourceNotFoundException.
func (s *Service) DeleteRule(ctx context.Context, in *apimodel.DeleteRuleRequest) error {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return err
	}
	if err := s.requireBus(ctx, c.Account, bus); err != nil {
		return err
	}
	force := deref(in.Force)
	_, err = mutate(ctx, s.st.Rules, func(r *eventbus.Rule) error {
		switch {
		case r.Managed() && !force:
			return awserr.ManagedRuleNeedsForce(r.Name)
		case !r.Managed() && len(r.Targets) > 0:
			return awserr.RuleHasTargets()
		}
		return eventbus.ErrRemove
	}, c.Account, bus, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil
	}
	return err
}

// EnableRule sets a rule's state to ENABLED.
func (s *Service) EnableRule(ctx context.Context, in *apimodel.EnableRuleRequest) error {
	return s.setRuleState(ctx, in.EventBusName, *in.Name, eventbus.RuleEnabled)
}

// DisableRule sets a rule's state to DISABLED.
func (s *Service) DisableRule(ctx context.Context, in *apimodel.DisableRuleRequest) error {
	return s.setRuleState(ctx, in.EventBusName, *in.Name, eventbus.RuleDisabled)
}

func (s *Service) setRuleState(ctx context.Context, busName *string, name, state string) error {
	c, bus, err := s.ruleBus(ctx, busName)
	if err != nil {
		return err
	}
	_, err = s.changeRule(ctx, c.Account, bus, name, func(r *eventbus.Rule) error {
		if r.Managed() {
			return awserr.ManagedRuleReadOnly(name)
		}
		if r.State == state {
			return errNoChange
		}
		r.State, r.ModifiedAt = state, s.now()
		return nil
	})
	return err
}

// ListRuleNamesByTarget lists the names of the rules of a bus that have a
// target with the given Arn.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *apimodel.ListRuleNamesByTargetRequest) (*apimodel.ListRuleNamesByTargetResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	all, err := s.listRules(ctx, c.Account, bus)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range all {
		for _, t := range r.Targets {
			if t.Arn == *in.TargetArn {
				names = append(names, r.Name)
				break
			}
		}
	}
	p, err := page(names, "rule-names-by-target:"+bus+" "+*in.TargetArn, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &apimodel.ListRuleNamesByTargetResponse{RuleNames: append([]string{}, names[p.Start:p.End]...), NextToken: optional(p.NextToken)}, nil
}
