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

// This file holds the partner event source operations, for both sides: the
// SaaS partner that creates sources and the customer account they are for.

// partnerCaller checks that partner operations are enabled and returns the
// caller.
func (s *Service) partnerCaller(ctx context.Context) (eventbus.Caller, error) {
	if !s.cfg.PartnerOperations {
		return eventbus.Caller{}, awserr.PartnerOperationsDisabled()
	}
	return caller(ctx)
}

// status derives the customer-visible state of src.
func (s *Service) status(ctx context.Context, src eventbus.Source) (eventbus.SourceStatus, error) {
	exists, err := s.busExists(ctx, src.Account, src.Name)
	if err != nil {
		return eventbus.SourceStatus{}, err
	}
	return src.Status(exists, s.now(), s.cfg.SourceExpiry), nil
}

// ownedSource returns the source name if the partner account owns it and it
// has neither been deleted nor expired.
func (s *Service) ownedSource(ctx context.Context, c eventbus.Caller, name string) (eventbus.Source, eventbus.SourceStatus, error) {
	return s.visibleSource(ctx, name, func(src eventbus.Source, st eventbus.SourceStatus) bool {
		return src.PartnerAccount == c.Account && st.VisibleToPartner()
	})
}

// customerSource returns the source name if it was created for the caller's
// account and is not gone.
func (s *Service) customerSource(ctx context.Context, c eventbus.Caller, name string) (eventbus.Source, eventbus.SourceStatus, error) {
	return s.visibleSource(ctx, name, func(src eventbus.Source, st eventbus.SourceStatus) bool {
		return src.Account == c.Account && !st.Gone
	})
}

// visibleSource reads the source name and derives its state; a source that
// does not exist, or that visible refuses, is ResourceNotFoundException, so
// other accounts cannot tell the two apart.
func (s *Service) visibleSource(ctx context.Context, name string, visible func(eventbus.Source, eventbus.SourceStatus) bool) (eventbus.Source, eventbus.SourceStatus, error) {
	src, _, err := s.st.Sources.Get(ctx, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return src, eventbus.SourceStatus{}, awserr.SourceNotFound(name)
	}
	if err != nil {
		return src, eventbus.SourceStatus{}, err
	}
	st, err := s.status(ctx, src)
	if err != nil {
		return src, st, err
	}
	if !visible(src, st) {
		return src, st, awserr.SourceNotFound(name)
	}
	return src, st, nil
}

// CreatePartnerEventSource creates a source for a customer account.
func (s *Service) CreatePartnerEventSource(ctx context.Context, in *apimodel.CreatePartnerEventSourceRequest) (*apimodel.CreatePartnerEventSourceResponse, error) {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return nil, err
	}
	name, account := *in.Name, *in.Account
	partner, ok := eventbus.PartnerName(name)
	if !ok {
		return nil, awserr.SourceNameInvalid(name)
	}
	if !c.MayUsePartner(partner) {
		return nil, awserr.PartnerNotAuthorized(c.Account, partner)
	}
	if err := s.checkSourceQuota(ctx, c.Account); err != nil {
		return nil, err
	}
	now := s.now()
	src := eventbus.Source{Name: name, Partner: partner, PartnerAccount: c.Account, Account: account, CreatedAt: now, PendingSince: now}
	_, err = s.st.Sources.Create(ctx, src, s.cfg.MaxSourcesPerPartnerAccount)
	if errors.Is(err, eventbus.ErrExists) {
		err = s.replaceGoneSource(ctx, src)
	}
	if errors.Is(err, eventbus.ErrLimit) {
		return nil, awserr.SourceLimit(s.cfg.MaxSourcesPerPartnerAccount)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.CreatePartnerEventSourceResponse{EventSourceArn: ptr(eventbus.SourceARN(s.cfg.Region, name))}, nil
}

// replaceGoneSource lets a name be created again once its previous source
// was deleted by its partner or expired; a live source keeps its name.
func (s *Service) replaceGoneSource(ctx context.Context, src eventbus.Source) error {
	_, err := s.st.Sources.Update(ctx, s.cfg.MaxSourcesPerPartnerAccount, func(old *eventbus.Source) error {
		st, err := s.status(ctx, *old)
		if err != nil {
			return err
		}
		if st.VisibleToPartner() {
			return awserr.SourceExists(src.Name)
		}
		*old = src
		return nil
	}, src.Name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound): // removed meanwhile: try a plain create once more
		_, err = s.st.Sources.Create(ctx, src, s.cfg.MaxSourcesPerPartnerAccount)
		if errors.Is(err, eventbus.ErrExists) {
			return awserr.SourceExists(src.Name)
		}
	case errors.Is(err, eventbus.ErrConflict):
		return awserr.ConcurrentChange()
	}
	return err
}

func (s *Service) checkSourceQuota(ctx context.Context, partnerAccount string) error {
	if s.cfg.MaxSourcesPerPartnerAccount <= 0 {
		return nil
	}
	n, err := s.st.Sources.Count(ctx, partnerAccount)
	if err != nil {
		return err
	}
	if n >= s.cfg.MaxSourcesPerPartnerAccount {
		return awserr.SourceLimit(s.cfg.MaxSourcesPerPartnerAccount)
	}
	return nil
}

// DescribePartnerEventSource describes a source the calling partner owns.
func (s *Service) DescribePartnerEventSource(ctx context.Context, in *apimodel.DescribePartnerEventSourceRequest) (*apimodel.DescribePartnerEventSourceResponse, error) {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return nil, err
	}
	src, _, err := s.ownedSource(ctx, c, *in.Name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribePartnerEventSourceResponse{Arn: ptr(eventbus.SourceARN(s.cfg.Region, src.Name)), Name: ptr(src.Name)}, nil
}

// DeletePartnerEventSource deletes a source of the calling partner. The
// customer keeps seeing it as DELETED while its partner bus exists.
//
// The operation's model lists no not-found error (only
// ConcurrentModification, Internal and OperationDisabled), so deleting a
// source that does not exist, or was deleted already, answers 200 and does
// nothing. Deleting another partner's source is a different case: AWS
// authorizes every call before running it, and AccessDeniedException is one
// of the errors its Common Errors page lists for every action, so a caller
// not allowed the partner name in the source's name, or whose account did
// not create the source, gets AccessDeniedException (IAM's wording) and the
// source is left alone. Answering 200 there would tell the caller the
// source was gone when it was not.
func (s *Service) DeletePartnerEventSource(ctx context.Context, in *apimodel.DeletePartnerEventSourceRequest) error {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return err
	}
	name := *in.Name
	denied := awserr.SourceAccessDenied(c.Account, "DeletePartnerEventSource", eventbus.SourceARN(s.cfg.Region, name))
	if partner, ok := eventbus.PartnerName(name); !ok || !c.MayUsePartner(partner) {
		return denied
	}
	_, err = mutate(ctx, s.st.Sources, func(src *eventbus.Source) error {
		if src.PartnerAccount != c.Account {
			return denied
		}
		if src.Account != *in.Account || src.Deleted {
			return errNoChange
		}
		exists, err := s.busExists(ctx, src.Account, src.Name)
		if err != nil {
			return err
		}
		if !exists {
			return eventbus.ErrRemove
		}
		src.Deleted, src.DeletedAt = true, s.now()
		return nil
	}, name)
	if errors.Is(err, eventbus.ErrNotFound) || errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// errNoChange, returned by a mutate function, leaves the record as it is.
var errNoChange = errors.New("api: no change")

// ListPartnerEventSources lists the calling partner's sources under a prefix.
func (s *Service) ListPartnerEventSources(ctx context.Context, in *apimodel.ListPartnerEventSourcesRequest) (*apimodel.ListPartnerEventSourcesResponse, error) {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Sources.List(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, src := range all {
		if src.PartnerAccount != c.Account || !strings.HasPrefix(src.Name, *in.NamePrefix) || src.Deleted {
			continue
		}
		st, err := s.status(ctx, src)
		if err != nil {
			return nil, err
		}
		if st.VisibleToPartner() {
			names = append(names, src.Name)
		}
	}
	sort.Strings(names)
	p, err := page(names, "partner-sources", in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListPartnerEventSourcesResponse{NextToken: optional(p.NextToken), PartnerEventSources: []apimodel.PartnerEventSource{}}
	for _, name := range names[p.Start:p.End] {
		out.PartnerEventSources = append(out.PartnerEventSources, apimodel.PartnerEventSource{Arn: ptr(eventbus.SourceARN(s.cfg.Region, name)), Name: ptr(name)})
	}
	return out, nil
}

// ListPartnerEventSourceAccounts lists the account a source is offered to.
func (s *Service) ListPartnerEventSourceAccounts(ctx context.Context, in *apimodel.ListPartnerEventSourceAccountsRequest) (*apimodel.ListPartnerEventSourceAccountsResponse, error) {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return nil, err
	}
	src, st, err := s.ownedSource(ctx, c, *in.EventSourceName)
	if err != nil {
		return nil, err
	}
	p, err := page([]string{src.Account}, "partner-source-accounts", in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListPartnerEventSourceAccountsResponse{NextToken: optional(p.NextToken), PartnerEventSourceAccounts: []apimodel.PartnerEventSourceAccount{}}
	if p.End > p.Start {
		out.PartnerEventSourceAccounts = append(out.PartnerEventSourceAccounts, apimodel.PartnerEventSourceAccount{
			Account: ptr(src.Account), CreationTime: timePtr(src.CreatedAt), ExpirationTime: timePtr(st.Expires), State: ptr(st.State),
		})
	}
	return out, nil
}

// ListEventSources lists the sources offered to the calling customer.
func (s *Service) ListEventSources(ctx context.Context, in *apimodel.ListEventSourcesRequest) (*apimodel.ListEventSourcesResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Sources.List(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.st.Buses.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	buses := make(map[string]bool, len(list))
	for _, b := range list {
		buses[b.Name] = true
	}
	type view struct {
		src eventbus.Source
		st  eventbus.SourceStatus
	}
	visible := map[string]view{}
	var names []string
	for _, src := range all {
		if src.Account != c.Account || !strings.HasPrefix(src.Name, deref(in.NamePrefix)) {
			continue
		}
		st := src.Status(buses[src.Name], s.now(), s.cfg.SourceExpiry)
		if st.Gone {
			continue
		}
		visible[src.Name] = view{src, st}
		names = append(names, src.Name)
	}
	sort.Strings(names)
	p, err := page(names, "event-sources", in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListEventSourcesResponse{NextToken: optional(p.NextToken), EventSources: []apimodel.EventSource{}}
	for _, name := range names[p.Start:p.End] {
		v := visible[name]
		out.EventSources = append(out.EventSources, apimodel.EventSource{
			Arn: ptr(eventbus.SourceARN(s.cfg.Region, name)), CreatedBy: ptr(v.src.Partner), CreationTime: timePtr(v.src.CreatedAt),
			ExpirationTime: timePtr(v.st.Expires), Name: ptr(name), State: ptr(v.st.State),
		})
	}
	return out, nil
}

// DescribeEventSource describes a source offered to the calling customer.
func (s *Service) DescribeEventSource(ctx context.Context, in *apimodel.DescribeEventSourceRequest) (*apimodel.DescribeEventSourceResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	src, st, err := s.customerSource(ctx, c, *in.Name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeEventSourceResponse{
		Arn: ptr(eventbus.SourceARN(s.cfg.Region, src.Name)), CreatedBy: ptr(src.Partner), CreationTime: timePtr(src.CreatedAt),
		ExpirationTime: timePtr(st.Expires), Name: ptr(src.Name), State: ptr(st.State),
	}, nil
}

// ActivateEventSource makes a deactivated source ACTIVE again; it needs the
// customer's partner bus.
func (s *Service) ActivateEventSource(ctx context.Context, in *apimodel.ActivateEventSourceRequest) error {
	return s.setDeactivated(ctx, *in.Name, false)
}

// DeactivateEventSource stops a source's events from reaching its bus; the
// source is PENDING (and expires) until activated again.
func (s *Service) DeactivateEventSource(ctx context.Context, in *apimodel.DeactivateEventSourceRequest) error {
	return s.setDeactivated(ctx, *in.Name, true)
}

func (s *Service) setDeactivated(ctx context.Context, name string, deactivate bool) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	notFound := awserr.SourceOrBusNotFound(name)
	_, err = mutate(ctx, s.st.Sources, func(src *eventbus.Source) error {
		st, err := s.status(ctx, *src)
		if err != nil {
			return err
		}
		if src.Account != c.Account || st.Gone {
			return notFound
		}
		if st.State == eventbus.StateDeleted {
			return awserr.SourceDeleted(name)
		}
		if !deactivate {
			if exists, err := s.busExists(ctx, c.Account, name); err != nil {
				return err
			} else if !exists {
				return notFound
			}
		}
		if src.Deactivated == deactivate {
			return errNoChange
		}
		src.Deactivated = deactivate
		if deactivate && st.State == eventbus.StateActive {
			src.PendingSince = s.now()
		}
		return nil
	}, name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return notFound
	case errors.Is(err, errNoChange):
		return nil
	}
	return err
}
