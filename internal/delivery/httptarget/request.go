package httptarget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// maxErrorBody bounds how much of a failure answer is quoted in the error;
// maxDrain how much of any answer is read so the connection can be reused.
const (
	maxErrorBody = 256
	maxDrain     = 64 << 10
)

// invoke sends one request to r's endpoint and returns the answer's status
// and, for a failure status, a quote of its body. err is set only when no
// answer came (or no token could be had); newToken forces a fresh OAuth
// token.
func (s *Sender) invoke(ctx context.Context, j *delivery.Job, r *eventbus.ResolvedAPIDestination, body []byte, newToken bool) (int, string, error) {
	req, err := buildRequest(ctx, j.Target.HTTPParameters, r, body)
	if err != nil {
		return 0, "", err
	}
	if err := s.authorize(ctx, req, j.Account, r, newToken); err != nil {
		return 0, "", err
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resp, err := s.cfg.Client.Do(req.WithContext(rctx))
	if err != nil {
		return 0, "", transportError(err)
	}
	defer resp.Body.Close()
	var msg string
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		quote, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if len(quote) > 0 {
			msg = " " + string(quote)
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return resp.StatusCode, msg, nil
}

// transportError classifies a request that got no answer: all are
// retryable, a time-out as TIMEOUT.
func transportError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return delivery.Retryable(delivery.CodeTimeout, "Unable to invoke ApiDestination endpoint: the request timed out.")
	}
	return delivery.Retryable(CodeSDKClientError, "Unable to invoke ApiDestination endpoint: %v", err)
}

// buildRequest makes the request for one delivery, without authorization:
// the destination's method and URL with the target's path parameter values,
// the target's and then the connection's header and query string parameters
// (the connection's win, as in AWS), and body, with the connection's body
// parameters merged in when body is a JSON object. Content-Type is
// ContentTypeJSON and User-Agent UserAgent unless a header parameter sets
// them. A URL that cannot be made is a permanent INVALID_PARAMETER.
func buildRequest(ctx context.Context, hp *eventbus.HTTPParameters, r *eventbus.ResolvedAPIDestination, body []byte) (*http.Request, error) {
	d := &r.Destination
	var tp eventbus.HTTPParameters
	if hp != nil {
		tp = *hp
	}
	raw, err := d.URL(tp.PathParameterValues)
	if err != nil {
		return nil, delivery.Permanent(delivery.CodeInvalidParameter, "API destination %s: %v", d.Name, err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, delivery.Permanent(delivery.CodeInvalidParameter, "API destination %s: endpoint %q: %v", d.Name, raw, err)
	}
	var cp eventbus.ConnectionHTTPParameters
	if r.Auth.Invocation != nil {
		cp = *r.Auth.Invocation
	}
	q := u.Query()
	for k, v := range tp.QueryStringParameters {
		q.Set(k, v)
	}
	for _, p := range cp.QueryString {
		q.Set(p.Key, p.Value)
	}
	u.RawQuery = q.Encode()
	if len(cp.Body) > 0 {
		body = mergeBody(body, cp.Body)
	}
	req, err := http.NewRequestWithContext(ctx, d.HTTPMethod, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, delivery.Permanent(delivery.CodeInvalidParameter, "API destination %s: %v", d.Name, err)
	}
	req.Header.Set("Content-Type", ContentTypeJSON)
	req.Header.Set("User-Agent", UserAgent)
	for k, v := range tp.HeaderParameters {
		req.Header.Set(k, v)
	}
	for _, p := range cp.Header {
		req.Header.Set(p.Key, p.Value)
	}
	return req, nil
}

// mergeBody returns body with params set as string members when body is a
// JSON object (a param replaces a member of the same name); any other body
// is returned as it is. Members keep no particular order.
func mergeBody(body []byte, params []eventbus.ConnectionParameter) []byte {
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return body
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return body
	}
	for _, p := range params {
		v, err := json.Marshal(p.Value)
		if err != nil {
			return body
		}
		obj[p.Key] = v
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// authorize adds the connection's credentials to req: Basic, an API key
// header, or an OAuth bearer token (fetched or refreshed as needed).
func (s *Sender) authorize(ctx context.Context, req *http.Request, account string, r *eventbus.ResolvedAPIDestination, newToken bool) error {
	a := &r.Auth
	switch {
	case a.Basic != nil:
		req.SetBasicAuth(a.Basic.Username, a.Basic.Password.Reveal())
	case a.APIKey != nil:
		req.Header.Set(a.APIKey.Name, a.APIKey.Value.Reveal())
	case a.OAuth != nil:
		tok, err := s.token(ctx, account, r, newToken)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	default:
		return delivery.Retryable(delivery.CodeNoPermissions, "The connection of API destination %s has no credentials.", r.Destination.Name)
	}
	return nil
}

// paramValue returns the value of the first of params named name (any
// case); false if none is.
func paramValue(params []eventbus.ConnectionParameter, name string) (string, bool) {
	for _, p := range params {
		if strings.EqualFold(p.Key, name) {
			return p.Value, true
		}
	}
	return "", false
}
