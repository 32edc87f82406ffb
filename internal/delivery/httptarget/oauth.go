package httptarget

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// maxTokenBody bounds a token endpoint's answer.
const maxTokenBody = 64 << 10

// A tokenCache holds one OAuth access token per connection. An entry is
// keyed by the connection's ARN and ModifiedAt, so UpdateConnection (new
// client secret, endpoint or parameters) starts from a new token.
type tokenCache struct {
	mu      sync.Mutex // guards entries
	entries map[tokenKey]*tokenEntry
}

type tokenKey struct {
	connection string
	modified   time.Time
}

// A tokenEntry is one connection's token. Its mu is held while the token is
// fetched, so concurrent sends wait for one fetch instead of each making
// their own.
type tokenEntry struct {
	mu      sync.Mutex // guards token, expires and margin
	token   string
	expires time.Time
	// margin is how long before expires the token is refreshed:
	// TokenMargin, or half the token's lifetime if that is shorter, so a
	// short-lived token is still used for a while.
	margin time.Duration
}

func newTokenCache() *tokenCache { return &tokenCache{entries: map[tokenKey]*tokenEntry{}} }

// entry returns the entry for k, creating it, and drops entries of older
// versions of the same connection.
func (c *tokenCache) entry(k tokenKey) *tokenEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		for old := range c.entries {
			if old.connection == k.connection {
				delete(c.entries, old)
			}
		}
		e = &tokenEntry{}
		c.entries[k] = e
	}
	return e
}

// token returns a bearer token for r's OAuth connection: the cached one
// unless it expires within its margin or fresh is set (the endpoint
// refused it), else a new one from the authorization endpoint. A token
// endpoint that refuses the client credentials (a 4xx answer) deauthorizes
// the connection, as AWS does; every failure to get a token is a retryable
// CONNECTION_FAILURE.
func (s *Sender) token(ctx context.Context, account string, r *eventbus.ResolvedAPIDestination, fresh bool) (string, error) {
	connArn := r.Destination.ConnectionArn
	e := s.tokens.entry(tokenKey{connection: connArn, modified: r.Connection.ModifiedAt})
	e.mu.Lock()
	defer e.mu.Unlock()
	now := s.cfg.Now()
	if !fresh && e.token != "" && now.Add(e.margin).Before(e.expires) {
		return e.token, nil
	}
	tok, lifetime, status, err := s.fetchToken(ctx, r.Auth.OAuth)
	if err != nil {
		if status >= 400 && status < 500 {
			s.deauthorize(ctx, account, connArn, "Failed to obtain an OAuth token: the authorization endpoint answered HTTP "+http.StatusText(status)+".")
		}
		return "", err
	}
	s.cfg.Log.Debug("httptarget: fetched OAuth token", "connection", connArn, "lifetime", lifetime)
	e.token, e.expires, e.margin = tok, now.Add(lifetime), min(s.cfg.TokenMargin, lifetime/2)
	return tok, nil
}

// tokenAnswer is the JSON a token endpoint answers (RFC 6749, 5.1).
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// fetchToken runs the client credentials grant at o's endpoint: o's method,
// the client id and secret as HTTP Basic authorization, o's header and
// query string parameters, and o's body parameters form-encoded, with
// grant_type=client_credentials unless a body parameter sets grant_type.
// It returns the token and its lifetime (DefaultTokenLifetime without
// expires_in), or the endpoint's status (0 if none) and an error.
func (s *Sender) fetchToken(ctx context.Context, o *eventbus.OAuthClientCredentials) (string, time.Duration, int, error) {
	fail := func(status int, format string, args ...any) (string, time.Duration, int, error) {
		return "", 0, status, delivery.Retryable(delivery.CodeConnectionFailure, "Failed to obtain an OAuth token from %s: "+format, append([]any{o.AuthorizationEndpoint}, args...)...)
	}
	var p eventbus.ConnectionHTTPParameters
	if o.HTTPParameters != nil {
		p = *o.HTTPParameters
	}
	u, err := url.Parse(o.AuthorizationEndpoint)
	if err != nil {
		return fail(0, "%v", err)
	}
	q := u.Query()
	for _, kv := range p.QueryString {
		q.Set(kv.Key, kv.Value)
	}
	u.RawQuery = q.Encode()
	form := url.Values{}
	if _, ok := paramValue(p.Body, "grant_type"); !ok {
		form.Set("grant_type", "client_credentials")
	}
	for _, kv := range p.Body {
		form.Set(kv.Key, kv.Value)
	}
	method := o.HTTPMethod
	if method == "" {
		method = http.MethodPost
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(rctx, method, u.String(), body)
	if err != nil {
		return fail(0, "%v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	for _, kv := range p.Header {
		req.Header.Set(kv.Key, kv.Value)
	}
	req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.ClientSecret.Reveal()))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fail(0, "%v", transportError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return fail(0, "reading the answer: %v", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fail(resp.StatusCode, "HTTP %d", resp.StatusCode)
	}
	var a tokenAnswer
	if err := json.Unmarshal(raw, &a); err != nil || a.AccessToken == "" {
		return fail(resp.StatusCode, "the answer has no access_token")
	}
	lifetime := DefaultTokenLifetime
	if a.ExpiresIn > 0 {
		lifetime = time.Duration(a.ExpiresIn) * time.Second
	}
	return a.AccessToken, lifetime, resp.StatusCode, nil
}
