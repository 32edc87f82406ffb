package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file implements the global endpoint operations. An endpoint is a
// record (Stores.Endpoints) naming two buses of one name in two regions:
// this server's region is the endpoint's home (primary) region, and
// PutEvents with the endpoint's EndpointId puts events on the bus of this
// region (ingest.go). switchyard has one region, so there is nothing to fail
// over to: the health check and the secondary route are checked and kept,
// and replication is accepted and not performed (the README says so).
//
// States: AWS answers CreateEndpoint with CREATING and UpdateEndpoint with
// UPDATING, and the endpoint turns ACTIVE a few seconds later. Here nothing
// needs provisioning, so the stored endpoint is ACTIVE at once: the create
// and update answers carry AWS's transitional state, and a client polling
// DescribeEndpoint for ACTIVE sees it on its first call. DeleteEndpoint
// removes the record at once (AWS shows DELETING for a while).

// endpointOf builds the endpoint of a create or update request's fields.
func endpointOf(e *eventbus.Endpoint, routing *apimodel.RoutingConfig, replication *apimodel.ReplicationConfig, buses []apimodel.EndpointEventBus) {
	if routing != nil && routing.FailoverConfig != nil {
		e.HealthCheck = deref(routing.FailoverConfig.Primary.HealthCheck)
		e.Secondary = deref(routing.FailoverConfig.Secondary.Route)
	}
	if replication != nil {
		// An empty ReplicationConfig leaves AWS's default, ENABLED.
		if st := deref(replication.State); st != "" {
			e.Replication = st
		}
	}
	if buses != nil {
		e.EventBuses = make([]string, len(buses))
		for i, b := range buses {
			e.EventBuses[i] = deref(b.EventBusArn)
		}
	}
}

// checkEndpoint answers the ValidationException for e's first problem.
func (s *Service) checkEndpoint(e eventbus.Endpoint) error {
	switch eventbus.CheckEndpoint(e, s.cfg.Region) {
	case eventbus.EndpointOK:
		return nil
	case eventbus.EndpointBusAccount:
		return awserr.EndpointBusAccount()
	case eventbus.EndpointSameRegion:
		return awserr.EndpointSameRegion()
	case eventbus.EndpointBusNames:
		return awserr.EndpointBusNames()
	case eventbus.EndpointNoLocalBus:
		return awserr.EndpointNoLocalBus(s.cfg.Region)
	case eventbus.EndpointRoute:
		return awserr.EndpointRoute(e.Secondary)
	default:
		return awserr.EndpointRoleRequired()
	}
}

// CreateEndpoint creates a global endpoint with a new EndpointId.
func (s *Service) CreateEndpoint(ctx context.Context, in *apimodel.CreateEndpointRequest) (*apimodel.CreateEndpointResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	e := eventbus.Endpoint{
		Name: *in.Name, Account: c.Account, Description: deref(in.Description), RoleArn: deref(in.RoleArn),
		Replication: eventbus.ReplicationEnabled, State: eventbus.EndpointActive, CreatedAt: now, ModifiedAt: now,
	}
	endpointOf(&e, in.RoutingConfig, in.ReplicationConfig, in.EventBuses)
	if err := s.checkEndpoint(e); err != nil {
		return nil, err
	}
	var random [eventbus.EndpointIDRandomSize]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, awserr.InternalError(fmt.Errorf("api: endpoint id: %w", err))
	}
	e.ID = eventbus.EndpointID(random)
	s.endpointGaps(e)
	_, err = s.st.Endpoints.Create(ctx, e, s.cfg.MaxEndpoints)
	switch {
	case errors.Is(err, eventbus.ErrExists):
		return nil, awserr.EndpointExists(e.Name)
	case errors.Is(err, eventbus.ErrLimit):
		return nil, awserr.LimitReached()
	case err != nil:
		return nil, err
	}
	return &apimodel.CreateEndpointResponse{
		Name: ptr(e.Name), Arn: ptr(e.ARN(s.cfg.Region)), RoutingConfig: routingConfig(e),
		ReplicationConfig: replicationConfig(e), EventBuses: endpointBuses(e), RoleArn: optional(e.RoleArn),
		State: ptr(eventbus.EndpointCreating),
	}, nil
}

// getEndpoint reads an endpoint of account, answering
// ResourceNotFoundException when it is missing or homeRegion, when given, is
// not this server's region (every endpoint here is homed in it).
func (s *Service) getEndpoint(ctx context.Context, account, name string, homeRegion *string) (eventbus.Endpoint, error) {
	notFound := func() *awserr.Error { return awserr.EndpointNotFound(name) }
	if homeRegion != nil && *homeRegion != s.cfg.Region {
		return eventbus.Endpoint{}, notFound()
	}
	return find(ctx, s.st.Endpoints, notFound, account, name)
}

// DescribeEndpoint describes a global endpoint.
func (s *Service) DescribeEndpoint(ctx context.Context, in *apimodel.DescribeEndpointRequest) (*apimodel.DescribeEndpointResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.getEndpoint(ctx, c.Account, *in.Name, in.HomeRegion)
	if err != nil {
		return nil, err
	}
	d := s.endpointView(e)
	return &apimodel.DescribeEndpointResponse{
		Name: d.Name, Description: d.Description, Arn: d.Arn, RoutingConfig: d.RoutingConfig,
		ReplicationConfig: d.ReplicationConfig, EventBuses: d.EventBuses, RoleArn: d.RoleArn, EndpointId: d.EndpointId,
		EndpointUrl: d.EndpointUrl, State: d.State, CreationTime: d.CreationTime, LastModifiedTime: d.LastModifiedTime,
	}, nil
}

// ListEndpoints lists the caller's endpoints, filtered by name prefix and
// home region, MaxResults at a time.
func (s *Service) ListEndpoints(ctx context.Context, in *apimodel.ListEndpointsRequest) (*apimodel.ListEndpointsResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Endpoints.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix, home := deref(in.NamePrefix), deref(in.HomeRegion)
	keep := func(e eventbus.Endpoint) bool {
		return strings.HasPrefix(e.Name, prefix) && (home == "" || home == s.cfg.Region)
	}
	page, next, err := pageOf(all, func(e eventbus.Endpoint) string { return e.Name }, keep,
		"endpoints:"+prefix+"\x00"+home, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListEndpointsResponse{Endpoints: []apimodel.Endpoint{}, NextToken: next}
	for _, e := range page {
		out.Endpoints = append(out.Endpoints, s.endpointView(e))
	}
	return out, nil
}

// endpointGaps logs, once each, what an endpoint asks for that switchyard
// stores but does not do.
func (s *Service) endpointGaps(e eventbus.Endpoint) {
	s.gap("an endpoint's failover (its health check is never read; events always go to this region's bus)")
	if e.Replication == eventbus.ReplicationEnabled {
		s.gap("an endpoint's event replication (events are not copied to the secondary region's bus)")
	}
}

// UpdateEndpoint changes an endpoint's description, routing, replication,
// buses or role; fields left out keep their values, and the result must pass
// CreateEndpoint's checks.
func (s *Service) UpdateEndpoint(ctx context.Context, in *apimodel.UpdateEndpointRequest) (*apimodel.UpdateEndpointResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	e, err := mutate(ctx, s.st.Endpoints, func(e *eventbus.Endpoint) error {
		if in.Description != nil {
			e.Description = *in.Description
		}
		if in.RoleArn != nil {
			e.RoleArn = *in.RoleArn
		}
		endpointOf(e, in.RoutingConfig, in.ReplicationConfig, in.EventBuses)
		if err := s.checkEndpoint(*e); err != nil {
			return err
		}
		e.ModifiedAt = s.now()
		return nil
	}, c.Account, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.EndpointNotFound(*in.Name)
	}
	if err != nil {
		return nil, err
	}
	s.endpointGaps(e)
	return &apimodel.UpdateEndpointResponse{
		Name: ptr(e.Name), Arn: ptr(e.ARN(s.cfg.Region)), RoutingConfig: routingConfig(e),
		ReplicationConfig: replicationConfig(e), EventBuses: endpointBuses(e), RoleArn: optional(e.RoleArn),
		EndpointId: ptr(e.ID), EndpointUrl: ptr(e.URL()), State: ptr(eventbus.EndpointUpdating),
	}, nil
}

// DeleteEndpoint deletes a global endpoint; PutEvents through its
// EndpointId is refused from then on.
func (s *Service) DeleteEndpoint(ctx context.Context, in *apimodel.DeleteEndpointRequest) (*apimodel.DeleteEndpointResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	_, err = mutate(ctx, s.st.Endpoints, removeIt[eventbus.Endpoint], c.Account, *in.Name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.EndpointNotFound(*in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.DeleteEndpointResponse{}, nil
}

// endpointByID returns the caller's endpoint whose EndpointId is id,
// answering ResourceNotFoundException when there is none.
func (s *Service) endpointByID(ctx context.Context, account, id string) (eventbus.Endpoint, error) {
	all, err := s.st.Endpoints.List(ctx, account)
	if err != nil {
		return eventbus.Endpoint{}, err
	}
	for _, e := range all {
		if e.ID == id {
			return e, nil
		}
	}
	return eventbus.Endpoint{}, awserr.EndpointIDNotFound(id)
}

// endpointView is how DescribeEndpoint and ListEndpoints show e.
func (s *Service) endpointView(e eventbus.Endpoint) apimodel.Endpoint {
	return apimodel.Endpoint{
		Name: ptr(e.Name), Description: optional(e.Description), Arn: ptr(e.ARN(s.cfg.Region)),
		RoutingConfig: routingConfig(e), ReplicationConfig: replicationConfig(e), EventBuses: endpointBuses(e),
		RoleArn: optional(e.RoleArn), EndpointId: ptr(e.ID), EndpointUrl: ptr(e.URL()), State: ptr(e.State),
		CreationTime: timePtr(e.CreatedAt), LastModifiedTime: timePtr(e.ModifiedAt),
	}
}

func routingConfig(e eventbus.Endpoint) *apimodel.RoutingConfig {
	return &apimodel.RoutingConfig{FailoverConfig: &apimodel.FailoverConfig{
		Primary:   &apimodel.Primary{HealthCheck: ptr(e.HealthCheck)},
		Secondary: &apimodel.Secondary{Route: ptr(e.Secondary)},
	}}
}

func replicationConfig(e eventbus.Endpoint) *apimodel.ReplicationConfig {
	return &apimodel.ReplicationConfig{State: ptr(e.Replication)}
}

func endpointBuses(e eventbus.Endpoint) []apimodel.EndpointEventBus {
	out := make([]apimodel.EndpointEventBus, len(e.EventBuses))
	for i, arn := range e.EventBuses {
		out[i] = apimodel.EndpointEventBus{EventBusArn: ptr(arn)}
	}
	return out
}
