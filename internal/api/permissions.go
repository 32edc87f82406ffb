package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds PutPermission and RemovePermission, which edit a bus's
// resource policy (eventbus.Bus.Policy, a JSON document in the form
// eventbus.Policy renders). DescribeEventBus and ListEventBuses return it;
// the router consults it with eventbus.PolicyAllows.

// permissionEdit is the change one PutPermission call makes: a whole
// document that replaces the policy, or one statement put under its Sid.
type permissionEdit struct {
	whole *eventbus.Policy
	sid   string
	stmt  json.RawMessage
}

// checkPutPermission validates a PutPermission request for the bus busARN
// and returns the edit it asks for.
func checkPutPermission(in *apimodel.PutPermissionRequest, busARN string) (permissionEdit, error) {
	if in.Policy != nil {
		if in.Action != nil || in.Principal != nil || in.StatementId != nil || in.Condition != nil {
			return permissionEdit{}, awserr.PolicyExclusive()
		}
		p, err := eventbus.ParsePolicy(*in.Policy)
		if err != nil {
			return permissionEdit{}, awserr.PolicyInvalid()
		}
		return permissionEdit{whole: &p}, nil
	}
	if in.Action == nil || in.Principal == nil || in.StatementId == nil {
		return permissionEdit{}, awserr.PermissionParamsRequired()
	}
	if *in.Action != eventbus.ActionPutEvents {
		return permissionEdit{}, awserr.PermissionActionUnsupported()
	}
	g := eventbus.Grant{Sid: *in.StatementId, Principal: *in.Principal, Action: *in.Action, Resource: busARN}
	if cond := in.Condition; cond != nil {
		switch {
		case g.Principal != "*":
			return permissionEdit{}, awserr.ConditionPrincipalNotAll()
		case deref(cond.Type) != "StringEquals":
			return permissionEdit{}, awserr.ConditionTypeUnsupported()
		case deref(cond.Key) != "aws:PrincipalOrgID":
			return permissionEdit{}, awserr.ConditionKeyUnsupported()
		}
		g.Condition = &eventbus.PolicyCondition{Type: *cond.Type, Key: *cond.Key, Value: deref(cond.Value)}
	}
	return permissionEdit{sid: g.Sid, stmt: g.Statement()}, nil
}

// storedPolicy parses a bus's stored policy ("" is the empty policy).
func storedPolicy(doc string) (eventbus.Policy, error) {
	if doc == "" {
		return eventbus.Policy{}, nil
	}
	p, err := eventbus.ParsePolicy(doc)
	if err != nil {
		return p, fmt.Errorf("api: stored bus policy: %w", err)
	}
	return p, nil
}

// permissionBus resolves the EventBusName of a permission call (default when
// absent) and checks that the caller's bus exists and is not a partner bus.
func (s *Service) permissionBus(ctx context.Context, name *string) (eventbus.Bus, error) {
	c, err := caller(ctx)
	if err != nil {
		return eventbus.Bus{}, err
	}
	bus := deref(name)
	if bus == "" {
		bus = eventbus.DefaultBus
	}
	b, err := s.getBus(ctx, c.Account, bus)
	if err != nil {
		return b, err
	}
	if b.IsPartner() {
		return b, awserr.PartnerBusPermission()
	}
	return b, nil
}

// PutPermission lets another account (or every account, optionally within
// an organization) put events on a bus, by adding or replacing the policy
// statement with the given StatementId; or replaces the whole policy with
// Policy. A policy over eventbus.MaxPolicyLength bytes is refused with
// PolicyLengthExceededException and nothing changes.
func (s *Service) PutPermission(ctx context.Context, in *apimodel.PutPermissionRequest) error {
	b, err := s.permissionBus(ctx, in.EventBusName)
	if err != nil {
		return err
	}
	edit, err := checkPutPermission(in, eventbus.BusARN(s.cfg.Region, b.Account, b.Name))
	if err != nil {
		return err
	}
	_, err = mutate(ctx, s.st.Buses, func(b *eventbus.Bus) error {
		p, err := storedPolicy(b.Policy)
		if err != nil {
			return err
		}
		if edit.whole != nil {
			p = *edit.whole
		} else {
			p.PutStatement(edit.sid, edit.stmt)
		}
		doc := p.Render()
		if len(doc) > eventbus.MaxPolicyLength {
			return awserr.PolicyTooLong(len(doc), eventbus.MaxPolicyLength)
		}
		b.Policy, b.ModifiedAt = doc, s.now()
		return nil
	}, b.Account, b.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return awserr.BusNotFound(b.Name)
	}
	return err
}

// RemovePermission removes the policy statement with the given StatementId,
// or the whole policy with RemoveAllPermissions. A bus left without
// statements has no policy.
func (s *Service) RemovePermission(ctx context.Context, in *apimodel.RemovePermissionRequest) error {
	all := deref(in.RemoveAllPermissions)
	if !all && in.StatementId == nil {
		return awserr.StatementIDRequired()
	}
	b, err := s.permissionBus(ctx, in.EventBusName)
	if err != nil {
		return err
	}
	_, err = mutate(ctx, s.st.Buses, func(b *eventbus.Bus) error {
		if all {
			if b.Policy == "" {
				return awserr.NoPolicy()
			}
			b.Policy, b.ModifiedAt = "", s.now()
			return nil
		}
		p, err := storedPolicy(b.Policy)
		if err != nil {
			return err
		}
		if !p.RemoveStatement(*in.StatementId) {
			return awserr.StatementNotFound()
		}
		b.Policy, b.ModifiedAt = p.Render(), s.now()
		return nil
	}, b.Account, b.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return awserr.BusNotFound(b.Name)
	}
	return err
}
