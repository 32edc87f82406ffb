package httptarget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

const (
	testAccount = "111122223333"
	testDest    = "arn:aws:events:us-east-1:111122223333:api-destination/orders/0c2f5e6a-1111-4222-8333-944455556666"
	testConn    = "arn:aws:events:us-east-1:111122223333:connection/conn/9d1b7c3e-aaaa-4bbb-8ccc-ddddeeeeffff"
)

// fakeResolver answers with r, or err; it records deauthorizations.
type fakeResolver struct {
	mu      sync.Mutex
	r       eventbus.ResolvedAPIDestination
	err     error
	deauths []string
	calls   int
}

func (f *fakeResolver) ResolveAPIDestination(_ context.Context, account, arn string) (eventbus.ResolvedAPIDestination, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return eventbus.ResolvedAPIDestination{}, f.err
	}
	if account != testAccount || arn != testDest {
		return eventbus.ResolvedAPIDestination{}, eventbus.ErrNotFound
	}
	return f.r, nil
}

func (f *fakeResolver) DeauthorizeConnectionFor(_ context.Context, account, connectionArn, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deauths = append(f.deauths, connectionArn+": "+reason)
	return nil
}

func (f *fakeResolver) deauthorized() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.deauths)
}

// recorded is what a test receiver saw of one request.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// receiver is an httptest server on 127.0.0.1:0 that records requests and
// answers with answer(n) for the n-th (from 1).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []recorded
	answer func(n int, r *http.Request) int
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		n := len(rc.got)
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(n, r)
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "answer %d", status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]recorded(nil), rc.got...)
}

func resolved(endpoint, method string, auth eventbus.ConnectionAuth) eventbus.ResolvedAPIDestination {
	return eventbus.ResolvedAPIDestination{
		Destination: eventbus.APIDestination{
			Name: "orders", Account: testAccount, ConnectionArn: testConn,
			InvocationEndpoint: endpoint, HTTPMethod: method,
		},
		Connection: eventbus.Connection{Name: "conn", Account: testAccount, State: eventbus.ConnectionAuthorized},
		Auth:       auth,
	}
}

func apiKey() eventbus.ConnectionAuth {
	return eventbus.ConnectionAuth{Type: eventbus.AuthAPIKey, APIKey: &eventbus.APIKeyAuth{Name: "X-Api-Key", Value: "k3y"}}
}

func job(hp *eventbus.HTTPParameters) *delivery.Job {
	return &delivery.Job{Account: testAccount, RuleArn: "arn:aws:events:us-east-1:111122223333:rule/r",
		Target: eventbus.Target{ID: "t", Arn: testDest, HTTPParameters: hp}}
}

func send(s *Sender, hp *eventbus.HTTPParameters, body string) error {
	return s.Send(context.Background(), delivery.Delivery{Job: job(hp), Input: []byte(body), Attempt: 1})
}

func TestRequestBuilding(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	auth := apiKey()
	auth.Invocation = &eventbus.ConnectionHTTPParameters{
		Header:      []eventbus.ConnectionParameter{{Key: "X-Both", Value: "connection"}, {Key: "X-Conn", Value: "c", IsSecret: true}},
		QueryString: []eventbus.ConnectionParameter{{Key: "both", Value: "connection"}},
		Body:        []eventbus.ConnectionParameter{{Key: "tenant", Value: "acme"}, {Key: "id", Value: "from-connection"}},
	}
	res := &fakeResolver{r: resolved(rc.srv.URL+"/orders/*/items/*", http.MethodPut, auth)}
	s := New(Config{ResolveTTL: -1, Resolver: res})
	hp := &eventbus.HTTPParameters{
		PathParameterValues:   []string{"a b", "7"},
		HeaderParameters:      map[string]string{"X-Target": "t", "X-Both": "target"},
		QueryStringParameters: map[string]string{"q": "1 2", "both": "target"},
	}
	if err := send(s, hp, `{"id":"e1","n":[1,2]}`); err != nil {
		t.Fatal(err)
	}
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("got %d requests", len(got))
	}
	r := got[0]
	if r.Method != http.MethodPut || r.Path != "/orders/a%20b/items/7" {
		t.Errorf("request line %s %s", r.Method, r.Path)
	}
	if r.RawQuery != "both=connection&q=1+2" {
		t.Errorf("query %q", r.RawQuery)
	}
	for k, want := range map[string]string{
		"X-Api-Key": "k3y", "X-Target": "t", "X-Both": "connection", "X-Conn": "c",
		"Content-Type": ContentTypeJSON, "User-Agent": UserAgent,
	} {
		if v := r.Header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	if body["tenant"] != "acme" || body["id"] != "from-connection" || len(body["n"].([]any)) != 2 {
		t.Errorf("body %s", r.Body)
	}
}

func TestBodyNotAnObjectKeptAsIs(t *testing.T) {
	t.Parallel()
	params := []eventbus.ConnectionParameter{{Key: "k", Value: "v"}}
	for _, in := range []string{`"just a string"`, `[1,2]`, `plain text`, `{broken`} {
		if got := string(mergeBody([]byte(in), params)); got != in {
			t.Errorf("mergeBody(%s) = %s", in, got)
		}
	}
}

func TestPathParameterMismatchIsPermanent(t *testing.T) {
	t.Parallel()
	res := &fakeResolver{r: resolved("http://127.0.0.1:1/a/*", http.MethodPost, apiKey())}
	err := send(New(Config{ResolveTTL: -1, Resolver: res}), nil, `{}`)
	if e := delivery.Classify(err); e == nil || e.Retryable || e.Code != delivery.CodeInvalidParameter {
		t.Fatalf("got %v", err)
	}
}

func TestOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status    int
		ok        bool
		retryable bool
	}{
		{200, true, false}, {202, true, false}, {204, true, false},
		{301, false, false}, {400, false, false}, {403, false, false}, {404, false, false}, {413, false, false},
		{401, false, true}, {407, false, true}, {409, false, true}, {429, false, true},
		{500, false, true}, {502, false, true}, {503, false, true},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			rc := newReceiver(t, func(int, *http.Request) int { return tc.status })
			res := &fakeResolver{r: resolved(rc.srv.URL+"/hook", http.MethodPost, apiKey())}
			err := send(New(Config{ResolveTTL: -1, Resolver: res}), nil, `{}`)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := delivery.Classify(err)
			if e == nil || e.Retryable != tc.retryable || e.Code != CodeSDKClientError {
				t.Fatalf("got %#v, want retryable=%v %s", e, tc.retryable, CodeSDKClientError)
			}
			if !strings.Contains(e.Message, fmt.Sprint(tc.status)) {
				t.Errorf("message %q lacks the status", e.Message)
			}
		})
	}
}

func TestTimeoutAndNetworkErrorsRetry(t *testing.T) {
	t.Parallel()
	slow := newReceiver(t, func(_ int, r *http.Request) int {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return 200
	})
	res := &fakeResolver{r: resolved(slow.srv.URL+"/slow", http.MethodPost, apiKey())}
	err := send(New(Config{ResolveTTL: -1, Resolver: res, Timeout: 100 * time.Millisecond}), nil, `{}`)
	if e := delivery.Classify(err); e == nil || !e.Retryable || e.Code != delivery.CodeTimeout {
		t.Fatalf("slow endpoint: got %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	res = &fakeResolver{r: resolved("http://"+addr+"/gone", http.MethodPost, apiKey())}
	err = send(New(Config{ResolveTTL: -1, Resolver: res}), nil, `{}`)
	if e := delivery.Classify(err); e == nil || !e.Retryable {
		t.Fatalf("refused connection: got %v", err)
	}
}

func TestResolverErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err       error
		code      string
		retryable bool
	}{
		{fmt.Errorf("%w: gone", eventbus.ErrNotFound), delivery.CodeNoResource, false},
		{fmt.Errorf("%w: deauthorized", eventbus.ErrConnectionNotAuthorized), delivery.CodeNoPermissions, true},
		{errors.New("store down"), delivery.CodeInternalError, true},
	} {
		err := send(New(Config{ResolveTTL: -1, Resolver: &fakeResolver{err: tc.err}}), nil, `{}`)
		if e := delivery.Classify(err); e == nil || e.Code != tc.code || e.Retryable != tc.retryable {
			t.Errorf("%v: got %v", tc.err, err)
		}
	}
}

func TestBasicAuthRefusedDeauthorizes(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		if u, p, ok := r.BasicAuth(); ok && u == "user" && p == "right" {
			return 200
		}
		return 401
	})
	basic := func(pw string) eventbus.ConnectionAuth {
		return eventbus.ConnectionAuth{Type: eventbus.AuthBasic, Basic: &eventbus.BasicAuth{Username: "user", Password: eventbus.Secret(pw)}}
	}
	res := &fakeResolver{r: resolved(rc.srv.URL+"/b", http.MethodPost, basic("right"))}
	s := New(Config{ResolveTTL: -1, Resolver: res, Deauthorizer: res})
	if err := send(s, nil, `{}`); err != nil || res.deauthorized() != 0 {
		t.Fatalf("right password: %v, %d deauthorizations", err, res.deauthorized())
	}
	res.r = resolved(rc.srv.URL+"/b", http.MethodPost, basic("wrong"))
	err := send(s, nil, `{}`)
	if e := delivery.Classify(err); e == nil || !e.Retryable || res.deauthorized() != 1 {
		t.Fatalf("wrong password: %v, %d deauthorizations", err, res.deauthorized())
	}
}

// tokenServer issues tokens tok-1, tok-2, ... valid for lifetime, to the
// client id and secret it expects; status, if set, overrides the answer.
type tokenServer struct {
	srv      *httptest.Server
	fetches  atomic.Int32
	status   atomic.Int32
	lifetime int
}

func newTokenServer(t *testing.T, lifetime int) *tokenServer {
	t.Helper()
	ts := &tokenServer{lifetime: lifetime}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := ts.status.Load(); s != 0 {
			w.WriteHeader(int(s))
			return
		}
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || id != "client" || secret != "s3cret" ||
			r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "events" ||
			r.URL.Query().Get("audience") != "hooks" || r.Header.Get("X-Tenant") != "acme" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := ts.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":%d}`, n, ts.lifetime)
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

func oauth(endpoint string) eventbus.ConnectionAuth {
	return eventbus.ConnectionAuth{Type: eventbus.AuthOAuth, OAuth: &eventbus.OAuthClientCredentials{
		ClientID: "client", ClientSecret: "s3cret", AuthorizationEndpoint: endpoint, HTTPMethod: http.MethodPost,
		HTTPParameters: &eventbus.ConnectionHTTPParameters{
			Header:      []eventbus.ConnectionParameter{{Key: "X-Tenant", Value: "acme"}},
			QueryString: []eventbus.ConnectionParameter{{Key: "audience", Value: "hooks"}},
			Body:        []eventbus.ConnectionParameter{{Key: "scope", Value: "events"}},
		},
	}}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestOAuthTokenCachedRefreshedOnExpiryAnd401(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, 600)
	var valid atomic.Value // the token the receiver accepts
	valid.Store("tok-1")
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		if r.Header.Get("Authorization") == "Bearer "+valid.Load().(string) {
			return 200
		}
		return 401
	})
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	res := &fakeResolver{r: resolved(rc.srv.URL+"/o", http.MethodPost, oauth(ts.srv.URL+"/token"))}
	s := New(Config{ResolveTTL: -1, Resolver: res, Deauthorizer: res, Now: clk.Now})
	for range 3 {
		if err := send(s, nil, `{}`); err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.fetches.Load(); n != 1 {
		t.Fatalf("%d token fetches for 3 sends, want 1", n)
	}
	// Within 60 s of expiry: refreshed before use.
	clk.Add(541 * time.Second)
	valid.Store("tok-2")
	if err := send(s, nil, `{}`); err != nil || ts.fetches.Load() != 2 {
		t.Fatalf("near expiry: %v, %d fetches", err, ts.fetches.Load())
	}
	// The endpoint stops accepting the token: one refresh and a retry.
	valid.Store("tok-3")
	if err := send(s, nil, `{}`); err != nil || ts.fetches.Load() != 3 {
		t.Fatalf("after 401: %v, %d fetches", err, ts.fetches.Load())
	}
	if res.deauthorized() != 0 {
		t.Fatalf("a refreshed token deauthorized the connection")
	}
	// A connection changed by UpdateConnection starts from a new token.
	res.r.Connection.ModifiedAt = clk.Now()
	valid.Store("tok-4")
	if err := send(s, nil, `{}`); err != nil || ts.fetches.Load() != 4 {
		t.Fatalf("after update: %v, %d fetches", err, ts.fetches.Load())
	}
}

func TestOAuthTokenEndpointFailures(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, 600)
	rc := newReceiver(t, nil)
	res := &fakeResolver{r: resolved(rc.srv.URL+"/o", http.MethodPost, oauth(ts.srv.URL+"/token"))}
	s := New(Config{ResolveTTL: -1, Resolver: res, Deauthorizer: res})

	ts.status.Store(http.StatusServiceUnavailable)
	err := send(s, nil, `{}`)
	if e := delivery.Classify(err); e == nil || !e.Retryable || e.Code != delivery.CodeConnectionFailure || res.deauthorized() != 0 {
		t.Fatalf("token endpoint 503: %v, %d deauthorizations", err, res.deauthorized())
	}
	ts.status.Store(http.StatusBadRequest)
	err = send(s, nil, `{}`)
	if e := delivery.Classify(err); e == nil || !e.Retryable || res.deauthorized() != 1 {
		t.Fatalf("token endpoint 400: %v, %d deauthorizations", err, res.deauthorized())
	}
	if len(rc.requests()) != 0 {
		t.Fatalf("the destination was called without a token")
	}
}

// TestResolveCache: a destination is resolved once per ResolveTTL, failures
// are not remembered, and a deauthorized connection is looked up again at
// once.
func TestResolveCache(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(_ int, r *http.Request) int {
		if r.Header.Get("X-Api-Key") == "k3y" {
			return 200
		}
		return 401
	})
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	res := &fakeResolver{r: resolved(rc.srv.URL+"/c", http.MethodPost, apiKey())}
	s := New(Config{ResolveTTL: time.Second, Resolver: res, Deauthorizer: res, Now: func() time.Time { return now }})
	calls := func() int { res.mu.Lock(); defer res.mu.Unlock(); return res.calls }
	for i := range 3 {
		if err := send(s, nil, `{}`); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if calls() != 1 {
		t.Fatalf("3 sends within the TTL resolved %d times, want 1", calls())
	}
	now = now.Add(time.Second)
	if err := send(s, nil, `{}`); err != nil || calls() != 2 {
		t.Fatalf("after the TTL: %v, %d resolutions, want 2", err, calls())
	}

	now = now.Add(time.Second)
	res.mu.Lock()
	res.err = eventbus.ErrNotFound
	res.mu.Unlock()
	if err := send(s, nil, `{}`); delivery.Classify(err).Code != delivery.CodeNoResource {
		t.Fatalf("deleted destination: %v", err)
	}
	res.mu.Lock()
	res.err = nil
	res.r.Auth.APIKey = &eventbus.APIKeyAuth{Name: "X-Api-Key", Value: "wrong"}
	res.mu.Unlock()
	if err := send(s, nil, `{}`); err == nil || res.deauthorized() != 1 || calls() != 4 {
		t.Fatalf("failure not cached: %v, %d deauthorizations, %d resolutions (want 1, 4)", err, res.deauthorized(), calls())
	}
	if err := send(s, nil, `{}`); err == nil || calls() != 5 {
		t.Fatalf("after a deauthorization: %v, %d resolutions, want 5", err, calls())
	}
}
