package api

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the target operations. Targets live inline in their rule's
// record (eventbus.Rule.Targets), each keeping the API JSON it was put with
// (Target.Spec) so ListTargetsByRule returns exactly what was put, including
// kind-specific parameters switchyard stores but does not interpret.

// targetIn checks one target of a PutTargets request and converts it to the
// stored form, with the default retry policy filled in. A bad ARN or input
// setting fails the whole request with ValidationException, as AWS does.
func targetIn(t apimodel.Target) (eventbus.Target, error) {
	id, arn := deref(t.Id), deref(t.Arn)
	if msg := eventbus.CheckTargetARN(arn); msg != "" {
		return eventbus.Target{}, awserr.New(awserr.Validation, msg)
	}
	var it *eventbus.InputTransformer
	if t.InputTransformer != nil {
		it = &eventbus.InputTransformer{PathsMap: t.InputTransformer.InputPathsMap, Template: deref(t.InputTransformer.InputTemplate)}
	}
	if msg := eventbus.CheckTargetInput(id, eventbus.TargetInput{Input: t.Input, InputPath: t.InputPath, InputTransformer: it}); msg != "" {
		return eventbus.Target{}, awserr.New(awserr.Validation, msg)
	}
	spec, err := json.Marshal(t)
	if err != nil {
		return eventbus.Target{}, fmt.Errorf("api: encode target %s: %w", id, err)
	}
	out := eventbus.Target{
		ID: id, Arn: arn, RoleArn: deref(t.RoleArn), Input: deref(t.Input), InputPath: deref(t.InputPath),
		InputTransformer: it, RetryPolicy: eventbus.DefaultRetryPolicy(), Spec: spec,
	}
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			out.RetryPolicy.MaximumRetryAttempts = int(*rp.MaximumRetryAttempts)
		}
		if rp.MaximumEventAgeInSeconds != nil {
			out.RetryPolicy.MaximumEventAgeInSeconds = int(*rp.MaximumEventAgeInSeconds)
		}
	}
	if t.DeadLetterConfig != nil {
		out.DeadLetterArn = deref(t.DeadLetterConfig.Arn)
	}
	if h := t.HttpParameters; h != nil {
		out.HTTPParameters = &eventbus.HTTPParameters{
			PathParameterValues: h.PathParameterValues, HeaderParameters: h.HeaderParameters, QueryStringParameters: h.QueryStringParameters,
		}
	}
	return out, nil
}

// mergeTargets returns targets with every entry of put added, an entry
// replacing the target with the same Id in its place.
func mergeTargets(targets, put []eventbus.Target) []eventbus.Target {
	out := append([]eventbus.Target(nil), targets...)
	for _, t := range put {
		replaced := false
		for i := range out {
			if out[i].ID == t.ID {
				out[i], replaced = t, true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// PutTargets adds targets to a rule or replaces those with the same Id. The
// rule may then have at most MaxTargetsPerRule targets (LimitExceededException
// otherwise, nothing changed). A change that keeps losing races with other
// writers of the rule reports every target as a failed entry with
// ConcurrentModificationException, as AWS does.
func (s *Service) PutTargets(ctx context.Context, in *apimodel.PutTargetsRequest) (*apimodel.PutTargetsResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	put := make([]eventbus.Target, 0, len(in.Targets))
	for _, t := range in.Targets {
		tg, err := targetIn(t)
		if err != nil {
			return nil, err
		}
		put = append(put, tg)
	}
	name := *in.Rule
	_, err = s.changeRule(ctx, c.Account, bus, name, func(r *eventbus.Rule) error {
		if r.Managed() {
			return awserr.ManagedRuleReadOnly(name)
		}
		merged := mergeTargets(r.Targets, put)
		if s.cfg.MaxTargetsPerRule > 0 && len(merged) > s.cfg.MaxTargetsPerRule {
			return awserr.LimitReached()
		}
		r.Targets, r.ModifiedAt = merged, s.now()
		return nil
	})
	ids := make([]string, 0, len(put))
	for _, t := range put {
		ids = append(ids, t.ID)
	}
	if err == nil && s.cfg.TargetPut != nil {
		ruleArn := eventbus.RuleARN(s.cfg.Region, c.Account, bus, name)
		for _, t := range put {
			s.cfg.TargetPut(ruleArn, t)
		}
	}
	failed, err := targetFailures(ids, err)
	if err != nil {
		return nil, err
	}
	out := &apimodel.PutTargetsResponse{FailedEntryCount: ptr(int64(len(failed))), FailedEntries: []apimodel.PutTargetsResultEntry{}}
	for _, f := range failed {
		out.FailedEntries = append(out.FailedEntries, apimodel.PutTargetsResultEntry(f))
	}
	return out, nil
}

// targetFailures turns a ConcurrentModificationException from a rule change
// into one failed entry per target Id; any other error is returned as is.
func targetFailures(ids []string, err error) ([]apimodel.RemoveTargetsResultEntry, error) {
	if !awserr.Is(err, awserr.ConcurrentModification) {
		return nil, err
	}
	out := make([]apimodel.RemoveTargetsResultEntry, 0, len(ids))
	for _, id := range ids {
		out = append(out, apimodel.RemoveTargetsResultEntry{
			TargetId: ptr(id), ErrorCode: ptr(awserr.ConcurrentModification), ErrorMessage: ptr(awserr.MsgTargetsRaced),
		})
	}
	return out, nil
}

// RemoveTargets removes targets from a rule by Id; Ids the rule does not
// have are ignored. A managed rule needs Force (ignored for other rules).
func (s *Service) RemoveTargets(ctx context.Context, in *apimodel.RemoveTargetsRequest) (*apimodel.RemoveTargetsResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	name := *in.Rule
	drop := make(map[string]bool, len(in.Ids))
	for _, id := range in.Ids {
		drop[id] = true
	}
	_, err = s.changeRule(ctx, c.Account, bus, name, func(r *eventbus.Rule) error {
		if r.Managed() && !deref(in.Force) {
			return awserr.ManagedRuleNeedsForce(name)
		}
		kept := make([]eventbus.Target, 0, len(r.Targets))
		for _, t := range r.Targets {
			if !drop[t.ID] {
				kept = append(kept, t)
			}
		}
		if len(kept) == len(r.Targets) {
			return errNoChange
		}
		r.Targets, r.ModifiedAt = kept, s.now()
		return nil
	})
	failed, err := targetFailures(in.Ids, err)
	if err != nil {
		return nil, err
	}
	return &apimodel.RemoveTargetsResponse{FailedEntryCount: ptr(int64(len(failed))), FailedEntries: failed}, nil
}

// ListTargetsByRule lists a rule's targets, sorted by Id, as they were put.
func (s *Service) ListTargetsByRule(ctx context.Context, in *apimodel.ListTargetsByRuleRequest) (*apimodel.ListTargetsByRuleResponse, error) {
	c, bus, err := s.ruleBus(ctx, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r, err := s.getRule(ctx, c.Account, bus, *in.Rule)
	if err != nil {
		return nil, err
	}
	targets := append([]eventbus.Target(nil), r.Targets...)
	sort.Slice(targets, func(i, j int) bool { return targets[i].ID < targets[j].ID })
	ids := make([]string, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.ID)
	}
	p, err := page(ids, "targets:"+bus+"/"+r.Name, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListTargetsByRuleResponse{NextToken: optional(p.NextToken), Targets: []apimodel.Target{}}
	for _, t := range targets[p.Start:p.End] {
		at, err := targetOut(t)
		if err != nil {
			return nil, err
		}
		out.Targets = append(out.Targets, at)
	}
	return out, nil
}

// targetOut returns a stored target in API form: its Spec when it has one,
// else the fields switchyard interprets.
func targetOut(t eventbus.Target) (apimodel.Target, error) {
	var at apimodel.Target
	if len(t.Spec) > 0 {
		if err := json.Unmarshal(t.Spec, &at); err != nil {
			return at, fmt.Errorf("api: decode target %s: %w", t.ID, err)
		}
		return at, nil
	}
	at = apimodel.Target{Id: ptr(t.ID), Arn: ptr(t.Arn), RoleArn: optional(t.RoleArn), Input: optional(t.Input), InputPath: optional(t.InputPath)}
	if it := t.InputTransformer; it != nil {
		at.InputTransformer = &apimodel.InputTransformer{InputPathsMap: it.PathsMap, InputTemplate: ptr(it.Template)}
	}
	at.DeadLetterConfig = deadLetterOut(t.DeadLetterArn)
	return at, nil
}
