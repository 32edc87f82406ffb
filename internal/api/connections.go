package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the connection operations. A connection is stored as an
// eventbus.Connection under (account, name) of Stores.Connections: its
// authorization without secrets in clear (for Describe), and complete but
// sealed with Stores.Secrets, bound to the connection's ARN. No secret is
// ever put in a response, an error message or a log line.
//
// Every change is complete when the call returns, so a stored connection is
// AUTHORIZED or DEAUTHORIZED. For OAUTH_CLIENT_CREDENTIALS AWS answers
// AUTHORIZING and fetches a token in the background; switchyard answers
// AUTHORIZED at once and leaves the token to the HTTP sender, which fetches
// it on first use (and may report a refusal with DeauthorizeConnectionFor).
//
// Messages follow AWS's "Failed to <verb> the connection(s). <detail>" form,
// seen word for word for DescribeConnection of a missing connection
// (LocalStack's AWS-recorded snapshot, test_api_destinations_and_connection);
// they live in awserr's catalogue (internal/awserr/messages.go).

// authParamName names the parameter structure of an authorization type.
func authParamName(typ string) string {
	switch typ {
	case eventbus.AuthBasic:
		return "BasicAuthParameters"
	case eventbus.AuthAPIKey:
		return "ApiKeyAuthParameters"
	default:
		return "OAuthParameters"
	}
}

// authSet says which parameter structures a request carries.
type authSet struct{ basic, apiKey, oauth bool }

// checkAuthSet refuses the structures of another type than typ, and a
// missing structure of typ when required.
func checkAuthSet(verb, typ string, got authSet, required bool) error {
	present := map[string]bool{eventbus.AuthBasic: got.basic, eventbus.AuthAPIKey: got.apiKey, eventbus.AuthOAuth: got.oauth}
	for _, other := range []string{eventbus.AuthBasic, eventbus.AuthAPIKey, eventbus.AuthOAuth} {
		if other != typ && present[other] {
			return awserr.ConnectionAuthNotAllowed(verb, authParamName(other), typ)
		}
	}
	if required && !present[typ] {
		return awserr.ConnectionAuthRequired(verb, authParamName(typ), typ)
	}
	return nil
}

// createAuth checks CreateConnection's parameters against the authorization
// type and returns the complete authorization. The model has already
// checked lengths, patterns and the fields each structure requires.
func (s *Service) createAuth(typ string, p *apimodel.CreateConnectionAuthRequestParameters) (eventbus.ConnectionAuth, error) {
	const verb = "create"
	a := eventbus.ConnectionAuth{Type: typ}
	if p.ConnectivityParameters != nil {
		return a, awserr.ConnectionPrivateUnsupported(verb, "ConnectivityParameters")
	}
	set := authSet{p.BasicAuthParameters != nil, p.ApiKeyAuthParameters != nil, p.OAuthParameters != nil}
	if err := checkAuthSet(verb, typ, set, true); err != nil {
		return a, err
	}
	switch typ {
	case eventbus.AuthBasic:
		a.Basic = &eventbus.BasicAuth{Username: deref(p.BasicAuthParameters.Username), Password: eventbus.Secret(deref(p.BasicAuthParameters.Password))}
	case eventbus.AuthAPIKey:
		a.APIKey = &eventbus.APIKeyAuth{Name: deref(p.ApiKeyAuthParameters.ApiKeyName), Value: eventbus.Secret(deref(p.ApiKeyAuthParameters.ApiKeyValue))}
	case eventbus.AuthOAuth:
		o := p.OAuthParameters
		oauth := &eventbus.OAuthClientCredentials{AuthorizationEndpoint: deref(o.AuthorizationEndpoint), HTTPMethod: deref(o.HttpMethod)}
		if c := o.ClientParameters; c != nil {
			oauth.ClientID, oauth.ClientSecret = deref(c.ClientID), eventbus.Secret(deref(c.ClientSecret))
		}
		var err error
		if oauth.HTTPParameters, err = httpParamsIn(verb, "OAuthHttpParameters", o.OAuthHttpParameters); err != nil {
			return a, err
		}
		if err := s.checkAuthEndpoint(verb, oauth.AuthorizationEndpoint); err != nil {
			return a, err
		}
		a.OAuth = oauth
	}
	var err error
	a.Invocation, err = httpParamsIn(verb, "InvocationHttpParameters", p.InvocationHttpParameters)
	return a, err
}

// checkAuthEndpoint applies eventbus.ValidEndpoint to an OAuth
// AuthorizationEndpoint, with the message AWS gives for a bad
// InvocationEndpoint.
func (s *Service) checkAuthEndpoint(verb, endpoint string) error {
	if eventbus.ValidEndpoint(endpoint, s.cfg.HTTPLoopbackEndpoints) {
		return nil
	}
	return awserr.AuthorizationEndpointInvalid(verb, endpoint)
}

// httpParamsIn converts connection HTTP parameters, keeping their order; a
// parameter needs a non-empty Key.
func httpParamsIn(verb, name string, p *apimodel.ConnectionHttpParameters) (*eventbus.ConnectionHTTPParameters, error) {
	if p == nil {
		return nil, nil
	}
	out := &eventbus.ConnectionHTTPParameters{}
	conv := func(list []apimodel.ConnectionHeaderParameter) ([]eventbus.ConnectionParameter, error) {
		var ps []eventbus.ConnectionParameter
		for _, x := range list {
			if deref(x.Key) == "" {
				return nil, awserr.ConnectionParameterKeyRequired(verb, name)
			}
			ps = append(ps, eventbus.ConnectionParameter{Key: *x.Key, Value: deref(x.Value), IsSecret: deref(x.IsValueSecret)})
		}
		return ps, nil
	}
	var err error
	if out.Header, err = conv(p.HeaderParameters); err != nil {
		return nil, err
	}
	query := make([]apimodel.ConnectionHeaderParameter, 0, len(p.QueryStringParameters))
	for _, q := range p.QueryStringParameters {
		query = append(query, apimodel.ConnectionHeaderParameter(q))
	}
	if out.QueryString, err = conv(query); err != nil {
		return nil, err
	}
	body := make([]apimodel.ConnectionHeaderParameter, 0, len(p.BodyParameters))
	for _, b := range p.BodyParameters {
		body = append(body, apimodel.ConnectionHeaderParameter(b))
	}
	out.Body, err = conv(body)
	return out, err
}

// newSecretID returns what AWS ends a connection's secret ARN with: a UUID,
// '-', and the six random characters Secrets Manager appends to every name.
func newSecretID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return uuid.NewString() + "-" + string(b)
}

// authorize seals a onto c and makes c AUTHORIZED now, giving it a secret
// if it had none.
func (s *Service) authorize(c *eventbus.Connection, a eventbus.ConnectionAuth) error {
	sealed, err := eventbus.SealAuth(s.st.Secrets, a, c.ARN(s.cfg.Region))
	if err != nil {
		return awserr.InternalError(err)
	}
	redacted := a.Redacted()
	c.AuthorizationType, c.Auth, c.Sealed = a.Type, &redacted, sealed
	c.State, c.StateReason, c.AuthorizedAt = eventbus.ConnectionAuthorized, "", s.now()
	if c.SecretID == "" {
		c.SecretID = newSecretID()
	}
	return nil
}

// CreateConnection creates an AUTHORIZED connection (see the file comment
// for OAuth). The account may have at most MaxConnections.
func (s *Service) CreateConnection(ctx context.Context, in *apimodel.CreateConnectionRequest) (*apimodel.CreateConnectionResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.InvocationConnectivityParameters != nil {
		return nil, awserr.ConnectionPrivateUnsupported("create", "InvocationConnectivityParameters")
	}
	auth, err := s.createAuth(*in.AuthorizationType, in.AuthParameters)
	if err != nil {
		return nil, err
	}
	if err := checkNew(ctx, s.st.Connections, c.Account, *in.Name, s.cfg.MaxConnections, awserr.ConnectionExists); err != nil {
		return nil, err
	}
	now := s.now()
	conn := eventbus.Connection{
		Name: *in.Name, Account: c.Account, ID: uuid.NewString(), Description: deref(in.Description),
		KmsKeyIdentifier: deref(in.KmsKeyIdentifier), CreatedAt: now, ModifiedAt: now,
	}
	if err := s.authorize(&conn, auth); err != nil {
		return nil, err
	}
	_, err = s.st.Connections.Create(ctx, conn, s.cfg.MaxConnections)
	switch {
	case errors.Is(err, eventbus.ErrExists):
		return nil, awserr.ConnectionExists(conn.Name)
	case errors.Is(err, eventbus.ErrLimit):
		return nil, awserr.LimitReached()
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.CreateConnectionResponse{
		ConnectionArn: ptr(conn.ARN(s.cfg.Region)), ConnectionState: ptr(conn.State),
		CreationTime: timePtr(conn.CreatedAt), LastModifiedTime: timePtr(conn.ModifiedAt),
	}, nil
}

// checkNew answers exists(name) when account already has a record called
// name in r, and LimitExceededException when it holds limit records (0: no
// limit). The create that follows settles a race for the name or the last
// place.
func checkNew[T any](ctx context.Context, r *eventbus.Records[T], account, name string, limit int, exists func(string) *awserr.Error) error {
	switch _, _, err := r.Get(ctx, account, name); {
	case err == nil:
		return exists(name)
	case !errors.Is(err, eventbus.ErrNotFound):
		return err
	}
	if limit <= 0 {
		return nil
	}
	n, err := r.Count(ctx, account)
	if err != nil {
		return err
	}
	if n >= limit {
		return awserr.LimitReached()
	}
	return nil
}

// getConnection reads a connection of account, answering
// ResourceNotFoundException for verb when it is missing.
func (s *Service) getConnection(ctx context.Context, verb, account, name string) (eventbus.Connection, error) {
	conn, _, err := s.st.Connections.Get(ctx, account, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return conn, awserr.ConnectionNotFound(verb, name)
	}
	return conn, err
}

// changeConnection applies change to a stored connection (see mutate),
// answering ResourceNotFoundException for verb when it is missing. It
// returns the connection as it was before and after the change.
func (s *Service) changeConnection(ctx context.Context, verb, account, name string, change func(*eventbus.Connection) error) (before, after eventbus.Connection, err error) {
	after, err = mutate(ctx, s.st.Connections, func(c *eventbus.Connection) error {
		before = *c
		return change(c)
	}, account, name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return before, after, awserr.ConnectionNotFound(verb, name)
	case errors.Is(err, errNoChange):
		return before, before, nil
	}
	return before, after, err
}

// DescribeConnection describes a connection of the caller's account, with
// its authorization parameters but no secret value.
func (s *Service) DescribeConnection(ctx context.Context, in *apimodel.DescribeConnectionRequest) (*apimodel.DescribeConnectionResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := s.getConnection(ctx, "describe", c.Account, *in.Name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeConnectionResponse{
		ConnectionArn: ptr(conn.ARN(s.cfg.Region)), Name: ptr(conn.Name), Description: optional(conn.Description),
		ConnectionState: ptr(conn.State), StateReason: optional(conn.StateReason), AuthorizationType: ptr(conn.AuthorizationType),
		SecretArn: optional(conn.SecretARN(s.cfg.Region)), KmsKeyIdentifier: optional(conn.KmsKeyIdentifier),
		AuthParameters: authParamsOut(conn.Auth), CreationTime: timePtr(conn.CreatedAt),
		LastModifiedTime: timePtr(conn.ModifiedAt), LastAuthorizedTime: timePtr(conn.AuthorizedAt),
	}, nil
}

// authParamsOut renders a redacted authorization as Describe shows it:
// Username, ApiKeyName, ClientID and the endpoint, and every parameter with
// its Key and IsValueSecret but the Value only when it is not secret.
func authParamsOut(a *eventbus.ConnectionAuth) *apimodel.ConnectionAuthResponseParameters {
	if a == nil {
		return nil
	}
	out := &apimodel.ConnectionAuthResponseParameters{InvocationHttpParameters: httpParamsOut(a.Invocation)}
	if a.Basic != nil {
		out.BasicAuthParameters = &apimodel.ConnectionBasicAuthResponseParameters{Username: ptr(a.Basic.Username)}
	}
	if a.APIKey != nil {
		out.ApiKeyAuthParameters = &apimodel.ConnectionApiKeyAuthResponseParameters{ApiKeyName: ptr(a.APIKey.Name)}
	}
	if o := a.OAuth; o != nil {
		out.OAuthParameters = &apimodel.ConnectionOAuthResponseParameters{
			ClientParameters:      &apimodel.ConnectionOAuthClientResponseParameters{ClientID: ptr(o.ClientID)},
			AuthorizationEndpoint: ptr(o.AuthorizationEndpoint), HttpMethod: ptr(o.HTTPMethod),
			OAuthHttpParameters: httpParamsOut(o.HTTPParameters),
		}
	}
	return out
}

func httpParamsOut(p *eventbus.ConnectionHTTPParameters) *apimodel.ConnectionHttpParameters {
	if p == nil {
		return nil
	}
	conv := func(ps []eventbus.ConnectionParameter) []apimodel.ConnectionHeaderParameter {
		var out []apimodel.ConnectionHeaderParameter
		for _, x := range ps {
			o := apimodel.ConnectionHeaderParameter{Key: ptr(x.Key), IsValueSecret: ptr(x.IsSecret)}
			if !x.IsSecret {
				o.Value = ptr(x.Value)
			}
			out = append(out, o)
		}
		return out
	}
	out := &apimodel.ConnectionHttpParameters{HeaderParameters: conv(p.Header)}
	for _, q := range conv(p.QueryString) {
		out.QueryStringParameters = append(out.QueryStringParameters, apimodel.ConnectionQueryStringParameter(q))
	}
	for _, b := range conv(p.Body) {
		out.BodyParameters = append(out.BodyParameters, apimodel.ConnectionBodyParameter(b))
	}
	return out
}

// ListConnections lists the caller's connections by name, under an
// optional NamePrefix and ConnectionState.
func (s *Service) ListConnections(ctx context.Context, in *apimodel.ListConnectionsRequest) (*apimodel.ListConnectionsResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Connections.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix, state := deref(in.NamePrefix), deref(in.ConnectionState)
	conns, next, err := pageOf(all, func(c eventbus.Connection) string { return c.Name },
		func(c eventbus.Connection) bool {
			return strings.HasPrefix(c.Name, prefix) && (state == "" || c.State == state)
		},
		"connections:"+prefix+" "+state, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListConnectionsResponse{NextToken: next, Connections: []apimodel.Connection{}}
	for _, conn := range conns {
		out.Connections = append(out.Connections, apimodel.Connection{
			ConnectionArn: ptr(conn.ARN(s.cfg.Region)), Name: ptr(conn.Name), ConnectionState: ptr(conn.State),
			StateReason: optional(conn.StateReason), AuthorizationType: ptr(conn.AuthorizationType),
			CreationTime: timePtr(conn.CreatedAt), LastModifiedTime: timePtr(conn.ModifiedAt), LastAuthorizedTime: timePtr(conn.AuthorizedAt),
		})
	}
	return out, nil
}

// DeleteConnection deletes a connection and its secret. As in AWS, API
// destinations using it are kept; they turn INACTIVE and deliveries to them
// fail until they are given another connection. The answer is the
// connection as it was, in state DELETING, as AWS sends it.
func (s *Service) DeleteConnection(ctx context.Context, in *apimodel.DeleteConnectionRequest) (*apimodel.DeleteConnectionResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	before, _, err := s.changeConnection(ctx, "delete", c.Account, *in.Name, func(*eventbus.Connection) error { return eventbus.ErrRemove })
	if err != nil {
		return nil, err
	}
	return &apimodel.DeleteConnectionResponse{
		ConnectionArn: ptr(before.ARN(s.cfg.Region)), ConnectionState: ptr(eventbus.ConnectionDeleting),
		CreationTime: timePtr(before.CreatedAt), LastModifiedTime: timePtr(before.ModifiedAt), LastAuthorizedTime: timePtr(before.AuthorizedAt),
	}, nil
}

// DeauthorizeConnection removes a connection's authorization parameters and
// secret: it becomes DEAUTHORIZED (the answer says DEAUTHORIZING, as AWS's
// does) and can be authorized again by UpdateConnection with complete
// parameters. Deauthorizing a DEAUTHORIZED connection changes nothing.
func (s *Service) DeauthorizeConnection(ctx context.Context, in *apimodel.DeauthorizeConnectionRequest) (*apimodel.DeauthorizeConnectionResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	changed := false
	_, after, err := s.changeConnection(ctx, "deauthorize", c.Account, *in.Name, func(conn *eventbus.Connection) error {
		if conn.Auth == nil && conn.Sealed == nil {
			changed = false
			return errNoChange
		}
		conn.Auth, conn.Sealed, conn.SecretID = nil, nil, ""
		conn.State, conn.StateReason, conn.ModifiedAt = eventbus.ConnectionDeauthorized, "", s.now()
		changed = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	state := after.State
	if changed {
		state = eventbus.ConnectionDeauthorizing
	}
	return &apimodel.DeauthorizeConnectionResponse{
		ConnectionArn: ptr(after.ARN(s.cfg.Region)), ConnectionState: ptr(state),
		CreationTime: timePtr(after.CreatedAt), LastModifiedTime: timePtr(after.ModifiedAt), LastAuthorizedTime: timePtr(after.AuthorizedAt),
	}, nil
}

// UpdateConnection changes a connection's description, KMS key identifier
// and authorization. Parameters of the connection's type may be given in
// part (Password alone, say): the rest is kept. Changing the type, or
// authorizing a DEAUTHORIZED connection, needs the type's complete
// parameters. InvocationHttpParameters, and OAuthHttpParameters, replace
// the previous ones when given. A change of authorization makes the
// connection AUTHORIZED again.
func (s *Service) UpdateConnection(ctx context.Context, in *apimodel.UpdateConnectionRequest) (*apimodel.UpdateConnectionResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.InvocationConnectivityParameters != nil || (in.AuthParameters != nil && in.AuthParameters.ConnectivityParameters != nil) {
		return nil, awserr.ConnectionPrivateUnsupported("update", "InvocationConnectivityParameters")
	}
	_, after, err := s.changeConnection(ctx, "update", c.Account, *in.Name, func(conn *eventbus.Connection) error {
		changed := false
		if in.Description != nil {
			conn.Description, changed = *in.Description, true
		}
		if in.KmsKeyIdentifier != nil {
			conn.KmsKeyIdentifier, changed = *in.KmsKeyIdentifier, true
		}
		if in.AuthorizationType != nil || in.AuthParameters != nil {
			var current *eventbus.ConnectionAuth
			if len(conn.Sealed) > 0 {
				a, err := eventbus.OpenAuth(s.st.Secrets, conn.Sealed, conn.ARN(s.cfg.Region))
				if err != nil {
					return awserr.InternalError(err)
				}
				current = &a
			}
			next, authChanged, err := s.updateAuth(conn.AuthorizationType, current, in)
			if err != nil {
				return err
			}
			if authChanged {
				if err := s.authorize(conn, next); err != nil {
					return err
				}
				changed = true
			}
		}
		if !changed {
			return errNoChange
		}
		conn.ModifiedAt = s.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &apimodel.UpdateConnectionResponse{
		ConnectionArn: ptr(after.ARN(s.cfg.Region)), ConnectionState: ptr(after.State), CreationTime: timePtr(after.CreatedAt),
		LastModifiedTime: timePtr(after.ModifiedAt), LastAuthorizedTime: timePtr(after.AuthorizedAt),
	}, nil
}

// updateAuth merges UpdateConnection's authorization into current (the
// complete authorization, nil when deauthorized) of type currentType. It
// reports false when the request changes nothing about it.
func (s *Service) updateAuth(currentType string, current *eventbus.ConnectionAuth, in *apimodel.UpdateConnectionRequest) (eventbus.ConnectionAuth, bool, error) {
	const verb = "update"
	typ := currentType
	if in.AuthorizationType != nil {
		typ = *in.AuthorizationType
	}
	p := in.AuthParameters
	if p == nil {
		if typ == currentType && current != nil {
			return *current, false, nil
		}
		return eventbus.ConnectionAuth{}, false, checkAuthSet(verb, typ, authSet{}, true)
	}
	// Parameters may be partial only over an authorization of the same type.
	complete := current == nil || current.Type != typ
	next := eventbus.ConnectionAuth{Type: typ}
	if current != nil {
		next.Invocation = current.Invocation
		if !complete {
			next.Basic, next.APIKey, next.OAuth = current.Basic, current.APIKey, current.OAuth
		}
	}
	set := authSet{p.BasicAuthParameters != nil, p.ApiKeyAuthParameters != nil, p.OAuthParameters != nil}
	if err := checkAuthSet(verb, typ, set, complete); err != nil {
		return next, false, err
	}
	var err error
	switch typ {
	case eventbus.AuthBasic:
		next.Basic, err = mergeBasic(next.Basic, p.BasicAuthParameters, complete)
	case eventbus.AuthAPIKey:
		next.APIKey, err = mergeAPIKey(next.APIKey, p.ApiKeyAuthParameters, complete)
	case eventbus.AuthOAuth:
		next.OAuth, err = s.mergeOAuth(next.OAuth, p.OAuthParameters, complete)
	}
	if err != nil {
		return next, false, err
	}
	if p.InvocationHttpParameters != nil {
		if next.Invocation, err = httpParamsIn(verb, "InvocationHttpParameters", p.InvocationHttpParameters); err != nil {
			return next, false, err
		}
	}
	return next, true, nil
}

func mergeBasic(cur *eventbus.BasicAuth, in *apimodel.UpdateConnectionBasicAuthRequestParameters, complete bool) (*eventbus.BasicAuth, error) {
	if in == nil {
		return cur, nil
	}
	if complete && (in.Username == nil || in.Password == nil) {
		return nil, awserr.ConnectionFieldsRequired("BasicAuthParameters", "Username and Password")
	}
	out := eventbus.BasicAuth{}
	if cur != nil {
		out = *cur
	}
	if in.Username != nil {
		out.Username = *in.Username
	}
	if in.Password != nil {
		out.Password = eventbus.Secret(*in.Password)
	}
	return &out, nil
}

func mergeAPIKey(cur *eventbus.APIKeyAuth, in *apimodel.UpdateConnectionApiKeyAuthRequestParameters, complete bool) (*eventbus.APIKeyAuth, error) {
	if in == nil {
		return cur, nil
	}
	if complete && (in.ApiKeyName == nil || in.ApiKeyValue == nil) {
		return nil, awserr.ConnectionFieldsRequired("ApiKeyAuthParameters", "ApiKeyName and ApiKeyValue")
	}
	out := eventbus.APIKeyAuth{}
	if cur != nil {
		out = *cur
	}
	if in.ApiKeyName != nil {
		out.Name = *in.ApiKeyName
	}
	if in.ApiKeyValue != nil {
		out.Value = eventbus.Secret(*in.ApiKeyValue)
	}
	return &out, nil
}

func (s *Service) mergeOAuth(cur *eventbus.OAuthClientCredentials, in *apimodel.UpdateConnectionOAuthRequestParameters, complete bool) (*eventbus.OAuthClientCredentials, error) {
	if in == nil {
		return cur, nil
	}
	cp := in.ClientParameters
	if complete && (cp == nil || cp.ClientID == nil || cp.ClientSecret == nil || in.AuthorizationEndpoint == nil || in.HttpMethod == nil) {
		return nil, awserr.ConnectionFieldsRequired("OAuthParameters", "ClientParameters (ClientID and ClientSecret), AuthorizationEndpoint and HttpMethod")
	}
	out := eventbus.OAuthClientCredentials{}
	if cur != nil {
		out = *cur
	}
	if cp != nil && cp.ClientID != nil {
		out.ClientID = *cp.ClientID
	}
	if cp != nil && cp.ClientSecret != nil {
		out.ClientSecret = eventbus.Secret(*cp.ClientSecret)
	}
	if in.AuthorizationEndpoint != nil {
		if err := s.checkAuthEndpoint("update", *in.AuthorizationEndpoint); err != nil {
			return nil, err
		}
		out.AuthorizationEndpoint = *in.AuthorizationEndpoint
	}
	if in.HttpMethod != nil {
		out.HTTPMethod = *in.HttpMethod
	}
	if in.OAuthHttpParameters != nil {
		var err error
		if out.HTTPParameters, err = httpParamsIn("update", "OAuthHttpParameters", in.OAuthHttpParameters); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// lookupConnection finds the connection named by arn for the delivery side:
// it must be of account, in the server's region, and the very connection
// the ARN names (not one created again under the same name). A miss is
// eventbus.ErrNotFound, wrapped.
func (s *Service) lookupConnection(ctx context.Context, account, arn string) (eventbus.Connection, error) {
	ref, ok := eventbus.ParseConnectionARN(arn)
	if !ok || ref.Account != account || ref.Region != s.cfg.Region {
		return eventbus.Connection{}, fmt.Errorf("%w: connection %s for account %s", eventbus.ErrNotFound, arn, account)
	}
	conn, _, err := s.st.Connections.Get(ctx, account, ref.Name)
	if err == nil && conn.ID != ref.ID {
		err = fmt.Errorf("%w: connection %s was replaced", eventbus.ErrNotFound, arn)
	}
	return conn, err
}

// ConnectionAuth returns the complete, decrypted authorization of the
// connection named by connectionArn, which must belong to account, for the
// HTTP sender. It fails with eventbus.ErrNotFound (wrapped) when there is no
// such connection, and eventbus.ErrConnectionNotAuthorized when it is
// deauthorized. The result holds secrets: use it for one request and never
// log it (its Format and LogValue redact them anyway). Safe for concurrent
// use.
func (s *Service) ConnectionAuth(ctx context.Context, account, connectionArn string) (eventbus.ConnectionAuth, error) {
	conn, err := s.lookupConnection(ctx, account, connectionArn)
	if err != nil {
		return eventbus.ConnectionAuth{}, err
	}
	return s.openConnection(conn)
}

func (s *Service) openConnection(conn eventbus.Connection) (eventbus.ConnectionAuth, error) {
	if !conn.Authorized() {
		return eventbus.ConnectionAuth{}, fmt.Errorf("%w: %s is %s", eventbus.ErrConnectionNotAuthorized, conn.ARN(s.cfg.Region), conn.State)
	}
	return eventbus.OpenAuth(s.st.Secrets, conn.Sealed, conn.ARN(s.cfg.Region))
}

// DeauthorizeConnectionFor is how the HTTP sender reports what AWS
// deauthorizes a connection for: an OAuth token it cannot obtain, or a 401
// or 407 answer to Basic or API key credentials. The connection becomes
// DEAUTHORIZED with reason as its StateReason (no secret may be in it) but
// keeps its parameters, so an UpdateConnection with part of them (a new
// password, say) authorizes it again. Its API destinations turn INACTIVE.
// Errors as ConnectionAuth's.
func (s *Service) DeauthorizeConnectionFor(ctx context.Context, account, connectionArn, reason string) error {
	conn, err := s.lookupConnection(ctx, account, connectionArn)
	if err != nil {
		return err
	}
	_, err = mutate(ctx, s.st.Connections, func(c *eventbus.Connection) error {
		if c.ID != conn.ID {
			return fmt.Errorf("%w: connection %s was replaced", eventbus.ErrNotFound, connectionArn)
		}
		c.State, c.StateReason, c.ModifiedAt = eventbus.ConnectionDeauthorized, reason, s.now()
		return nil
	}, account, conn.Name)
	return err
}
