package api

import (
	"context"
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the event bus operations.

// busExists reports whether account has a bus called name.
func (s *Service) busExists(ctx context.Context, account, name string) (bool, error) {
	_, _, err := s.st.Buses.Get(ctx, account, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, eventbus.ErrNotFound):
		return name == eventbus.DefaultBus, nil
	default:
		return false, err
	}
}

// ensureDefault stores account's default bus the first time it is needed:
// every account has one from the start.
func (s *Service) ensureDefault(ctx context.Context, account string) error {
	if _, _, err := s.st.Buses.Get(ctx, account, eventbus.DefaultBus); !errors.Is(err, eventbus.ErrNotFound) {
		return err
	}
	now := s.now()
	_, err := s.st.Buses.Create(ctx, eventbus.Bus{Name: eventbus.DefaultBus, Account: account, CreatedAt: now, ModifiedAt: now}, 0)
	if errors.Is(err, eventbus.ErrExists) {
		return nil
	}
	return err
}

// resolveBus turns an optional EventBusNameOrArn into the caller's account
// and bus name (default when absent). A bus of another account, or an ARN
// that names no bus of this region, does not exist for the caller.
func (s *Service) resolveBus(c eventbus.Caller, nameOrARN *string) (string, error) {
	if nameOrARN == nil {
		return eventbus.DefaultBus, nil
	}
	account, name, ok := eventbus.BusRef(*nameOrARN, c.Account, s.cfg.Region)
	if !ok || account != c.Account {
		return "", awserr.BusNotFound(*nameOrARN)
	}
	return name, nil
}

// getBus reads a bus of the caller's account.
func (s *Service) getBus(ctx context.Context, account, name string) (eventbus.Bus, error) {
	if name == eventbus.DefaultBus {
		if err := s.ensureDefault(ctx, account); err != nil {
			return eventbus.Bus{}, err
		}
	}
	return find(ctx, s.st.Buses, func() *awserr.Error { return awserr.BusNotFound(name) }, account, name)
}

// CreateEventBus creates a custom bus, or a partner bus for a source offered
// to the caller (which makes the source ACTIVE).
func (s *Service) CreateEventBus(ctx context.Context, in *apimodel.CreateEventBusRequest) (*apimodel.CreateEventBusResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name, source := *in.Name, deref(in.EventSourceName)
	if msg := eventbus.CheckNewBusName(name, source); msg != "" {
		return nil, awserr.New(awserr.Validation, msg)
	}
	if err := s.ensureDefault(ctx, c.Account); err != nil {
		return nil, err
	}
	if err := s.checkBusQuota(ctx, c.Account); err != nil {
		return nil, err
	}
	if source != "" {
		if err := s.claimSource(ctx, c, source); err != nil {
			return nil, err
		}
	}
	s.busGaps(in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig)
	now := s.now()
	bus := eventbus.Bus{
		Name: name, Account: c.Account, EventSourceName: source, Description: deref(in.Description),
		KmsKeyIdentifier: deref(in.KmsKeyIdentifier), LogConfig: logConfigIn(in.LogConfig),
		CreatedAt: now, ModifiedAt: now, Tags: tagsIn(in.Tags),
	}
	if in.DeadLetterConfig != nil {
		bus.DeadLetterArn = deref(in.DeadLetterConfig.Arn)
	}
	_, err = s.st.Buses.Create(ctx, bus, s.cfg.MaxBusesPerAccount)
	switch {
	case errors.Is(err, eventbus.ErrExists):
		return nil, awserr.BusExists(name)
	case errors.Is(err, eventbus.ErrLimit):
		return nil, awserr.BusLimit(s.cfg.MaxBusesPerAccount)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.CreateEventBusResponse{
		EventBusArn: ptr(eventbus.BusARN(s.cfg.Region, c.Account, name)), Description: in.Description,
		KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig, LogConfig: in.LogConfig,
	}, nil
}

// claimSource checks that source is offered to the caller and clears any
// earlier deactivation, so the bus about to be created makes it ACTIVE.
func (s *Service) claimSource(ctx context.Context, c eventbus.Caller, source string) error {
	_, err := mutate(ctx, s.st.Sources, func(src *eventbus.Source) error {
		st, err := s.status(ctx, *src)
		if err != nil {
			return err
		}
		if src.Account != c.Account || st.Gone {
			return awserr.SourceNotFound(source)
		}
		if st.State == eventbus.StateDeleted {
			return awserr.SourceDeleted(source)
		}
		if !src.Deactivated {
			return errNoChange
		}
		src.Deactivated = false
		return nil
	}, source)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return awserr.SourceNotFound(source)
	case errors.Is(err, errNoChange):
		return nil
	}
	return err
}

func (s *Service) checkBusQuota(ctx context.Context, account string) error {
	if s.cfg.MaxBusesPerAccount <= 0 {
		return nil
	}
	n, err := s.st.Buses.Count(ctx, account)
	if err != nil {
		return err
	}
	if n >= s.cfg.MaxBusesPerAccount {
		return awserr.BusLimit(s.cfg.MaxBusesPerAccount)
	}
	return nil
}

// DescribeEventBus describes a bus of the caller's account (default when no
// name is given).
func (s *Service) DescribeEventBus(ctx context.Context, in *apimodel.DescribeEventBusRequest) (*apimodel.DescribeEventBusResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name, err := s.resolveBus(c, in.Name)
	if err != nil {
		return nil, err
	}
	b, err := s.getBus(ctx, c.Account, name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeEventBusResponse{
		Name: ptr(b.Name), Arn: ptr(eventbus.BusARN(s.cfg.Region, b.Account, b.Name)), Description: optional(b.Description),
		KmsKeyIdentifier: optional(b.KmsKeyIdentifier), DeadLetterConfig: deadLetterOut(b.DeadLetterArn), Policy: optional(b.Policy),
		LogConfig: logConfigOut(b.LogConfig), CreationTime: timePtr(b.CreatedAt), LastModifiedTime: timePtr(b.ModifiedAt),
	}, nil
}

// UpdateEventBus changes the given settings of a bus (default when no name is given).
func (s *Service) UpdateEventBus(ctx context.Context, in *apimodel.UpdateEventBusRequest) (*apimodel.UpdateEventBusResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name := deref(in.Name)
	if name == "" {
		name = eventbus.DefaultBus
	}
	s.busGaps(in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig)
	if _, err := s.getBus(ctx, c.Account, name); err != nil {
		return nil, err
	}
	b, err := mutate(ctx, s.st.Buses, func(b *eventbus.Bus) error {
		if in.Description != nil {
			b.Description = *in.Description
		}
		if in.KmsKeyIdentifier != nil {
			b.KmsKeyIdentifier = *in.KmsKeyIdentifier
		}
		if in.DeadLetterConfig != nil {
			b.DeadLetterArn = deref(in.DeadLetterConfig.Arn)
		}
		if in.LogConfig != nil {
			b.LogConfig = logConfigIn(in.LogConfig)
		}
		b.ModifiedAt = s.now()
		return nil
	}, c.Account, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.BusNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.UpdateEventBusResponse{
		Arn: ptr(eventbus.BusARN(s.cfg.Region, b.Account, b.Name)), Name: ptr(b.Name), KmsKeyIdentifier: optional(b.KmsKeyIdentifier),
		Description: optional(b.Description), DeadLetterConfig: deadLetterOut(b.DeadLetterArn), LogConfig: logConfigOut(b.LogConfig),
	}, nil
}

// DeleteEventBus deletes a bus of the caller's account. The default bus
// cannot be deleted, nor a bus with rules; deleting a bus that does not exist
// does nothing. Deleting a partner bus makes its source PENDING again.
func (s *Service) DeleteEventBus(ctx context.Context, in *apimodel.DeleteEventBusRequest) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	name := *in.Name
	if name == eventbus.DefaultBus {
		return awserr.DefaultBusUndeletable()
	}
	rules, err := s.st.Rules.Count(ctx, c.Account, name)
	if err != nil {
		return err
	}
	if rules > 0 {
		return awserr.BusHasRules()
	}
	bus, err := mutate(ctx, s.st.Buses, func(*eventbus.Bus) error { return eventbus.ErrRemove }, c.Account, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if bus.EventSourceName != "" {
		return s.releaseSource(ctx, c.Account, bus.EventSourceName)
	}
	return nil
}

// releaseSource records that a source's partner bus is gone: a live source
// becomes PENDING from now; one its partner had deleted disappears.
func (s *Service) releaseSource(ctx context.Context, account, source string) error {
	_, err := mutate(ctx, s.st.Sources, func(src *eventbus.Source) error {
		if src.Account != account {
			return errNoChange
		}
		if src.Deleted {
			return eventbus.ErrRemove
		}
		src.PendingSince = s.now()
		return nil
	}, source)
	if errors.Is(err, eventbus.ErrNotFound) || errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// ListEventBuses lists the caller's buses under an optional name prefix.
func (s *Service) ListEventBuses(ctx context.Context, in *apimodel.ListEventBusesRequest) (*apimodel.ListEventBusesResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.ensureDefault(ctx, c.Account); err != nil {
		return nil, err
	}
	all, err := s.st.Buses.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix := deref(in.NamePrefix)
	buses, next, err := pageOf(all, func(b eventbus.Bus) string { return b.Name },
		func(b eventbus.Bus) bool { return strings.HasPrefix(b.Name, prefix) }, "event-buses", in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListEventBusesResponse{NextToken: next, EventBuses: []apimodel.EventBus{}}
	for _, b := range buses {
		out.EventBuses = append(out.EventBuses, apimodel.EventBus{
			Name: ptr(b.Name), Arn: ptr(eventbus.BusARN(s.cfg.Region, b.Account, b.Name)), Description: optional(b.Description),
			Policy: optional(b.Policy), CreationTime: timePtr(b.CreatedAt), LastModifiedTime: timePtr(b.ModifiedAt),
		})
	}
	return out, nil
}

// busGaps logs, once each, the bus settings switchyard stores and returns
// but does not act on yet.
func (s *Service) busGaps(kmsKey *string, dlq *apimodel.DeadLetterConfig, logs *apimodel.LogConfig) {
	if deref(kmsKey) != "" {
		s.gap("an event bus's KmsKeyIdentifier (events are stored in JetStream, not encrypted with AWS KMS)")
	}
	if dlq != nil && deref(dlq.Arn) != "" {
		s.gap("an event bus's DeadLetterConfig (dead letters go to each target's DeadLetterConfig and switchyard's store)")
	}
	if logs != nil && deref(logs.Level) != "" && deref(logs.Level) != "OFF" && s.cfg.BusLog == nil {
		s.gap("an event bus's LogConfig (this server was started without bus logging)")
	}
}

func logConfigIn(l *apimodel.LogConfig) *eventbus.LogConfig {
	if l == nil {
		return nil
	}
	return &eventbus.LogConfig{IncludeDetail: deref(l.IncludeDetail), Level: deref(l.Level)}
}

func logConfigOut(l *eventbus.LogConfig) *apimodel.LogConfig {
	if l == nil {
		return nil
	}
	return &apimodel.LogConfig{IncludeDetail: optional(l.IncludeDetail), Level: optional(l.Level)}
}

func deadLetterOut(arn string) *apimodel.DeadLetterConfig {
	if arn == "" {
		return nil
	}
	return &apimodel.DeadLetterConfig{Arn: ptr(arn)}
}
