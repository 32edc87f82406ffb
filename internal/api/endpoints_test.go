package api_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

const (
	healthCheck = "arn:aws:route53:::healthcheck/8f7dc0b8-ad9e-1234-846e-3a475c53bb76"
	roleARN     = "arn:aws:iam::" + customerAcct + ":role/replicate"
	eastBus     = "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/"
	westBus     = "arn:aws:events:us-west-2:" + customerAcct + ":event-bus/"
)

// endpointInput is a valid CreateEndpoint of name over the buses named bus
// in us-east-1 (the server's region) and us-west-2.
func endpointInput(name, bus string) *eventbridge.CreateEndpointInput {
	return &eventbridge.CreateEndpointInput{
		Name: aws.String(name),
		RoutingConfig: &types.RoutingConfig{FailoverConfig: &types.FailoverConfig{
			Primary:   &types.Primary{HealthCheck: aws.String(healthCheck)},
			Secondary: &types.Secondary{Route: aws.String("us-west-2")},
		}},
		EventBuses: []types.EndpointEventBus{{EventBusArn: aws.String(eastBus + bus)}, {EventBusArn: aws.String(westBus + bus)}},
		RoleArn:    aws.String(roleARN),
	}
}

var endpointID = regexp.MustCompile(`^[a-z0-9]{10}\.veo$`)

// TestEndpointLifecycle creates, describes, lists, updates and deletes a
// global endpoint, as a client polling for ACTIVE sees it.
func TestEndpointLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)

	in := endpointInput("orders-global", "orders")
	in.Description = aws.String("orders in two regions")
	created := must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, in))
	wantARN := "arn:aws:events:us-east-1:" + customerAcct + ":endpoint/orders-global"
	if aws.ToString(created.Arn) != wantARN || created.State != types.EndpointStateCreating ||
		created.ReplicationConfig == nil || created.ReplicationConfig.State != types.ReplicationStateEnabled ||
		len(created.EventBuses) != 2 || aws.ToString(created.RoleArn) != roleARN {
		t.Fatalf("CreateEndpoint: %+v", created)
	}
	_, err := c.CreateEndpoint(ctx, in)
	wantAPIError(t, err, "ResourceAlreadyExistsException", "Endpoint orders-global already exists.")

	d := must[*eventbridge.DescribeEndpointOutput](t)(c.DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")}))
	id := aws.ToString(d.EndpointId)
	if !endpointID.MatchString(id) || aws.ToString(d.EndpointUrl) != "https://"+id+".endpoint.events.amazonaws.com" ||
		d.State != types.EndpointStateActive || aws.ToString(d.Description) != "orders in two regions" ||
		aws.ToString(d.RoutingConfig.FailoverConfig.Primary.HealthCheck) != healthCheck ||
		aws.ToString(d.RoutingConfig.FailoverConfig.Secondary.Route) != "us-west-2" ||
		aws.ToString(d.EventBuses[1].EventBusArn) != westBus+"orders" || d.CreationTime == nil || d.LastModifiedTime == nil {
		t.Fatalf("DescribeEndpoint: %+v", d)
	}
	_, err = c.DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global"), HomeRegion: aws.String("us-west-2")})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint orders-global does not exist.")
	_, err = clientFor(m, otherAcct).DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint orders-global does not exist.")

	u := must[*eventbridge.UpdateEndpointOutput](t)(c.UpdateEndpoint(ctx, &eventbridge.UpdateEndpointInput{
		Name: aws.String("orders-global"), ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled},
	}))
	if u.State != types.EndpointStateUpdating || aws.ToString(u.EndpointId) != id || u.ReplicationConfig.State != types.ReplicationStateDisabled ||
		aws.ToString(u.RoutingConfig.FailoverConfig.Secondary.Route) != "us-west-2" {
		t.Fatalf("UpdateEndpoint: %+v", u)
	}
	d = must[*eventbridge.DescribeEndpointOutput](t)(c.DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")}))
	if d.State != types.EndpointStateActive || d.ReplicationConfig.State != types.ReplicationStateDisabled || aws.ToString(d.Description) != "orders in two regions" {
		t.Fatalf("DescribeEndpoint after update: %+v", d)
	}
	_, err = c.UpdateEndpoint(ctx, &eventbridge.UpdateEndpointInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint nope does not exist.")

	must[*eventbridge.DeleteEndpointOutput](t)(c.DeleteEndpoint(ctx, &eventbridge.DeleteEndpointInput{Name: aws.String("orders-global")}))
	_, err = c.DeleteEndpoint(ctx, &eventbridge.DeleteEndpointInput{Name: aws.String("orders-global")})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint orders-global does not exist.")
	_, err = c.DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint orders-global does not exist.")
}

// TestEndpointChecks refuses endpoint configurations AWS refuses, on create
// and on update, and stores nothing for them.
func TestEndpointChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, endpointInput("kept", "orders")))
	for _, tc := range []struct {
		name   string
		change func(*eventbridge.CreateEndpointInput)
		want   string
	}{
		{"same region", func(in *eventbridge.CreateEndpointInput) {
			in.EventBuses[1].EventBusArn = aws.String(eastBus + "other")
		},
			"Parameter EventBuses is not valid. Reason: The event buses must be in different Regions."},
		{"different names", func(in *eventbridge.CreateEndpointInput) {
			in.EventBuses[1].EventBusArn = aws.String(westBus + "other")
		},
			"Parameter EventBuses is not valid. Reason: The names of the event buses must be identical in each Region."},
		{"another account", func(in *eventbridge.CreateEndpointInput) {
			in.EventBuses[1].EventBusArn = aws.String("arn:aws:events:us-west-2:" + otherAcct + ":event-bus/orders")
		}, "Parameter EventBuses is not valid. Reason: The event buses must belong to the endpoint's account."},
		{"no bus in this region", func(in *eventbridge.CreateEndpointInput) {
			in.EventBuses[0].EventBusArn = aws.String("arn:aws:events:eu-west-1:" + customerAcct + ":event-bus/orders")
			in.RoutingConfig.FailoverConfig.Secondary.Route = aws.String("us-west-2")
		}, "Parameter EventBuses is not valid. Reason: One of the event buses must be in the endpoint's Region us-east-1."},
		{"route elsewhere", func(in *eventbridge.CreateEndpointInput) {
			in.RoutingConfig.FailoverConfig.Secondary.Route = aws.String("eu-west-1")
		}, "Parameter RoutingConfig.FailoverConfig.Secondary.Route is not valid. Reason: Region eu-west-1 is not the Region of the secondary event bus."},
		{"route home", func(in *eventbridge.CreateEndpointInput) {
			in.RoutingConfig.FailoverConfig.Secondary.Route = aws.String("us-east-1")
		}, "Parameter RoutingConfig.FailoverConfig.Secondary.Route is not valid. Reason: Region us-east-1 is not the Region of the secondary event bus."},
		{"replication without role", func(in *eventbridge.CreateEndpointInput) { in.RoleArn = nil },
			"Parameter RoleArn is not valid. Reason: A RoleArn is required when event replication is ENABLED."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := endpointInput("refused", "orders")
			tc.change(in)
			_, err := c.CreateEndpoint(ctx, in)
			wantAPIError(t, err, "ValidationException", tc.want)
			_, err = c.UpdateEndpoint(ctx, &eventbridge.UpdateEndpointInput{
				Name: aws.String("kept"), EventBuses: in.EventBuses, RoutingConfig: in.RoutingConfig,
			})
			if tc.name != "replication without role" { // the update keeps the stored role
				wantAPIError(t, err, "ValidationException", tc.want)
			}
		})
	}
	list := must[*eventbridge.ListEndpointsOutput](t)(c.ListEndpoints(ctx, &eventbridge.ListEndpointsInput{}))
	if len(list.Endpoints) != 1 || aws.ToString(list.Endpoints[0].EventBuses[1].EventBusArn) != westBus+"orders" {
		t.Fatalf("ListEndpoints after refusals: %+v", list.Endpoints)
	}
	// Replication disabled needs no role.
	in := endpointInput("no-replication", "orders")
	in.RoleArn, in.ReplicationConfig = nil, &types.ReplicationConfig{State: types.ReplicationStateDisabled}
	must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, in))
}

// TestListEndpoints filters by name prefix and home region, and pages.
func TestListEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	for _, name := range []string{"b-two", "a-one", "b-one", "c"} {
		must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, endpointInput(name, "orders")))
	}
	must[*eventbridge.CreateEndpointOutput](t)(clientFor(m, otherAcct).CreateEndpoint(ctx, &eventbridge.CreateEndpointInput{
		Name: aws.String("b-other"), RoutingConfig: endpointInput("x", "x").RoutingConfig,
		EventBuses: []types.EndpointEventBus{
			{EventBusArn: aws.String("arn:aws:events:us-east-1:" + otherAcct + ":event-bus/x")},
			{EventBusArn: aws.String("arn:aws:events:us-west-2:" + otherAcct + ":event-bus/x")},
		},
		ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled},
	}))
	names := func(out *eventbridge.ListEndpointsOutput) (got []string) {
		for _, e := range out.Endpoints {
			if !endpointID.MatchString(aws.ToString(e.EndpointId)) || e.State != types.EndpointStateActive {
				t.Errorf("listed endpoint: %+v", e)
			}
			got = append(got, aws.ToString(e.Name))
		}
		return got
	}
	for _, tc := range []struct {
		name string
		in   eventbridge.ListEndpointsInput
		want string
	}{
		{"all", eventbridge.ListEndpointsInput{}, "[a-one b-one b-two c]"},
		{"prefix", eventbridge.ListEndpointsInput{NamePrefix: aws.String("b-")}, "[b-one b-two]"},
		{"home region", eventbridge.ListEndpointsInput{HomeRegion: aws.String("us-east-1")}, "[a-one b-one b-two c]"},
		{"other home region", eventbridge.ListEndpointsInput{HomeRegion: aws.String("us-west-2")}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := names(must[*eventbridge.ListEndpointsOutput](t)(c.ListEndpoints(ctx, &tc.in)))
			if s := fmtNames(got); s != tc.want {
				t.Fatalf("got %s, want %s", s, tc.want)
			}
		})
	}
	var pages []string
	in := &eventbridge.ListEndpointsInput{MaxResults: aws.Int32(3)}
	for {
		out := must[*eventbridge.ListEndpointsOutput](t)(c.ListEndpoints(ctx, in))
		pages = append(pages, fmtNames(names(out)))
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if s := fmtNames(pages); s != "[[a-one b-one b-two] [c]]" {
		t.Fatalf("pages %s", s)
	}
	_, err := c.ListEndpoints(ctx, &eventbridge.ListEndpointsInput{NextToken: aws.String("bogus")})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
}

func fmtNames(names []string) string {
	s := "["
	for i, n := range names {
		if i > 0 {
			s += " "
		}
		s += n
	}
	return s + "]"
}

// TestPutEventsThroughEndpoint routes PutEvents with an EndpointId (signed
// with SigV4a by the SDK) to the endpoint's bus in this region, and refuses
// an EndpointId the account has no endpoint of.
func TestPutEventsThroughEndpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("audit")}))
	must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, endpointInput("orders-global", "orders")))
	id := aws.ToString(must[*eventbridge.DescribeEndpointOutput](t)(c.DescribeEndpoint(ctx,
		&eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")})).EndpointId)

	entry := func(bus string) types.PutEventsRequestEntry {
		e := types.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"n":1}`)}
		if bus != "" {
			e.EventBusName = aws.String(bus)
		}
		return e
	}
	out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(ctx, &eventbridge.PutEventsInput{
		EndpointId: aws.String(id),
		Entries:    []types.PutEventsRequestEntry{entry(""), entry("orders"), entry(westBus + "orders"), entry(eastBus + "orders"), entry("audit")},
	}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents through endpoint: %+v", out.Entries)
	}
	stored := m.events.until(t, aws.ToString(out.Entries[4].EventId))
	var buses []string
	for _, e := range stored {
		if e.Account != customerAcct {
			t.Errorf("event stored in account %s", e.Account)
		}
		buses = append(buses, e.Bus)
	}
	if s := fmtNames(buses); s != "[orders orders orders orders audit]" {
		t.Fatalf("buses %s", s)
	}

	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{EndpointId: aws.String("abcde.veo"), Entries: []types.PutEventsRequestEntry{entry("")}})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint abcde.veo does not exist.")
	_, err = clientFor(m, otherAcct).PutEvents(ctx, &eventbridge.PutEventsInput{EndpointId: aws.String(id), Entries: []types.PutEventsRequestEntry{entry("")}})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint "+id+" does not exist.")
	must[*eventbridge.DeleteEndpointOutput](t)(c.DeleteEndpoint(ctx, &eventbridge.DeleteEndpointInput{Name: aws.String("orders-global")}))
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{EndpointId: aws.String(id), Entries: []types.PutEventsRequestEntry{entry("")}})
	wantAPIError(t, err, "ResourceNotFoundException", "Endpoint "+id+" does not exist.")
}
