package api_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/eventbus"
)

var apiDestinationARNRe = regexp.MustCompile(`^arn:aws:events:us-east-1:(\d{12}):api-destination/([\.\-_A-Za-z0-9]+)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// apiDestinationARN returns the ARN of customerAcct's destination name.
func apiDestinationARN(t *testing.T, m *server, name string) string {
	t.Helper()
	return aws.ToString(describeDestination(t, clientFor(m, customerAcct), name).ApiDestinationArn)
}

func createDestination(t *testing.T, c *eventbridge.Client, name, connArn, endpoint string) *eventbridge.CreateApiDestinationOutput {
	t.Helper()
	return must[*eventbridge.CreateApiDestinationOutput](t)(c.CreateApiDestination(context.Background(), &eventbridge.CreateApiDestinationInput{
		Name: aws.String(name), ConnectionArn: aws.String(connArn), InvocationEndpoint: aws.String(endpoint), HttpMethod: types.ApiDestinationHttpMethodPost,
	}))
}

// TestAPIDestinationLifecycle walks a destination through every operation.
func TestAPIDestinationLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	conn := aws.ToString(createConnection(t, c, "conn", types.ConnectionAuthorizationTypeApiKey, "dest").ConnectionArn)
	other := aws.ToString(createConnection(t, c, "other", types.ConnectionAuthorizationTypeBasic, "dest").ConnectionArn)

	before := time.Now().Add(-time.Second)
	cr := must[*eventbridge.CreateApiDestinationOutput](t)(c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("orders"), Description: aws.String("Test API destination"), ConnectionArn: aws.String(conn),
		InvocationEndpoint: aws.String("https://example.com/api/orders/*"), HttpMethod: types.ApiDestinationHttpMethodPost,
	}))
	arn := aws.ToString(cr.ApiDestinationArn)
	if sm := apiDestinationARNRe.FindStringSubmatch(arn); sm == nil || sm[1] != customerAcct || sm[2] != "orders" {
		t.Fatalf("ApiDestinationArn %q", arn)
	}
	if cr.ApiDestinationState != types.ApiDestinationStateActive || cr.CreationTime.Before(before) || !cr.LastModifiedTime.Equal(*cr.CreationTime) {
		t.Fatalf("CreateApiDestination: %+v", cr)
	}
	d := describeDestination(t, c, "orders")
	if aws.ToString(d.ApiDestinationArn) != arn || aws.ToString(d.Name) != "orders" || aws.ToString(d.Description) != "Test API destination" ||
		d.ApiDestinationState != types.ApiDestinationStateActive || aws.ToString(d.ConnectionArn) != conn ||
		aws.ToString(d.InvocationEndpoint) != "https://example.com/api/orders/*" || d.HttpMethod != types.ApiDestinationHttpMethodPost ||
		aws.ToInt32(d.InvocationRateLimitPerSecond) != 300 {
		t.Fatalf("DescribeApiDestination: %+v", d)
	}

	time.Sleep(5 * time.Millisecond)
	u := must[*eventbridge.UpdateApiDestinationOutput](t)(c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{
		Name: aws.String("orders"), Description: aws.String("Updated API destination"), HttpMethod: types.ApiDestinationHttpMethodPut,
		InvocationEndpoint: aws.String("https://example.com/api/v2"), InvocationRateLimitPerSecond: aws.Int32(10), ConnectionArn: aws.String(other),
	}))
	if aws.ToString(u.ApiDestinationArn) != arn || u.ApiDestinationState != types.ApiDestinationStateActive ||
		!u.LastModifiedTime.After(*d.LastModifiedTime) || !u.CreationTime.Equal(*d.CreationTime) {
		t.Fatalf("UpdateApiDestination: %+v", u)
	}
	d = describeDestination(t, c, "orders")
	if aws.ToString(d.Description) != "Updated API destination" || d.HttpMethod != types.ApiDestinationHttpMethodPut ||
		aws.ToString(d.InvocationEndpoint) != "https://example.com/api/v2" || aws.ToInt32(d.InvocationRateLimitPerSecond) != 10 || aws.ToString(d.ConnectionArn) != other {
		t.Fatalf("after update: %+v", d)
	}
	// A partial update keeps the rest.
	must[*eventbridge.UpdateApiDestinationOutput](t)(c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String("orders"), InvocationRateLimitPerSecond: aws.Int32(20)}))
	d = describeDestination(t, c, "orders")
	if aws.ToString(d.Description) != "Updated API destination" || aws.ToString(d.ConnectionArn) != other || aws.ToInt32(d.InvocationRateLimitPerSecond) != 20 {
		t.Fatalf("after partial update: %+v", d)
	}

	l := must[*eventbridge.ListApiDestinationsOutput](t)(c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{}))
	if len(l.ApiDestinations) != 1 {
		t.Fatalf("ListApiDestinations: %+v", l.ApiDestinations)
	}
	ld := l.ApiDestinations[0]
	if aws.ToString(ld.ApiDestinationArn) != arn || aws.ToString(ld.Name) != "orders" || ld.ApiDestinationState != types.ApiDestinationStateActive ||
		aws.ToString(ld.ConnectionArn) != other || ld.HttpMethod != types.ApiDestinationHttpMethodPut || aws.ToInt32(ld.InvocationRateLimitPerSecond) != 20 ||
		ld.CreationTime == nil || ld.LastModifiedTime == nil {
		t.Fatalf("listed destination %+v", ld)
	}

	must[*eventbridge.DeleteApiDestinationOutput](t)(c.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("orders")}))
	_, err := c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "Failed to describe the api-destination(s). An api-destination 'orders' does not exist.")
	if _, err := m.service.ResolveAPIDestination(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("ResolveAPIDestination of a deleted destination: %v", err)
	}
	createDestination(t, c, "orders", conn, "https://example.com")
	if _, err := m.service.ResolveAPIDestination(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("ResolveAPIDestination through the ARN of the deleted destination: %v", err)
	}
}

// TestAPIDestinationFollowsConnection: a destination is ACTIVE exactly
// while its connection is authorized; deleting the connection is allowed
// (AWS documents no refusal) and leaves the destination INACTIVE.
func TestAPIDestinationFollowsConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	for _, typ := range authTypes {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			name := "c-" + string(typ)
			conn := aws.ToString(createConnection(t, c, name, typ, "follow").ConnectionArn)
			dest := "d-" + string(typ)
			if cr := createDestination(t, c, dest, conn, "https://example.com/*/x"); cr.ApiDestinationState != types.ApiDestinationStateActive {
				t.Fatalf("created %+v", cr)
			}
			arn := apiDestinationARN(t, m, dest)
			r, err := m.service.ResolveAPIDestination(ctx, customerAcct, arn)
			if err != nil {
				t.Fatal(err)
			}
			if r.Destination.Name != dest || r.Auth.Type != string(typ) || r.Auth.Invocation.Header[1].Value != "hdr-follow" || r.Connection.Auth == nil {
				t.Fatalf("resolved %+v", r)
			}
			if u, err := r.Destination.URL([]string{"order 1"}); err != nil || u != "https://example.com/order%201/x" {
				t.Fatalf("URL %q %v", u, err)
			}

			must[*eventbridge.DeauthorizeConnectionOutput](t)(c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String(name)}))
			if d := describeDestination(t, c, dest); d.ApiDestinationState != types.ApiDestinationStateInactive {
				t.Fatalf("on a deauthorized connection: %+v", d)
			}
			if _, err := m.service.ResolveAPIDestination(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrConnectionNotAuthorized) {
				t.Fatalf("ResolveAPIDestination on a deauthorized connection: %v", err)
			}
			must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthParameters: updateParams(authInput(typ, "again"))}))
			if d := describeDestination(t, c, dest); d.ApiDestinationState != types.ApiDestinationStateActive {
				t.Fatalf("on a re-authorized connection: %+v", d)
			}

			// The sender reports a refused credential: INACTIVE until updated.
			if err := m.service.DeauthorizeConnectionFor(ctx, customerAcct, conn, "401 from the endpoint"); err != nil {
				t.Fatal(err)
			}
			dc := describeConnection(t, c, name)
			if dc.ConnectionState != types.ConnectionStateDeauthorized || aws.ToString(dc.StateReason) != "401 from the endpoint" || dc.AuthParameters == nil {
				t.Fatalf("after DeauthorizeConnectionFor: %+v", dc)
			}
			if d := describeDestination(t, c, dest); d.ApiDestinationState != types.ApiDestinationStateInactive {
				t.Fatalf("after DeauthorizeConnectionFor: %+v", d)
			}
			up := &types.UpdateConnectionAuthRequestParameters{}
			switch typ {
			case types.ConnectionAuthorizationTypeBasic:
				up.BasicAuthParameters = &types.UpdateConnectionBasicAuthRequestParameters{Password: aws.String("fixed")}
			case types.ConnectionAuthorizationTypeApiKey:
				up.ApiKeyAuthParameters = &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyValue: aws.String("fixed")}
			default:
				up.OAuthParameters = &types.UpdateConnectionOAuthRequestParameters{ClientParameters: &types.UpdateConnectionOAuthClientRequestParameters{ClientSecret: aws.String("fixed")}}
			}
			must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthParameters: up}))
			if dc := describeConnection(t, c, name); dc.ConnectionState != types.ConnectionStateAuthorized || dc.StateReason != nil {
				t.Fatalf("after fixing the credential: %+v", dc)
			}

			must[*eventbridge.DeleteConnectionOutput](t)(c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String(name)}))
			d := describeDestination(t, c, dest)
			if d.ApiDestinationState != types.ApiDestinationStateInactive || aws.ToString(d.ConnectionArn) != conn {
				t.Fatalf("after deleting the connection: %+v", d)
			}
			l := must[*eventbridge.ListApiDestinationsOutput](t)(c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{NamePrefix: aws.String(dest)}))
			if len(l.ApiDestinations) != 1 || l.ApiDestinations[0].ApiDestinationState != types.ApiDestinationStateInactive {
				t.Fatalf("listed after deleting the connection: %+v", l.ApiDestinations)
			}
			if _, err := m.service.ResolveAPIDestination(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrNotFound) {
				t.Fatalf("ResolveAPIDestination without its connection: %v", err)
			}
			if err := m.service.DeauthorizeConnectionFor(ctx, customerAcct, conn, "x"); !errors.Is(err, eventbus.ErrNotFound) {
				t.Fatalf("DeauthorizeConnectionFor a deleted connection: %v", err)
			}
			// Giving it a connection again makes it ACTIVE.
			newConn := aws.ToString(createConnection(t, c, name, typ, "follow").ConnectionArn)
			if d := describeDestination(t, c, dest); d.ApiDestinationState != types.ApiDestinationStateInactive {
				t.Fatalf("a new connection of the same name is another connection: %+v", d)
			}
			u := must[*eventbridge.UpdateApiDestinationOutput](t)(c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String(dest), ConnectionArn: aws.String(newConn)}))
			if u.ApiDestinationState != types.ApiDestinationStateActive {
				t.Fatalf("after moving to the new connection: %+v", u)
			}
		})
	}
}

// TestAPIDestinationEndpoints: https everywhere; http only on loopback,
// and only while HTTPLoopbackEndpoints is on (the default).
func TestAPIDestinationEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, loopback := range []bool{true, false} {
		t.Run(fmt.Sprint("loopback=", loopback), func(t *testing.T) {
			t.Parallel()
			m := startServer(t, func(c *api.Config) { c.HTTPLoopbackEndpoints = loopback })
			c := clientFor(m, customerAcct)
			conn := aws.ToString(createConnection(t, c, "conn", types.ConnectionAuthorizationTypeBasic, "ep").ConnectionArn)
			for i, tc := range []struct {
				endpoint string
				ok       bool
			}{
				{"https://example.com", true},
				{"https://api.example.com:8443/v1/*/items", true},
				{"http://127.0.0.1:8080/hook", loopback},
				{"http://localhost/hook", loopback},
				{"http://example.com/hook", false},
				{"https://example.com/hook?x=1", false},
			} {
				_, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
					Name: aws.String(fmt.Sprint("d", i)), ConnectionArn: aws.String(conn), InvocationEndpoint: aws.String(tc.endpoint), HttpMethod: types.ApiDestinationHttpMethodGet,
				})
				if tc.ok && err != nil {
					t.Errorf("%s refused: %v", tc.endpoint, err)
				}
				if !tc.ok {
					wantAPIError(t, err, "ValidationException", "Failed to create the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint '"+tc.endpoint+"' is invalid, please provide a valid HTTPS endpoint URL.")
				}
			}
			_, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
				Name: aws.String("local-oauth"), AuthorizationType: types.ConnectionAuthorizationTypeOauthClientCredentials,
				AuthParameters: &types.CreateConnectionAuthRequestParameters{OAuthParameters: &types.CreateConnectionOAuthRequestParameters{
					AuthorizationEndpoint: aws.String("http://127.0.0.1:9999/token"), HttpMethod: types.ConnectionOAuthHttpMethodPost,
					ClientParameters: &types.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("i"), ClientSecret: aws.String("s")},
				}},
			})
			if loopback && err != nil {
				t.Errorf("loopback OAuth endpoint refused: %v", err)
			}
			if !loopback {
				wantAPIError(t, err, "ValidationException", "")
			}
		})
	}
}

// TestListAPIDestinations pages through destinations under each filter,
// per account.
func TestListAPIDestinations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	c1 := aws.ToString(createConnection(t, c, "c1", types.ConnectionAuthorizationTypeBasic, "l").ConnectionArn)
	c2 := aws.ToString(createConnection(t, c, "c2", types.ConnectionAuthorizationTypeBasic, "l").ConnectionArn)
	for i := range 6 {
		conn := c1
		if i%2 == 1 {
			conn = c2
		}
		createDestination(t, c, fmt.Sprintf("hook-%d", i), conn, "https://example.com")
	}
	createDestination(t, c, "other", c1, "https://example.com")
	list := func(in eventbridge.ListApiDestinationsInput) []string {
		t.Helper()
		var names []string
		for {
			out := must[*eventbridge.ListApiDestinationsOutput](t)(c.ListApiDestinations(ctx, &in))
			if in.Limit != nil && len(out.ApiDestinations) > int(*in.Limit) {
				t.Fatalf("page over Limit: %d", len(out.ApiDestinations))
			}
			for _, d := range out.ApiDestinations {
				names = append(names, aws.ToString(d.Name))
			}
			if out.NextToken == nil {
				return names
			}
			in.NextToken = out.NextToken
		}
	}
	for _, tc := range []struct {
		in   eventbridge.ListApiDestinationsInput
		want string
	}{
		{eventbridge.ListApiDestinationsInput{Limit: aws.Int32(2)}, "[hook-0 hook-1 hook-2 hook-3 hook-4 hook-5 other]"},
		{eventbridge.ListApiDestinationsInput{NamePrefix: aws.String("hook-"), Limit: aws.Int32(4)}, "[hook-0 hook-1 hook-2 hook-3 hook-4 hook-5]"},
		{eventbridge.ListApiDestinationsInput{ConnectionArn: aws.String(c2), Limit: aws.Int32(1)}, "[hook-1 hook-3 hook-5]"},
		{eventbridge.ListApiDestinationsInput{ConnectionArn: aws.String(c1), NamePrefix: aws.String("o")}, "[other]"},
		{eventbridge.ListApiDestinationsInput{NamePrefix: aws.String("none")}, "[]"},
	} {
		if got := fmt.Sprint(list(tc.in)); got != tc.want {
			t.Errorf("list %+v = %s, want %s", tc.in, got, tc.want)
		}
	}
	first := must[*eventbridge.ListApiDestinationsOutput](t)(c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{Limit: aws.Int32(1)}))
	_, err := c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{Limit: aws.Int32(1), NextToken: first.NextToken, ConnectionArn: aws.String(c2)})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
	if out := must[*eventbridge.ListApiDestinationsOutput](t)(clientFor(m, otherAcct).ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{})); len(out.ApiDestinations) != 0 {
		t.Fatalf("another account lists %+v", out.ApiDestinations)
	}
	if _, err := m.service.ResolveAPIDestination(ctx, otherAcct, apiDestinationARN(t, m, "other")); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("ResolveAPIDestination across accounts: %v", err)
	}
}

// TestAPIDestinationQuota: the per-account quota is configurable.
func TestAPIDestinationQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxAPIDestinations = 1 })
	c := clientFor(m, customerAcct)
	conn := aws.ToString(createConnection(t, c, "c", types.ConnectionAuthorizationTypeBasic, "q").ConnectionArn)
	createDestination(t, c, "one", conn, "https://example.com")
	_, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("two"), ConnectionArn: aws.String(conn), InvocationEndpoint: aws.String("https://example.com"), HttpMethod: types.ApiDestinationHttpMethodPost,
	})
	wantAPIError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	must[*eventbridge.DeleteApiDestinationOutput](t)(c.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("one")}))
	createDestination(t, c, "two", conn, "https://example.com")
}
