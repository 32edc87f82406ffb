package api

import (
	"context"
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file implements the archive operations. An archive is a record
// (Stores.Archives), its events (Stores.ArchiveLog, one durable log per
// archive, retention enforced by the storage) and, as in AWS, a managed
// rule on the source bus, "Events-Archive-<name>", whose one target is the
// archive: the router feeds archives as it feeds every target, and the
// rule's pattern excludes replayed events.

// archiveBus resolves CreateArchive's EventSourceArn to a bus of the
// caller's account.
func (s *Service) archiveBus(ctx context.Context, c eventbus.Caller, arn string) (string, error) {
	account, bus, ok := eventbus.BusRef(arn, c.Account, s.cfg.Region)
	if !ok || !strings.HasPrefix(arn, "arn:") || account != c.Account {
		return "", awserr.BusNotFound(arn)
	}
	return bus, s.requireBus(ctx, c.Account, bus)
}

// callerArchive reads the caller's archive name, answering
// ResourceNotFoundException when it is missing.
func (s *Service) callerArchive(ctx context.Context, name string) (eventbus.Archive, error) {
	c, err := caller(ctx)
	if err != nil {
		return eventbus.Archive{}, err
	}
	return find(ctx, s.st.Archives, func() *awserr.Error { return awserr.ArchiveNotFound(name) }, c.Account, name)
}

// checkArchive refuses a customer managed key, which switchyard does not
// use, and an invalid pattern.
func checkArchive(kmsKey, pattern *string) error {
	if deref(kmsKey) != "" {
		return awserr.ArchiveKMSUnsupported()
	}
	if p := deref(pattern); p != "" {
		if _, err := compilePattern(p); err != nil {
			return err
		}
	}
	return nil
}

// CreateArchive creates an archive of a bus, its event log and its managed
// rule. A failure after the record was stored removes what was created.
func (s *Service) CreateArchive(ctx context.Context, in *apimodel.CreateArchiveRequest) (*apimodel.CreateArchiveResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkArchive(in.KmsKeyIdentifier, in.EventPattern); err != nil {
		return nil, err
	}
	pattern := deref(in.EventPattern)
	bus, err := s.archiveBus(ctx, c, *in.EventSourceArn)
	if err != nil {
		return nil, err
	}
	a := eventbus.Archive{
		Name: *in.ArchiveName, Account: c.Account, Bus: bus, Description: deref(in.Description),
		EventPattern: pattern, RetentionDays: deref(in.RetentionDays), State: eventbus.ArchiveEnabled, CreatedAt: s.now(),
	}
	if _, err := s.st.Archives.Create(ctx, a, 0); err != nil {
		if errors.Is(err, eventbus.ErrExists) {
			return nil, awserr.ArchiveExists(a.Name)
		}
		return nil, err
	}
	if err := s.feedArchive(ctx, a); err != nil {
		_, _ = mutate(ctx, s.st.Archives, removeIt[eventbus.Archive], c.Account, a.Name)
		_ = s.st.ArchiveLog.Drop(ctx, a.ID())
		return nil, err
	}
	return &apimodel.CreateArchiveResponse{ArchiveArn: ptr(a.ARN(s.cfg.Region)), State: ptr(a.State), CreationTime: timePtr(a.CreatedAt)}, nil
}

// feedArchive opens a's event log (or updates its retention) and puts its
// managed rule, creating it or replacing its pattern.
func (s *Service) feedArchive(ctx context.Context, a eventbus.Archive) error {
	if err := s.st.ArchiveLog.Open(ctx, a.ID(), a.Retention()); err != nil {
		return err
	}
	pattern, err := eventbus.ArchiveRulePattern(a.EventPattern)
	if err != nil {
		return awserr.InternalError(err)
	}
	now := s.now()
	rule := eventbus.Rule{
		Name: a.RuleName(), Account: a.Account, Bus: a.Bus, EventPattern: pattern, State: eventbus.RuleEnabled,
		ManagedBy: eventbus.ArchiveRuleManager, CreatedAt: now, ModifiedAt: now,
		Targets: []eventbus.Target{{ID: a.RuleName(), Arn: a.ARN(s.cfg.Region)}},
	}
	_, err = s.st.Rules.Create(ctx, rule, s.cfg.MaxRulesPerBus)
	switch {
	case errors.Is(err, eventbus.ErrLimit):
		return awserr.LimitReached()
	case errors.Is(err, eventbus.ErrExists):
		_, err = mutate(ctx, s.st.Rules, func(r *eventbus.Rule) error {
			r.EventPattern, r.State, r.ManagedBy, r.Targets, r.ModifiedAt = rule.EventPattern, rule.State, rule.ManagedBy, rule.Targets, now
			return nil
		}, a.Account, a.Bus, a.RuleName())
	}
	return err
}

// DescribeArchive describes an archive with its stored totals.
func (s *Service) DescribeArchive(ctx context.Context, in *apimodel.DescribeArchiveRequest) (*apimodel.DescribeArchiveResponse, error) {
	a, err := s.callerArchive(ctx, *in.ArchiveName)
	if err != nil {
		return nil, err
	}
	st, err := s.archiveStats(ctx, a)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeArchiveResponse{
		ArchiveArn: ptr(a.ARN(s.cfg.Region)), ArchiveName: ptr(a.Name),
		EventSourceArn: ptr(eventbus.BusARN(s.cfg.Region, a.Account, a.Bus)), Description: optional(a.Description),
		EventPattern: optional(a.EventPattern), State: ptr(a.State), StateReason: optional(a.StateReason),
		RetentionDays: ptr(a.RetentionDays), SizeBytes: ptr(st.Bytes), EventCount: ptr(st.Events),
		CreationTime: timePtr(a.CreatedAt),
	}, nil
}

// archiveStats returns a's totals; an archive whose log is missing (being
// created or deleted by another request) has none.
func (s *Service) archiveStats(ctx context.Context, a eventbus.Archive) (eventbus.ArchiveStats, error) {
	st, err := s.st.ArchiveLog.Stats(ctx, a.ID())
	if errors.Is(err, eventbus.ErrNoArchive) {
		return eventbus.ArchiveStats{}, nil
	}
	return st, err
}

// ListArchives lists the caller's archives, filtered by name prefix, source
// bus and state.
func (s *Service) ListArchives(ctx context.Context, in *apimodel.ListArchivesRequest) (*apimodel.ListArchivesResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	source := ""
	if in.EventSourceArn != nil {
		if source, err = s.archiveBus(ctx, c, *in.EventSourceArn); err != nil {
			return nil, err
		}
	}
	all, err := s.st.Archives.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix, state := deref(in.NamePrefix), deref(in.State)
	keep := func(a eventbus.Archive) bool {
		return strings.HasPrefix(a.Name, prefix) && (source == "" || a.Bus == source) && (state == "" || a.State == state)
	}
	archives, next, err := pageOf(all, func(a eventbus.Archive) string { return a.Name }, keep,
		"archives:"+prefix+"\x00"+source+"\x00"+state, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListArchivesResponse{Archives: []apimodel.Archive{}, NextToken: next}
	for _, a := range archives {
		st, err := s.archiveStats(ctx, a)
		if err != nil {
			return nil, err
		}
		out.Archives = append(out.Archives, apimodel.Archive{
			ArchiveName: ptr(a.Name), EventSourceArn: ptr(eventbus.BusARN(s.cfg.Region, a.Account, a.Bus)),
			State: ptr(a.State), StateReason: optional(a.StateReason), RetentionDays: ptr(a.RetentionDays),
			SizeBytes: ptr(st.Bytes), EventCount: ptr(st.Events), CreationTime: timePtr(a.CreatedAt),
		})
	}
	return out, nil
}

// UpdateArchive changes an archive's description, pattern or retention;
// fields left out keep their values.
func (s *Service) UpdateArchive(ctx context.Context, in *apimodel.UpdateArchiveRequest) (*apimodel.UpdateArchiveResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkArchive(in.KmsKeyIdentifier, in.EventPattern); err != nil {
		return nil, err
	}
	a, err := mutate(ctx, s.st.Archives, func(a *eventbus.Archive) error {
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.EventPattern != nil {
			a.EventPattern = *in.EventPattern
		}
		if in.RetentionDays != nil {
			a.RetentionDays = *in.RetentionDays
		}
		return nil
	}, c.Account, *in.ArchiveName)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.ArchiveNotFound(*in.ArchiveName)
	}
	if err != nil {
		return nil, err
	}
	if err := s.feedArchive(ctx, a); err != nil {
		return nil, err
	}
	return &apimodel.UpdateArchiveResponse{ArchiveArn: ptr(a.ARN(s.cfg.Region)), State: ptr(a.State), CreationTime: timePtr(a.CreatedAt)}, nil
}

// DeleteArchive deletes an archive: its managed rule first (no new events),
// then the record, then its events.
func (s *Service) DeleteArchive(ctx context.Context, in *apimodel.DeleteArchiveRequest) (*apimodel.DeleteArchiveResponse, error) {
	a, err := s.callerArchive(ctx, *in.ArchiveName)
	if err != nil {
		return nil, err
	}
	_, err = mutate(ctx, s.st.Rules, func(r *eventbus.Rule) error {
		if r.ManagedBy != eventbus.ArchiveRuleManager {
			return errNotArchiveRule
		}
		return eventbus.ErrRemove
	}, a.Account, a.Bus, a.RuleName())
	if err != nil && !errors.Is(err, eventbus.ErrNotFound) && !errors.Is(err, errNotArchiveRule) {
		return nil, err
	}
	if _, err := mutate(ctx, s.st.Archives, removeIt[eventbus.Archive], a.Account, a.Name); err != nil && !errors.Is(err, eventbus.ErrNotFound) {
		return nil, err
	}
	if err := s.st.ArchiveLog.Drop(ctx, a.ID()); err != nil {
		return nil, err
	}
	return &apimodel.DeleteArchiveResponse{}, nil
}

// removeIt is the change that removes a record (see mutate).
func removeIt[T any](*T) error { return eventbus.ErrRemove }

// errNotArchiveRule stops DeleteArchive from removing a rule of the
// archive rule's name that the archive does not manage.
var errNotArchiveRule = errors.New("api: rule is not the archive's")
