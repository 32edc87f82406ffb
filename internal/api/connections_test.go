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

var (
	connectionARNRe = regexp.MustCompile(`^arn:aws:events:us-east-1:(\d{12}):connection/([\.\-_A-Za-z0-9]+)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	secretARNRe     = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:(\d{12}):secret:events!connection/([\.\-_A-Za-z0-9]+)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[A-Za-z0-9]{6}$`)
)

// wantInvocationParams checks Describe's view of authInput's invocation
// parameters: plain values shown, secret ones reduced to Key and
// IsValueSecret.
func wantInvocationParams(t *testing.T, p *types.ConnectionHttpParameters) {
	t.Helper()
	if p == nil || len(p.HeaderParameters) != 2 || len(p.QueryStringParameters) != 1 || len(p.BodyParameters) != 1 {
		t.Fatalf("InvocationHttpParameters: %+v", p)
	}
	h0, h1, q, b := p.HeaderParameters[0], p.HeaderParameters[1], p.QueryStringParameters[0], p.BodyParameters[0]
	if aws.ToString(h0.Key) != "X-Plain" || aws.ToString(h0.Value) != "plain-header" || h0.IsValueSecret {
		t.Errorf("plain header %+v", h0)
	}
	if aws.ToString(h1.Key) != "X-Secret" || h1.Value != nil || !h1.IsValueSecret {
		t.Errorf("secret header %+v", h1)
	}
	if aws.ToString(q.Key) != "token" || q.Value != nil || !q.IsValueSecret {
		t.Errorf("secret query parameter %+v", q)
	}
	if aws.ToString(b.Key) != "tenant" || aws.ToString(b.Value) != "plain-body" || b.IsValueSecret {
		t.Errorf("plain body parameter %+v", b)
	}
}

// TestConnectionLifecycle walks a connection of each authorization type
// through every connection operation.
func TestConnectionLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	for _, typ := range authTypes {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			name := "conn-" + string(typ)
			before := time.Now().Add(-time.Second)
			created := createConnection(t, c, name, typ, "lifecycle")
			arn := aws.ToString(created.ConnectionArn)
			if sm := connectionARNRe.FindStringSubmatch(arn); sm == nil || sm[1] != customerAcct || sm[2] != name {
				t.Fatalf("ConnectionArn %q", arn)
			}
			if created.ConnectionState != types.ConnectionStateAuthorized || created.CreationTime.Before(before) ||
				!created.LastModifiedTime.Equal(*created.CreationTime) {
				t.Fatalf("CreateConnection: %+v", created)
			}

			d := describeConnection(t, c, name)
			if aws.ToString(d.ConnectionArn) != arn || aws.ToString(d.Name) != name || aws.ToString(d.Description) != "for "+name ||
				d.ConnectionState != types.ConnectionStateAuthorized || d.AuthorizationType != typ || d.StateReason != nil ||
				d.LastAuthorizedTime == nil || d.InvocationConnectivityParameters != nil {
				t.Fatalf("DescribeConnection: %+v", d)
			}
			secretARN := aws.ToString(d.SecretArn)
			if sm := secretARNRe.FindStringSubmatch(secretARN); sm == nil || sm[1] != customerAcct || sm[2] != name {
				t.Fatalf("SecretArn %q", secretARN)
			}
			ap := d.AuthParameters
			switch typ {
			case types.ConnectionAuthorizationTypeBasic:
				if ap.BasicAuthParameters == nil || aws.ToString(ap.BasicAuthParameters.Username) != "user-1" || ap.ApiKeyAuthParameters != nil || ap.OAuthParameters != nil {
					t.Fatalf("AuthParameters %+v", ap)
				}
			case types.ConnectionAuthorizationTypeApiKey:
				if ap.ApiKeyAuthParameters == nil || aws.ToString(ap.ApiKeyAuthParameters.ApiKeyName) != "x-api-key" || ap.BasicAuthParameters != nil {
					t.Fatalf("AuthParameters %+v", ap)
				}
			default:
				o := ap.OAuthParameters
				if o == nil || aws.ToString(o.ClientParameters.ClientID) != "client-1" || o.HttpMethod != types.ConnectionOAuthHttpMethodPost ||
					aws.ToString(o.AuthorizationEndpoint) != "https://auth.example.com/oauth2/token" || o.OAuthHttpParameters == nil ||
					len(o.OAuthHttpParameters.BodyParameters) != 2 || o.OAuthHttpParameters.BodyParameters[1].Value != nil ||
					aws.ToString(o.OAuthHttpParameters.BodyParameters[0].Value) != "read" {
					t.Fatalf("OAuthParameters %+v", o)
				}
			}
			wantInvocationParams(t, ap.InvocationHttpParameters)

			// A partial update of the same type keeps the other parameters.
			time.Sleep(5 * time.Millisecond)
			up := &types.UpdateConnectionAuthRequestParameters{}
			switch typ {
			case types.ConnectionAuthorizationTypeBasic:
				up.BasicAuthParameters = &types.UpdateConnectionBasicAuthRequestParameters{Password: aws.String("pw-new")}
			case types.ConnectionAuthorizationTypeApiKey:
				up.ApiKeyAuthParameters = &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyValue: aws.String("key-new")}
			default:
				up.OAuthParameters = &types.UpdateConnectionOAuthRequestParameters{ClientParameters: &types.UpdateConnectionOAuthClientRequestParameters{ClientSecret: aws.String("cs-new")}}
			}
			u := must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthParameters: up}))
			if aws.ToString(u.ConnectionArn) != arn || u.ConnectionState != types.ConnectionStateAuthorized ||
				!u.LastAuthorizedTime.After(*d.LastAuthorizedTime) || !u.LastModifiedTime.After(*d.LastModifiedTime) || !u.CreationTime.Equal(*d.CreationTime) {
				t.Fatalf("UpdateConnection: %+v (before %+v)", u, d)
			}
			d2 := describeConnection(t, c, name)
			if aws.ToString(d2.SecretArn) != secretARN || d2.AuthorizationType != typ || aws.ToString(d2.Description) != "for "+name {
				t.Fatalf("after update: %+v", d2)
			}
			wantInvocationParams(t, d2.AuthParameters.InvocationHttpParameters)
			auth, err := m.service.ConnectionAuth(ctx, customerAcct, arn)
			if err != nil {
				t.Fatal(err)
			}
			switch typ {
			case types.ConnectionAuthorizationTypeBasic:
				if auth.Basic.Username != "user-1" || auth.Basic.Password.Reveal() != "pw-new" {
					t.Fatalf("decrypted basic auth %+v", auth)
				}
			case types.ConnectionAuthorizationTypeApiKey:
				if auth.APIKey.Name != "x-api-key" || auth.APIKey.Value.Reveal() != "key-new" {
					t.Fatalf("decrypted API key auth %+v", auth)
				}
			default:
				if auth.OAuth.ClientID != "client-1" || auth.OAuth.ClientSecret.Reveal() != "cs-new" || auth.OAuth.HTTPParameters.Body[1].Value != "aud-lifecycle" {
					t.Fatalf("decrypted OAuth %+v", auth)
				}
			}
			if auth.Invocation.Header[1].Value != "hdr-lifecycle" || !auth.Invocation.Header[1].IsSecret || auth.Invocation.QueryString[0].Value != "qs-lifecycle" {
				t.Fatalf("decrypted invocation parameters lost a secret")
			}

			// Deauthorize removes the parameters and the secret.
			da := must[*eventbridge.DeauthorizeConnectionOutput](t)(c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String(name)}))
			if aws.ToString(da.ConnectionArn) != arn || da.ConnectionState != types.ConnectionStateDeauthorizing || da.LastAuthorizedTime == nil {
				t.Fatalf("DeauthorizeConnection: %+v", da)
			}
			d3 := describeConnection(t, c, name)
			if d3.ConnectionState != types.ConnectionStateDeauthorized || d3.AuthParameters != nil || d3.SecretArn != nil || d3.AuthorizationType != typ {
				t.Fatalf("after deauthorize: %+v", d3)
			}
			if _, err := m.service.ConnectionAuth(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrConnectionNotAuthorized) {
				t.Fatalf("ConnectionAuth of a deauthorized connection: %v", err)
			}
			again := must[*eventbridge.DeauthorizeConnectionOutput](t)(c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String(name)}))
			if again.ConnectionState != types.ConnectionStateDeauthorized {
				t.Fatalf("second DeauthorizeConnection: %+v", again)
			}
			// Partial parameters cannot authorize it again; complete ones can.
			_, err = c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthParameters: up})
			wantAPIError(t, err, "ValidationException", "")
			full := authInput(typ, "again")
			u2 := must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthParameters: updateParams(full)}))
			if u2.ConnectionState != types.ConnectionStateAuthorized {
				t.Fatalf("re-authorizing update: %+v", u2)
			}
			d4 := describeConnection(t, c, name)
			if d4.ConnectionState != types.ConnectionStateAuthorized || d4.SecretArn == nil || aws.ToString(d4.SecretArn) == secretARN {
				t.Fatalf("after re-authorizing: %+v (old secret %s)", d4, secretARN)
			}

			del := must[*eventbridge.DeleteConnectionOutput](t)(c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String(name)}))
			if aws.ToString(del.ConnectionArn) != arn || del.ConnectionState != types.ConnectionStateDeleting || del.LastAuthorizedTime == nil || del.CreationTime == nil {
				t.Fatalf("DeleteConnection: %+v", del)
			}
			_, err = c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String(name)})
			wantAPIError(t, err, "ResourceNotFoundException", "Failed to describe the connection(s). Connection '"+name+"' does not exist.")
			if _, err := m.service.ConnectionAuth(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrNotFound) {
				t.Fatalf("ConnectionAuth of a deleted connection: %v", err)
			}
			// The same name again is a new connection with a new ARN.
			recreated := createConnection(t, c, name, typ, "lifecycle")
			if aws.ToString(recreated.ConnectionArn) == arn {
				t.Fatal("a recreated connection kept its ARN")
			}
			if _, err := m.service.ConnectionAuth(ctx, customerAcct, arn); !errors.Is(err, eventbus.ErrNotFound) {
				t.Fatalf("ConnectionAuth through the old ARN: %v", err)
			}
		})
	}
}

// updateParams turns complete create parameters into update parameters.
func updateParams(p *types.CreateConnectionAuthRequestParameters) *types.UpdateConnectionAuthRequestParameters {
	u := &types.UpdateConnectionAuthRequestParameters{InvocationHttpParameters: p.InvocationHttpParameters}
	if b := p.BasicAuthParameters; b != nil {
		u.BasicAuthParameters = &types.UpdateConnectionBasicAuthRequestParameters{Username: b.Username, Password: b.Password}
	}
	if k := p.ApiKeyAuthParameters; k != nil {
		u.ApiKeyAuthParameters = &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyName: k.ApiKeyName, ApiKeyValue: k.ApiKeyValue}
	}
	if o := p.OAuthParameters; o != nil {
		u.OAuthParameters = &types.UpdateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: o.AuthorizationEndpoint, HttpMethod: o.HttpMethod, OAuthHttpParameters: o.OAuthHttpParameters,
			ClientParameters: &types.UpdateConnectionOAuthClientRequestParameters{ClientID: o.ClientParameters.ClientID, ClientSecret: o.ClientParameters.ClientSecret},
		}
	}
	return u
}

// TestUpdateConnectionChanges covers the other updates: description and
// KMS key only, a change of authorization type, replacing the invocation
// parameters, and a request that changes nothing.
func TestUpdateConnectionChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	created := createConnection(t, c, "c1", types.ConnectionAuthorizationTypeBasic, "u")
	arn := aws.ToString(created.ConnectionArn)
	d0 := describeConnection(t, c, "c1")

	same := must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("c1")}))
	if !same.LastModifiedTime.Equal(*d0.LastModifiedTime) || !same.LastAuthorizedTime.Equal(*d0.LastAuthorizedTime) {
		t.Fatalf("an empty update changed the connection: %+v", same)
	}
	time.Sleep(5 * time.Millisecond)
	u := must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{
		Name: aws.String("c1"), Description: aws.String("new"), KmsKeyIdentifier: aws.String("alias/mine"),
	}))
	if !u.LastModifiedTime.After(*d0.LastModifiedTime) || !u.LastAuthorizedTime.Equal(*d0.LastAuthorizedTime) {
		t.Fatalf("description update: %+v", u)
	}
	d := describeConnection(t, c, "c1")
	if aws.ToString(d.Description) != "new" || aws.ToString(d.KmsKeyIdentifier) != "alias/mine" || d.AuthParameters.BasicAuthParameters == nil {
		t.Fatalf("after description update: %+v", d)
	}

	// BASIC to API_KEY needs the complete API key parameters; invocation
	// parameters carry over unless replaced.
	_, err := c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("c1"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey})
	wantAPIError(t, err, "ValidationException", "Failed to update the connection(s). Parameter AuthParameters is not valid. Reason: ApiKeyAuthParameters must be specified for authorization type API_KEY.")
	_, err = c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{
		Name: aws.String("c1"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.UpdateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyValue: aws.String("v")}},
	})
	wantAPIError(t, err, "ValidationException", "Failed to update the connection(s). Parameter ApiKeyAuthParameters is not valid. Reason: ApiKeyName and ApiKeyValue must be specified to set a new authorization.")
	_, err = c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{
		Name: aws.String("c1"), AuthParameters: &types.UpdateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyValue: aws.String("v")}},
	})
	wantAPIError(t, err, "ValidationException", "Failed to update the connection(s). Parameter AuthParameters is not valid. Reason: ApiKeyAuthParameters cannot be specified for authorization type BASIC.")
	must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{
		Name: aws.String("c1"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.UpdateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.UpdateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("k"), ApiKeyValue: aws.String("v")}},
	}))
	d = describeConnection(t, c, "c1")
	if d.AuthorizationType != types.ConnectionAuthorizationTypeApiKey || d.AuthParameters.BasicAuthParameters != nil ||
		aws.ToString(d.AuthParameters.ApiKeyAuthParameters.ApiKeyName) != "k" {
		t.Fatalf("after type change: %+v", d.AuthParameters)
	}
	wantInvocationParams(t, d.AuthParameters.InvocationHttpParameters)
	must[*eventbridge.UpdateConnectionOutput](t)(c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{
		Name: aws.String("c1"), AuthParameters: &types.UpdateConnectionAuthRequestParameters{InvocationHttpParameters: &types.ConnectionHttpParameters{
			HeaderParameters: []types.ConnectionHeaderParameter{{Key: aws.String("X-Only"), Value: aws.String("one")}},
		}},
	}))
	auth, err := m.service.ConnectionAuth(ctx, customerAcct, arn)
	if err != nil {
		t.Fatal(err)
	}
	if auth.Type != eventbus.AuthAPIKey || auth.APIKey.Value.Reveal() != "v" || auth.Basic != nil ||
		len(auth.Invocation.Header) != 1 || auth.Invocation.Header[0].Key != "X-Only" || len(auth.Invocation.QueryString) != 0 {
		t.Fatalf("after replacing invocation parameters: %+v %+v", auth, auth.Invocation)
	}
}

// TestConnectionAndDestinationErrors sends every bad request of
// testdata/connections_validation.json against a server holding one
// connection ("existing") and one API destination ("dest") of
// customerAcct, and checks the error word for word and that nothing
// changed.
func TestConnectionAndDestinationErrors(t *testing.T) {
	t.Parallel()
	m := startServer(t, func(c *api.Config) { c.MaxConnections, c.MaxAPIDestinations = 2, 2 })
	addr := m.Addr()
	c := clientFor(m, customerAcct)
	conn := createConnection(t, c, "existing", types.ConnectionAuthorizationTypeApiKey, "errors")
	createConnection(t, c, "second", types.ConnectionAuthorizationTypeApiKey, "errors")
	for _, name := range []string{"dest", "dest2"} {
		must[*eventbridge.CreateApiDestinationOutput](t)(c.CreateApiDestination(context.Background(), &eventbridge.CreateApiDestinationInput{
			Name: aws.String(name), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://example.com/hook"), HttpMethod: types.ApiDestinationHttpMethodPost,
		}))
	}
	snapshot := func() string {
		_, _, conns := rawCall(t, addr, customerAcct, "ListConnections", `{}`)
		_, _, dests := rawCall(t, addr, customerAcct, "ListApiDestinations", `{}`)
		_, _, one := rawCall(t, addr, customerAcct, "DescribeConnection", `{"Name":"existing"}`)
		return conns + dests + one
	}
	vars := map[string]string{"${CONN_ARN}": aws.ToString(conn.ConnectionArn), "${CUSTOMER}": customerAcct, "${OTHER}": otherAcct}
	runErrorTable(t, addr, "testdata/connections_validation.json", vars, snapshot)
}

// TestListConnections pages through connections under each filter.
func TestListConnections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("orders-%d", i)
		createConnection(t, c, name, authTypes[i%3], "list")
		want = append(want, name)
	}
	createConnection(t, c, "billing", types.ConnectionAuthorizationTypeBasic, "list")
	must[*eventbridge.DeauthorizeConnectionOutput](t)(c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("orders-3")}))

	list := func(in eventbridge.ListConnectionsInput) []string {
		t.Helper()
		var names []string
		for pages := 0; ; pages++ {
			out := must[*eventbridge.ListConnectionsOutput](t)(c.ListConnections(ctx, &in))
			if in.Limit != nil && len(out.Connections) > int(*in.Limit) {
				t.Fatalf("page of %d over Limit %d", len(out.Connections), *in.Limit)
			}
			for _, x := range out.Connections {
				names = append(names, aws.ToString(x.Name))
				if x.ConnectionArn == nil || x.AuthorizationType == "" || x.CreationTime == nil || x.LastModifiedTime == nil || x.LastAuthorizedTime == nil {
					t.Fatalf("listed connection %+v", x)
				}
			}
			if out.NextToken == nil {
				return names
			}
			in.NextToken = out.NextToken
		}
	}
	if got := list(eventbridge.ListConnectionsInput{NamePrefix: aws.String("orders-"), Limit: aws.Int32(3)}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged list %v, want %v", got, want)
	}
	if got := list(eventbridge.ListConnectionsInput{}); len(got) != 8 || got[0] != "billing" {
		t.Fatalf("full list %v", got)
	}
	if got := list(eventbridge.ListConnectionsInput{ConnectionState: types.ConnectionStateDeauthorized}); fmt.Sprint(got) != "[orders-3]" {
		t.Fatalf("DEAUTHORIZED list %v", got)
	}
	if got := list(eventbridge.ListConnectionsInput{ConnectionState: types.ConnectionStateAuthorized, NamePrefix: aws.String("orders-"), Limit: aws.Int32(2)}); len(got) != 6 {
		t.Fatalf("AUTHORIZED orders list %v", got)
	}
	if got := list(eventbridge.ListConnectionsInput{NamePrefix: aws.String("zzz")}); len(got) != 0 {
		t.Fatalf("no match: %v", got)
	}
	// A token of one listing is not valid for another.
	first := must[*eventbridge.ListConnectionsOutput](t)(c.ListConnections(ctx, &eventbridge.ListConnectionsInput{Limit: aws.Int32(1)}))
	_, err := c.ListConnections(ctx, &eventbridge.ListConnectionsInput{NextToken: first.NextToken, NamePrefix: aws.String("orders-")})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
	_, err = c.ListConnections(ctx, &eventbridge.ListConnectionsInput{NextToken: aws.String("garbage")})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
	// Another account sees none of them.
	if out := must[*eventbridge.ListConnectionsOutput](t)(clientFor(m, otherAcct).ListConnections(ctx, &eventbridge.ListConnectionsInput{})); len(out.Connections) != 0 {
		t.Fatalf("other account lists %+v", out.Connections)
	}
}

// TestConnectionIsolation: each account has its own connections under the
// same names, and cannot read, change or use another's.
func TestConnectionIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	a, b := clientFor(m, customerAcct), clientFor(m, otherAcct)
	ca := createConnection(t, a, "shared-name", types.ConnectionAuthorizationTypeBasic, "iso-a")
	cb := createConnection(t, b, "shared-name", types.ConnectionAuthorizationTypeApiKey, "iso-b")
	if aws.ToString(ca.ConnectionArn) == aws.ToString(cb.ConnectionArn) {
		t.Fatal("two accounts share a connection ARN")
	}
	if d := describeConnection(t, b, "shared-name"); d.AuthorizationType != types.ConnectionAuthorizationTypeApiKey || aws.ToString(d.ConnectionArn) != aws.ToString(cb.ConnectionArn) {
		t.Fatalf("account b sees %+v", d)
	}
	createConnection(t, a, "only-a", types.ConnectionAuthorizationTypeBasic, "iso-a")
	const notFound = "ResourceNotFoundException"
	_, err := b.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("only-a")})
	wantAPIError(t, err, notFound, "Failed to describe the connection(s). Connection 'only-a' does not exist.")
	_, err = b.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("only-a")})
	wantAPIError(t, err, notFound, "Failed to delete the connection(s). Connection 'only-a' does not exist.")
	_, err = b.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("only-a")})
	wantAPIError(t, err, notFound, "Failed to deauthorize the connection(s). Connection 'only-a' does not exist.")
	_, err = b.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("only-a"), Description: aws.String("x")})
	wantAPIError(t, err, notFound, "Failed to update the connection(s). Connection 'only-a' does not exist.")
	// b cannot point an API destination at a's connection, by its ARN.
	_, err = b.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("d"), ConnectionArn: ca.ConnectionArn, InvocationEndpoint: aws.String("https://example.com"), HttpMethod: types.ApiDestinationHttpMethodPost,
	})
	wantAPIError(t, err, notFound, "Failed to create the api-destination(s). Connection 'shared-name' does not exist.")
	// Nor read its credentials through the delivery-side API.
	if _, err := m.service.ConnectionAuth(ctx, otherAcct, aws.ToString(ca.ConnectionArn)); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("ConnectionAuth across accounts: %v", err)
	}
	auth, err := m.service.ConnectionAuth(ctx, customerAcct, aws.ToString(ca.ConnectionArn))
	if err != nil || auth.Basic.Password.Reveal() != "pw-iso-a" {
		t.Fatalf("ConnectionAuth of the owner: %v", err)
	}
}

// TestConnectionQuota: the account-level quota is configurable and
// counts per account; deleting frees a place.
func TestConnectionQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxConnections = 2 })
	c := clientFor(m, customerAcct)
	createConnection(t, c, "q1", types.ConnectionAuthorizationTypeBasic, "q")
	createConnection(t, c, "q2", types.ConnectionAuthorizationTypeBasic, "q")
	_, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("q3"), AuthorizationType: types.ConnectionAuthorizationTypeBasic, AuthParameters: authInput(types.ConnectionAuthorizationTypeBasic, "q"),
	})
	wantAPIError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	createConnection(t, clientFor(m, otherAcct), "q3", types.ConnectionAuthorizationTypeBasic, "q")
	must[*eventbridge.DeleteConnectionOutput](t)(c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("q1")}))
	createConnection(t, c, "q3", types.ConnectionAuthorizationTypeBasic, "q")
}
