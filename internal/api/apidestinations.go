package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the API destination operations and the lookup the HTTP
// sender uses (ResolveAPIDestination). A destination is stored as an
// eventbus.APIDestination under (account, name) of Stores.APIDestinations;
// its state is not stored but follows its connection's
// (eventbus.APIDestinationState), as AWS reports a destination INACTIVE
// while its connection is not authorized.
//
// Messages follow AWS's "Failed to <verb> the api-destination(s). <detail>"
// form; they live in awserr's catalogue (internal/awserr/messages.go).

var _ eventbus.APIDestinationResolver = (*Service)(nil)

// checkInvocationEndpoint applies eventbus.ValidEndpoint.
func (s *Service) checkInvocationEndpoint(verb, endpoint string) error {
	if eventbus.ValidEndpoint(endpoint, s.cfg.HTTPLoopbackEndpoints) {
		return nil
	}
	return awserr.InvocationEndpointInvalid(verb, endpoint)
}

// destinationConnection returns the connection a destination of account
// may use: the one connectionArn names, of the same account and region.
// Anything else does not exist for the caller (ResourceNotFoundException).
func (s *Service) destinationConnection(ctx context.Context, verb, account, connectionArn string) (eventbus.Connection, error) {
	conn, err := s.lookupConnection(ctx, account, connectionArn)
	if errors.Is(err, eventbus.ErrNotFound) {
		name := connectionArn
		if ref, ok := eventbus.ParseConnectionARN(connectionArn); ok {
			name = ref.Name
		}
		return conn, awserr.DestinationConnectionNotFound(verb, name)
	}
	return conn, err
}

// CreateApiDestination creates an API destination on a connection of the
// caller's account. InvocationRateLimitPerSecond defaults to 300. The
// account may have at most MaxAPIDestinations.
func (s *Service) CreateApiDestination(ctx context.Context, in *apimodel.CreateApiDestinationRequest) (*apimodel.CreateApiDestinationResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkInvocationEndpoint("create", *in.InvocationEndpoint); err != nil {
		return nil, err
	}
	conn, err := s.destinationConnection(ctx, "create", c.Account, *in.ConnectionArn)
	if err != nil {
		return nil, err
	}
	if err := checkNew(ctx, s.st.APIDestinations, c.Account, *in.Name, s.cfg.MaxAPIDestinations, awserr.APIDestinationExists); err != nil {
		return nil, err
	}
	now := s.now()
	d := eventbus.APIDestination{
		Name: *in.Name, Account: c.Account, ID: uuid.NewString(), Description: deref(in.Description),
		ConnectionArn: *in.ConnectionArn, InvocationEndpoint: *in.InvocationEndpoint, HTTPMethod: *in.HttpMethod,
		InvocationRateLimitPerSecond: eventbus.DefaultInvocationRateLimit, CreatedAt: now, ModifiedAt: now,
	}
	if in.InvocationRateLimitPerSecond != nil {
		d.InvocationRateLimitPerSecond = int(*in.InvocationRateLimitPerSecond)
	}
	_, err = s.st.APIDestinations.Create(ctx, d, s.cfg.MaxAPIDestinations)
	switch {
	case errors.Is(err, eventbus.ErrExists):
		return nil, awserr.APIDestinationExists(d.Name)
	case errors.Is(err, eventbus.ErrLimit):
		return nil, awserr.LimitReached()
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.CreateApiDestinationResponse{
		ApiDestinationArn: ptr(d.ARN(s.cfg.Region)), ApiDestinationState: ptr(eventbus.APIDestinationState(&conn)),
		CreationTime: timePtr(d.CreatedAt), LastModifiedTime: timePtr(d.ModifiedAt),
	}, nil
}

// destinationState is the state of d now: its connection is read again.
func (s *Service) destinationState(ctx context.Context, d eventbus.APIDestination) (string, error) {
	conn, err := s.lookupConnection(ctx, d.Account, d.ConnectionArn)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return eventbus.APIDestinationState(nil), nil
	case err != nil:
		return "", err
	}
	return eventbus.APIDestinationState(&conn), nil
}

// DescribeApiDestination describes an API destination of the caller's
// account.
func (s *Service) DescribeApiDestination(ctx context.Context, in *apimodel.DescribeApiDestinationRequest) (*apimodel.DescribeApiDestinationResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	d, _, err := s.st.APIDestinations.Get(ctx, c.Account, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.APIDestinationNotFound("describe", *in.Name)
	}
	if err != nil {
		return nil, err
	}
	state, err := s.destinationState(ctx, d)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeApiDestinationResponse{
		ApiDestinationArn: ptr(d.ARN(s.cfg.Region)), Name: ptr(d.Name), Description: optional(d.Description),
		ApiDestinationState: ptr(state), ConnectionArn: ptr(d.ConnectionArn), InvocationEndpoint: ptr(d.InvocationEndpoint),
		HttpMethod: ptr(d.HTTPMethod), InvocationRateLimitPerSecond: ptr(int64(d.InvocationRateLimitPerSecond)),
		CreationTime: timePtr(d.CreatedAt), LastModifiedTime: timePtr(d.ModifiedAt),
	}, nil
}

// UpdateApiDestination changes the settings given and keeps the others. A
// new ConnectionArn must name a connection of the caller's account.
func (s *Service) UpdateApiDestination(ctx context.Context, in *apimodel.UpdateApiDestinationRequest) (*apimodel.UpdateApiDestinationResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.InvocationEndpoint != nil {
		if err := s.checkInvocationEndpoint("update", *in.InvocationEndpoint); err != nil {
			return nil, err
		}
	}
	d, err := mutate(ctx, s.st.APIDestinations, func(d *eventbus.APIDestination) error {
		if in.ConnectionArn != nil {
			if _, err := s.destinationConnection(ctx, "update", c.Account, *in.ConnectionArn); err != nil {
				return err
			}
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&d.Description, in.Description)
		set(&d.ConnectionArn, in.ConnectionArn)
		set(&d.InvocationEndpoint, in.InvocationEndpoint)
		set(&d.HTTPMethod, in.HttpMethod)
		if in.InvocationRateLimitPerSecond != nil {
			d.InvocationRateLimitPerSecond = int(*in.InvocationRateLimitPerSecond)
		}
		d.ModifiedAt = s.now()
		return nil
	}, c.Account, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.APIDestinationNotFound("update", *in.Name)
	}
	if err != nil {
		return nil, err
	}
	state, err := s.destinationState(ctx, d)
	if err != nil {
		return nil, err
	}
	return &apimodel.UpdateApiDestinationResponse{
		ApiDestinationArn: ptr(d.ARN(s.cfg.Region)), ApiDestinationState: ptr(state),
		CreationTime: timePtr(d.CreatedAt), LastModifiedTime: timePtr(d.ModifiedAt),
	}, nil
}

// DeleteApiDestination deletes an API destination of the caller's account.
// Rules that target it keep their targets; deliveries to them fail.
func (s *Service) DeleteApiDestination(ctx context.Context, in *apimodel.DeleteApiDestinationRequest) (*apimodel.DeleteApiDestinationResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	_, err = mutate(ctx, s.st.APIDestinations, func(*eventbus.APIDestination) error { return eventbus.ErrRemove }, c.Account, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.APIDestinationNotFound("delete", *in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.DeleteApiDestinationResponse{}, nil
}

// ListApiDestinations lists the caller's API destinations by name, under an
// optional NamePrefix and ConnectionArn.
func (s *Service) ListApiDestinations(ctx context.Context, in *apimodel.ListApiDestinationsRequest) (*apimodel.ListApiDestinationsResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.APIDestinations.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix, connArn := deref(in.NamePrefix), deref(in.ConnectionArn)
	dests, next, err := pageOf(all, func(d eventbus.APIDestination) string { return d.Name },
		func(d eventbus.APIDestination) bool {
			return strings.HasPrefix(d.Name, prefix) && (connArn == "" || d.ConnectionArn == connArn)
		}, "api-destinations:"+prefix+" "+connArn, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	conns, err := s.connectionsByARN(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListApiDestinationsResponse{NextToken: next, ApiDestinations: []apimodel.ApiDestination{}}
	for _, d := range dests {
		var conn *eventbus.Connection
		if cn, ok := conns[d.ConnectionArn]; ok {
			conn = &cn
		}
		out.ApiDestinations = append(out.ApiDestinations, apimodel.ApiDestination{
			ApiDestinationArn: ptr(d.ARN(s.cfg.Region)), Name: ptr(d.Name), ApiDestinationState: ptr(eventbus.APIDestinationState(conn)),
			ConnectionArn: ptr(d.ConnectionArn), InvocationEndpoint: ptr(d.InvocationEndpoint), HttpMethod: ptr(d.HTTPMethod),
			InvocationRateLimitPerSecond: ptr(int64(d.InvocationRateLimitPerSecond)),
			CreationTime:                 timePtr(d.CreatedAt), LastModifiedTime: timePtr(d.ModifiedAt),
		})
	}
	return out, nil
}

// connectionsByARN returns account's connections keyed by ARN.
func (s *Service) connectionsByARN(ctx context.Context, account string) (map[string]eventbus.Connection, error) {
	conns, err := s.st.Connections.List(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make(map[string]eventbus.Connection, len(conns))
	for _, c := range conns {
		out[c.ARN(s.cfg.Region)] = c
	}
	return out, nil
}

// ResolveAPIDestination implements eventbus.APIDestinationResolver for the
// HTTP sender: the API destination named by arn (of account and this
// region), its connection, and the connection's decrypted authorization.
// Fails with eventbus.ErrNotFound (wrapped) when the destination or its
// connection is gone, eventbus.ErrConnectionNotAuthorized when the
// connection is deauthorized. Safe for concurrent use.
func (s *Service) ResolveAPIDestination(ctx context.Context, account, arn string) (eventbus.ResolvedAPIDestination, error) {
	var r eventbus.ResolvedAPIDestination
	ref, ok := eventbus.ParseAPIDestinationARN(arn)
	if !ok || ref.Account != account || ref.Region != s.cfg.Region {
		return r, fmt.Errorf("%w: API destination %s for account %s", eventbus.ErrNotFound, arn, account)
	}
	d, _, err := s.st.APIDestinations.Get(ctx, account, ref.Name)
	if err == nil && d.ID != ref.ID {
		err = fmt.Errorf("%w: API destination %s was replaced", eventbus.ErrNotFound, arn)
	}
	if err != nil {
		return r, err
	}
	conn, err := s.lookupConnection(ctx, account, d.ConnectionArn)
	if err != nil {
		return r, err
	}
	auth, err := s.openConnection(conn)
	if err != nil {
		return r, err
	}
	conn.Sealed = nil
	return eventbus.ResolvedAPIDestination{Destination: d, Connection: conn, Auth: auth}, nil
}
