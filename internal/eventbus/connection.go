package eventbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Authorization types of a connection (ConnectionAuthorizationType).
const (
	AuthBasic  = "BASIC"
	AuthAPIKey = "API_KEY"
	AuthOAuth  = "OAUTH_CLIENT_CREDENTIALS"
)

// Connection states switchyard reports (a subset of ConnectionState).
// Stored records are only ever AUTHORIZED or DEAUTHORIZED: every change is
// complete when its call returns. DEAUTHORIZING and DELETING appear only in
// the answers of DeauthorizeConnection and DeleteConnection, as AWS sends
// them while it works in the background.
const (
	ConnectionAuthorized    = "AUTHORIZED"
	ConnectionDeauthorized  = "DEAUTHORIZED"
	ConnectionDeauthorizing = "DEAUTHORIZING"
	ConnectionDeleting      = "DELETING"
)

// DefaultMaxConnections is AWS's quota of connections per account and
// region.
const DefaultMaxConnections = 3000

// Errors of the delivery-side lookups (ConnectionAuth, ResolveAPIDestination
// implementations); test with errors.Is.
var (
	// ErrConnectionNotAuthorized: the connection exists but is not
	// AUTHORIZED (it was deauthorized), so it has no credentials to send.
	ErrConnectionNotAuthorized = errors.New("eventbus: connection is not authorized")
)

// A Connection holds how to authorize requests to API destinations. It is
// stored under (Account, Name) of the connections KV. Secret values never
// appear in it in clear: Auth keeps the authorization with every secret
// removed (for Describe), and Sealed the complete authorization, encrypted
// and bound to the connection's ARN (see SealAuth).
type Connection struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// ID is the UUID that ends the connection's ARN; a connection deleted
	// and created again under the same name gets a new one.
	ID                string `json:"id"`
	Description       string `json:"description,omitempty"`
	AuthorizationType string `json:"authorizationType"`
	State             string `json:"state"`
	StateReason       string `json:"stateReason,omitempty"`
	KmsKeyIdentifier  string `json:"kmsKeyIdentifier,omitempty"`
	// Auth is the authorization with secrets removed (ConnectionAuth.Redacted);
	// nil once the connection is deauthorized.
	Auth *ConnectionAuth `json:"auth,omitempty"`
	// SecretID ends the ARN of the secret AWS would keep in Secrets Manager
	// ("<uuid>-<6 characters>"); empty while the connection has no secret.
	SecretID string `json:"secretId,omitempty"`
	// Sealed is the complete ConnectionAuth, sealed; nil when deauthorized.
	Sealed       []byte    `json:"sealed,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	ModifiedAt   time.Time `json:"modifiedAt"`
	AuthorizedAt time.Time `json:"authorizedAt"`
}

// ARN returns the connection's ARN in region.
func (c Connection) ARN(region string) string { return ConnectionARN(region, c.Account, c.Name, c.ID) }

// SecretARN returns the ARN of the connection's secret, as AWS forms it in
// Secrets Manager: arn:aws:secretsmanager:<region>:<account>:secret:
// events!connection/<name>/<uuid>-<suffix>; "" when it has none.
func (c Connection) SecretARN(region string) string {
	if c.SecretID == "" {
		return ""
	}
	return "arn:aws:secretsmanager:" + region + ":" + c.Account + ":secret:events!connection/" + c.Name + "/" + c.SecretID
}

// Authorized reports whether the connection has credentials to send with.
func (c Connection) Authorized() bool { return c.State == ConnectionAuthorized && len(c.Sealed) > 0 }

// ConnectionARN returns arn:aws:events:<region>:<account>:connection/<name>/<id>.
func ConnectionARN(region, account, name, id string) string {
	return "arn:aws:events:" + region + ":" + account + ":connection/" + name + "/" + id
}

// validResourceName applies the model's pattern for connection and API
// destination names, [\.\-_A-Za-z0-9]{1,64}; validResourceID the one for the
// UUID part of their ARNs, [\-A-Za-z0-9]+.
func validResourceName(s string) bool {
	return len(s) <= 64 && onlyChars(s, "._-")
}

func validResourceID(s string) bool { return onlyChars(s, "-") }

// onlyChars reports whether s is non-empty and made of ASCII letters,
// digits and the bytes of extra.
func onlyChars(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// A ResourceRef is a connection or API destination named by ARN.
type ResourceRef struct {
	Region, Account, Name, ID string
}

// ParseConnectionARN splits a connection ARN
// (arn:<partition>:events:<region>:<account>:connection/<name>/<id>). ok is
// false for anything else, including a name or id the model does not allow.
func ParseConnectionARN(s string) (ResourceRef, bool) { return parseResourceARN(s, "connection/") }

func parseResourceARN(s, kind string) (ResourceRef, bool) {
	a, ok := ParseARN(s)
	if !ok || a.Service != "events" || !IsAccountID(a.Account) {
		return ResourceRef{}, false
	}
	rest, found := strings.CutPrefix(a.Resource, kind)
	name, id, two := strings.Cut(rest, "/")
	if !found || !two || !validResourceName(name) || !validResourceID(id) {
		return ResourceRef{}, false
	}
	return ResourceRef{Region: a.Region, Account: a.Account, Name: name, ID: id}, true
}

// A Secret is a credential that must never be shown: printing it with any
// fmt verb, logging it with slog or encoding it with encoding/json gives
// "[redacted]" ("" when empty). Reveal returns the value for the one place
// that needs it, the request sent to an API destination.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return redacted
}

// Format implements fmt.Formatter: every verb prints "[redacted]".
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.shown())) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON implements json.Marshaler, redacted.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.shown()) }

// ConnectionAuth is a connection's complete authorization: the credentials
// of its type and the HTTP parameters to add to every invocation. Exactly one
// of Basic, APIKey, OAuth is set, matching Type.
type ConnectionAuth struct {
	Type   string                  `json:"type"`
	Basic  *BasicAuth              `json:"basic,omitempty"`
	APIKey *APIKeyAuth             `json:"apiKey,omitempty"`
	OAuth  *OAuthClientCredentials `json:"oauth,omitempty"`
	// Invocation holds the header, query string and body parameters sent
	// with every invocation; nil when none were given.
	Invocation *ConnectionHTTPParameters `json:"invocation,omitempty"`
}

// BasicAuth is sent as "Authorization: Basic base64(Username:Password)".
type BasicAuth struct {
	Username string `json:"username"`
	Password Secret `json:"password,omitempty"`
}

// APIKeyAuth is sent as the header Name: Value.
type APIKeyAuth struct {
	Name  string `json:"name"`
	Value Secret `json:"value,omitempty"`
}

// OAuthClientCredentials is exchanged for a token at AuthorizationEndpoint
// (OAuth 2.0 client credentials grant) with HTTPMethod and HTTPParameters;
// the token is then sent as "Authorization: Bearer <token>".
type OAuthClientCredentials struct {
	ClientID              string                    `json:"clientId"`
	ClientSecret          Secret                    `json:"clientSecret,omitempty"`
	AuthorizationEndpoint string                    `json:"authorizationEndpoint"`
	HTTPMethod            string                    `json:"httpMethod"`
	HTTPParameters        *ConnectionHTTPParameters `json:"httpParameters,omitempty"`
}

// ConnectionHTTPParameters are extra parameters of a request, in the order
// given.
type ConnectionHTTPParameters struct {
	Header      []ConnectionParameter `json:"header,omitempty"`
	QueryString []ConnectionParameter `json:"queryString,omitempty"`
	Body        []ConnectionParameter `json:"body,omitempty"`
}

// A ConnectionParameter is one key and value. The Value of an IsSecret
// parameter is removed by Redacted, like the credentials, and is never
// printed, logged or JSON-encoded (it shows as "[redacted]").
type ConnectionParameter struct {
	Key      string `json:"key"`
	Value    string `json:"value,omitempty"`
	IsSecret bool   `json:"isSecret,omitempty"`
}

// shown is p with a secret value replaced by "[redacted]".
func (p ConnectionParameter) shown() ConnectionParameter {
	if p.IsSecret {
		p.Value = Secret(p.Value).shown()
	}
	return p
}

// Format implements fmt.Formatter, showing Key=Value with a secret value
// redacted.
func (p ConnectionParameter) Format(f fmt.State, _ rune) {
	p = p.shown()
	_, _ = f.Write([]byte(p.Key + "=" + p.Value))
}

// LogValue implements slog.LogValuer, with a secret value redacted.
func (p ConnectionParameter) LogValue() slog.Value {
	p = p.shown()
	return slog.GroupValue(slog.String("key", p.Key), slog.String("value", p.Value), slog.Bool("isSecret", p.IsSecret))
}

// MarshalJSON implements json.Marshaler, with a secret value redacted.
func (p ConnectionParameter) MarshalJSON() ([]byte, error) {
	type plain ConnectionParameter
	return json.Marshal(plain(p.shown()))
}

// Redacted returns a deep copy of a with every secret value removed:
// Password, API key Value, ClientSecret, and the Value of every IsSecret
// parameter. It is what Describe shows and what a Connection stores in clear.
func (a ConnectionAuth) Redacted() ConnectionAuth {
	out := ConnectionAuth{Type: a.Type, Invocation: a.Invocation.redacted()}
	if a.Basic != nil {
		out.Basic = &BasicAuth{Username: a.Basic.Username}
	}
	if a.APIKey != nil {
		out.APIKey = &APIKeyAuth{Name: a.APIKey.Name}
	}
	if o := a.OAuth; o != nil {
		out.OAuth = &OAuthClientCredentials{
			ClientID: o.ClientID, AuthorizationEndpoint: o.AuthorizationEndpoint, HTTPMethod: o.HTTPMethod,
			HTTPParameters: o.HTTPParameters.redacted(),
		}
	}
	return out
}

func (p *ConnectionHTTPParameters) redacted() *ConnectionHTTPParameters {
	if p == nil {
		return nil
	}
	return &ConnectionHTTPParameters{Header: redactParams(p.Header), QueryString: redactParams(p.QueryString), Body: redactParams(p.Body)}
}

func redactParams(ps []ConnectionParameter) []ConnectionParameter {
	if ps == nil {
		return nil
	}
	out := make([]ConnectionParameter, len(ps))
	for i, p := range ps {
		out[i] = p
		if p.IsSecret {
			out[i].Value = ""
		}
	}
	return out
}

// Format implements fmt.Formatter so that no verb prints a credential: it
// writes the type and the non-secret identity (username, key name, client
// id) only.
func (a ConnectionAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.summary())) }

// LogValue implements slog.LogValuer, with the same content as Format.
func (a ConnectionAuth) LogValue() slog.Value { return slog.StringValue(a.summary()) }

func (a ConnectionAuth) summary() string {
	var b strings.Builder
	b.WriteString("ConnectionAuth{" + a.Type)
	switch {
	case a.Basic != nil:
		b.WriteString(" username=" + a.Basic.Username)
	case a.APIKey != nil:
		b.WriteString(" key=" + a.APIKey.Name)
	case a.OAuth != nil:
		b.WriteString(" clientId=" + a.OAuth.ClientID + " endpoint=" + a.OAuth.AuthorizationEndpoint)
	}
	b.WriteString(" secrets redacted}")
	return b.String()
}

// A Sealer encrypts and authenticates secrets at rest (internal/secrets
// implements it). Open fails for a value not sealed with the same key and
// additional data. Implementations are safe for concurrent use.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// SealAuth encodes a and seals it bound to the connection ARN, so a sealed
// value copied onto another connection does not open.
func SealAuth(s Sealer, a ConnectionAuth, connectionARN string) ([]byte, error) {
	plain, err := json.Marshal(sealedAuthOf(a))
	if err != nil {
		return nil, fmt.Errorf("eventbus: encode connection auth: %w", err)
	}
	sealed, err := s.Seal(plain, []byte(connectionARN))
	clear(plain)
	return sealed, err
}

// OpenAuth opens a value made by SealAuth for the same connection ARN.
func OpenAuth(s Sealer, sealed []byte, connectionARN string) (ConnectionAuth, error) {
	plain, err := s.Open(sealed, []byte(connectionARN))
	if err != nil {
		return ConnectionAuth{}, fmt.Errorf("eventbus: open connection auth of %s: %w", connectionARN, err)
	}
	var sa sealedAuth
	err = json.Unmarshal(plain, &sa)
	clear(plain)
	if err != nil {
		return ConnectionAuth{}, fmt.Errorf("eventbus: decode connection auth of %s: %w", connectionARN, err)
	}
	return sa.auth(), nil
}

// sealedAuth is the form a ConnectionAuth is sealed in: plain strings, since
// Secret and ConnectionParameter redact themselves in JSON.
type sealedAuth struct {
	Type          string            `json:"type"`
	Username      *string           `json:"username,omitempty"`
	Password      string            `json:"password,omitempty"`
	APIKeyName    *string           `json:"apiKeyName,omitempty"`
	APIKeyValue   string            `json:"apiKeyValue,omitempty"`
	ClientID      *string           `json:"clientId,omitempty"`
	ClientSecret  string            `json:"clientSecret,omitempty"`
	OAuthEndpoint string            `json:"oauthEndpoint,omitempty"`
	OAuthMethod   string            `json:"oauthMethod,omitempty"`
	OAuthParams   *sealedHTTPParams `json:"oauthParams,omitempty"`
	Invocation    *sealedHTTPParams `json:"invocation,omitempty"`
}

type sealedHTTPParams struct {
	Header      []sealedParam `json:"header,omitempty"`
	QueryString []sealedParam `json:"queryString,omitempty"`
	Body        []sealedParam `json:"body,omitempty"`
}

type sealedParam struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Secret bool   `json:"secret,omitempty"`
}

func sealedAuthOf(a ConnectionAuth) sealedAuth {
	sa := sealedAuth{Type: a.Type, Invocation: sealedParamsOf(a.Invocation)}
	if a.Basic != nil {
		sa.Username, sa.Password = &a.Basic.Username, a.Basic.Password.Reveal()
	}
	if a.APIKey != nil {
		sa.APIKeyName, sa.APIKeyValue = &a.APIKey.Name, a.APIKey.Value.Reveal()
	}
	if o := a.OAuth; o != nil {
		sa.ClientID, sa.ClientSecret = &o.ClientID, o.ClientSecret.Reveal()
		sa.OAuthEndpoint, sa.OAuthMethod, sa.OAuthParams = o.AuthorizationEndpoint, o.HTTPMethod, sealedParamsOf(o.HTTPParameters)
	}
	return sa
}

func (sa sealedAuth) auth() ConnectionAuth {
	a := ConnectionAuth{Type: sa.Type, Invocation: sa.Invocation.params()}
	if sa.Username != nil {
		a.Basic = &BasicAuth{Username: *sa.Username, Password: Secret(sa.Password)}
	}
	if sa.APIKeyName != nil {
		a.APIKey = &APIKeyAuth{Name: *sa.APIKeyName, Value: Secret(sa.APIKeyValue)}
	}
	if sa.ClientID != nil {
		a.OAuth = &OAuthClientCredentials{
			ClientID: *sa.ClientID, ClientSecret: Secret(sa.ClientSecret), AuthorizationEndpoint: sa.OAuthEndpoint,
			HTTPMethod: sa.OAuthMethod, HTTPParameters: sa.OAuthParams.params(),
		}
	}
	return a
}

func sealedParamsOf(p *ConnectionHTTPParameters) *sealedHTTPParams {
	if p == nil {
		return nil
	}
	conv := func(ps []ConnectionParameter) []sealedParam {
		var out []sealedParam
		for _, x := range ps {
			out = append(out, sealedParam{Key: x.Key, Value: x.Value, Secret: x.IsSecret})
		}
		return out
	}
	return &sealedHTTPParams{Header: conv(p.Header), QueryString: conv(p.QueryString), Body: conv(p.Body)}
}

func (p *sealedHTTPParams) params() *ConnectionHTTPParameters {
	if p == nil {
		return nil
	}
	conv := func(ps []sealedParam) []ConnectionParameter {
		var out []ConnectionParameter
		for _, x := range ps {
			out = append(out, ConnectionParameter{Key: x.Key, Value: x.Value, IsSecret: x.Secret})
		}
		return out
	}
	return &ConnectionHTTPParameters{Header: conv(p.Header), QueryString: conv(p.QueryString), Body: conv(p.Body)}
}
