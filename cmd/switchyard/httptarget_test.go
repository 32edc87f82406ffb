package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apitest"
)

// A hookHit is one request an endpoint received.
type hookHit struct {
	Method, Path string
	Query        map[string][]string
	Header       http.Header
	Body         []byte
	At           time.Time
}

// A hook is a customer's HTTP endpoint on 127.0.0.1:0: it records every
// request and answers with answer(path, n) for the n-th request to path
// (200 when answer is nil).
type hook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	hits   []hookHit
	answer func(r *http.Request, n int) int
}

func newHook(t *testing.T, answer func(r *http.Request, n int) int) *hook {
	t.Helper()
	h := &hook{answer: answer}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.hits = append(h.hits, hookHit{r.Method, r.URL.EscapedPath(), r.URL.Query(), r.Header.Clone(), body, time.Now()})
		n := 0
		for _, x := range h.hits {
			if x.Path == r.URL.EscapedPath() {
				n++
			}
		}
		h.mu.Unlock()
		status := http.StatusOK
		if h.answer != nil {
			status = h.answer(r, n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// to returns the requests to path (those under prefix when it ends in /).
func (h *hook) to(path string) []hookHit {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookHit
	for _, x := range h.hits {
		if x.Path == path || strings.HasSuffix(path, "/") && strings.HasPrefix(x.Path, path) {
			out = append(out, x)
		}
	}
	return out
}

// waitFor waits until path has had n requests.
func (h *hook) waitFor(t *testing.T, path string, n int) []hookHit {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		if got := h.to(path); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d requests after %v, want %d", path, len(h.to(path)), testWait, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// oauthServer is a token endpoint issuing tok-1, tok-2, ... valid for
// lifetime seconds to client-1 with secret cs-<tag>.
type oauthServer struct {
	srv     *httptest.Server
	fetches atomic.Int32
}

func newOAuthServer(t *testing.T, tag string, lifetime int) *oauthServer {
	t.Helper()
	o := &oauthServer{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || id != "client-1" || secret != "cs-"+tag ||
			r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("audience") != "aud-"+tag {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := o.fetches.Add(1)
		_, _ = fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":%d}`, n, lifetime)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// createLocalConnection creates a connection of typ like apitest.AuthInput's, with
// an OAuth connection's token endpoint at tokenURL, and returns its ARN.
func createLocalConnection(t *testing.T, c *eventbridge.Client, name string, typ types.ConnectionAuthorizationType, tag, tokenURL string) string {
	t.Helper()
	p := apitest.AuthInput(typ, tag)
	if p.OAuthParameters != nil {
		p.OAuthParameters.AuthorizationEndpoint = aws.String(tokenURL)
	}
	out := must[*eventbridge.CreateConnectionOutput](t)(c.CreateConnection(context.Background(), &eventbridge.CreateConnectionInput{
		Name: aws.String(name), AuthorizationType: typ, AuthParameters: p,
	}))
	return aws.ToString(out.ConnectionArn)
}

// createLocalDestination creates an API destination and returns its ARN;
// rate 0 keeps the default.
func createLocalDestination(t *testing.T, c *eventbridge.Client, name, connArn, endpoint string, rate int32) string {
	t.Helper()
	in := &eventbridge.CreateApiDestinationInput{Name: aws.String(name), ConnectionArn: aws.String(connArn),
		InvocationEndpoint: aws.String(endpoint), HttpMethod: types.ApiDestinationHttpMethodPost}
	if rate > 0 {
		in.InvocationRateLimitPerSecond = aws.Int32(rate)
	}
	out := must[*eventbridge.CreateApiDestinationOutput](t)(c.CreateApiDestination(context.Background(), in))
	return aws.ToString(out.ApiDestinationArn)
}

// httpTarget is a rule target for an API destination with path, header and
// query parameters and an input transformer.
func httpTarget(id, arn, pathValue string) types.Target {
	return types.Target{
		Id: aws.String(id), Arn: aws.String(arn),
		HttpParameters: &types.HttpParameters{
			PathParameterValues:   []string{pathValue},
			HeaderParameters:      map[string]string{"X-Target": "target-" + id, "X-Plain": "loses-to-connection"},
			QueryStringParameters: map[string]string{"page": "1", "token": "loses-to-connection"},
		},
		InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.id", "order": "$.detail.order"},
			InputTemplate: aws.String(`{"event": <id>, "order": <order>, "via": "` + id + `"}`),
		},
	}
}

// TestHTTPTargetPartnerFlow follows the whole partner flow: a SaaS partner
// creates an event source, the customer makes a partner bus of it and a
// rule whose targets are API destinations on connections of each
// authorization type; the partner's PutPartnerEvents reaches the customer's
// endpoint as HTTP requests with the transformed body, the target's path,
// header and query parameters, the connection's parameters (which win) and
// the connection's credentials. A custom bus and PutEvents deliver the same
// way.
func TestHTTPTargetPartnerFlow(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	m, _, table := routedServer(t, t.TempDir(), &probe{}, nil)
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	hk := newHook(t, nil)
	tokens := newOAuthServer(t, "o", 3600)

	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))

	kinds := map[string]types.ConnectionAuthorizationType{
		"basic": types.ConnectionAuthorizationTypeBasic, "apikey": types.ConnectionAuthorizationTypeApiKey,
		"oauth": types.ConnectionAuthorizationTypeOauthClientCredentials,
	}
	var targets []types.Target
	for id, typ := range kinds {
		conn := createLocalConnection(t, customer, "conn-"+id, typ, "o", tokens.srv.URL+"/token")
		dest := createLocalDestination(t, customer, "dest-"+id, conn, hk.srv.URL+"/orders/*/"+id, 0)
		targets = append(targets, httpTarget(id, dest, "p q"))
	}
	putRule(t, customer, srcName, "to-http", `{"source":["`+srcName+`"]}`, types.RuleStateEnabled, targets...)
	createBus(t, customer, "app")
	putRule(t, customer, "app", "app-to-http", `{"source":["app"]}`, types.RuleStateEnabled, targets[0])
	waitRules(t, table, customerAcct, srcName, 1)
	waitRules(t, table, customerAcct, "app", 1)

	out := must[*eventbridge.PutPartnerEventsOutput](t)(partner.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{{
		Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: aws.String(`{"order":"A-1"}`),
		Resources: []string{}, Time: aws.Time(time.Now()),
	}}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutPartnerEvents: %+v", out.Entries)
	}
	eventID := aws.ToString(out.Entries[0].EventId)
	for id := range kinds {
		hit := hk.waitFor(t, "/orders/p%20q/"+id, 1)[0]
		checkHTTPHit(t, id, hit, eventID)
	}
	firstID := aws.ToString(targets[0].Id)
	appEvent := putEvent(t, customer, "app", "app", `{"order":"B-2"}`)
	hits := hk.waitFor(t, "/orders/p%20q/"+firstID, 2)
	checkHTTPHit(t, firstID, hits[1], appEvent)
}

// checkHTTPHit checks one delivered request of target id (a connection
// built by apitest.AuthInput with tag "o").
func checkHTTPHit(t *testing.T, id string, h hookHit, eventID string) {
	t.Helper()
	if h.Method != http.MethodPost {
		t.Errorf("%s: method %s", id, h.Method)
	}
	var body map[string]any
	if err := json.Unmarshal(h.Body, &body); err != nil {
		t.Fatalf("%s: body %s: %v", id, h.Body, err)
	}
	if body["event"] != eventID || body["via"] != id || body["tenant"] != "plain-body" || body["order"] == nil {
		t.Errorf("%s: body %s, want event %s with the connection's tenant", id, h.Body, eventID)
	}
	for k, want := range map[string]string{"X-Target": "target-" + id, "X-Plain": "plain-header", "X-Secret": "hdr-o",
		"Content-Type": "application/json; charset=utf-8"} {
		if got := h.Header.Get(k); got != want {
			t.Errorf("%s: header %s = %q, want %q", id, k, got, want)
		}
	}
	if q := h.Query; len(q["page"]) != 1 || q["page"][0] != "1" || len(q["token"]) != 1 || q["token"][0] != "qs-o" {
		t.Errorf("%s: query %v", id, q)
	}
	switch id {
	case "basic":
		r := &http.Request{Header: h.Header}
		if u, p, ok := r.BasicAuth(); !ok || u != "user-1" || p != "pw-o" {
			t.Errorf("basic: credentials %q %q %v", u, p, ok)
		}
	case "apikey":
		if got := h.Header.Get("X-Api-Key"); got != "key-o" {
			t.Errorf("apikey: x-api-key %q", got)
		}
	case "oauth":
		if got := h.Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer tok-") {
			t.Errorf("oauth: Authorization %q", got)
		}
	}
}

// TestHTTPTargetOAuthRefresh: a token is reused while valid, refreshed
// once it nears expiry, and refreshed again when the endpoint answers 401
// to it, the event then being delivered with the new token.
func TestHTTPTargetOAuthRefresh(t *testing.T) {
	parallel(t)
	clock := &skewClock{} // the delivery clock, which token expiry reads
	m, _, table := routedServer(t, t.TempDir(), &probe{}, func(c *Config) { c.Routing.Now = clock.Now })
	customer := clientFor(m, customerAcct)
	tokens := newOAuthServer(t, "r", 3600) // refreshed a margin (60 s) before it expires
	var accept atomic.Value
	accept.Store("tok-1")
	hk := newHook(t, func(r *http.Request, _ int) int {
		if r.Header.Get("Authorization") == "Bearer "+accept.Load().(string) {
			return http.StatusOK
		}
		return http.StatusUnauthorized
	})
	conn := createLocalConnection(t, customer, "oauth", types.ConnectionAuthorizationTypeOauthClientCredentials, "r", tokens.srv.URL+"/token")
	dest := createLocalDestination(t, customer, "dest", conn, hk.srv.URL+"/hook/*", 0)
	createBus(t, customer, "app")
	putRule(t, customer, "app", "r", `{"source":["app"]}`, types.RuleStateEnabled, httpTarget("t", dest, "x"))
	waitRules(t, table, customerAcct, "app", 1)

	putEvent(t, customer, "app", "app", `{"order":1}`)
	putEvent(t, customer, "app", "app", `{"order":2}`)
	okCount := func() int {
		n := 0
		for _, h := range hk.to("/hook/") {
			if h.Header.Get("Authorization") == "Bearer "+accept.Load().(string) {
				n++
			}
		}
		return n
	}
	waitUntil(t, "two deliveries with tok-1", func() bool { return okCount() >= 2 })
	if n := tokens.fetches.Load(); n != 1 {
		t.Fatalf("%d token fetches for two events, want 1", n)
	}

	clock.Advance(3600*time.Second - 30*time.Second) // tok-1 now expires within its margin
	accept.Store("tok-2")
	putEvent(t, customer, "app", "app", `{"order":3}`)
	waitUntil(t, "a delivery with tok-2", func() bool { return okCount() >= 1 })
	if n := tokens.fetches.Load(); n != 2 {
		t.Fatalf("%d token fetches after expiry, want 2", n)
	}
	withTok1 := 0
	for _, h := range hk.to("/hook/") {
		if h.Header.Get("Authorization") == "Bearer tok-1" {
			withTok1++
		}
	}
	if withTok1 != 2 {
		t.Fatalf("%d requests with tok-1, want 2: it was sent after it expired (refreshed on a 401, not on expiry)", withTok1)
	}

	accept.Store("tok-3") // the endpoint revokes tok-2: 401, refresh, retry
	putEvent(t, customer, "app", "app", `{"order":4}`)
	waitUntil(t, "a delivery with tok-3", func() bool { return okCount() >= 1 })
	if n := tokens.fetches.Load(); n != 3 {
		t.Fatalf("%d token fetches after a 401, want 3", n)
	}
	state := must[*eventbridge.DescribeConnectionOutput](t)(customer.DescribeConnection(context.Background(), &eventbridge.DescribeConnectionInput{Name: aws.String("oauth")}))
	if state.ConnectionState != types.ConnectionStateAuthorized {
		t.Fatalf("connection is %s after a refreshed token", state.ConnectionState)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, testWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHTTPTargetRateLimit: events beyond a destination's invocation rate
// are delayed, not dropped: N events at R per second all arrive, spread
// over about N/R seconds.
func TestHTTPTargetRateLimit(t *testing.T) {
	parallel(t)
	m, _, table := routedServer(t, t.TempDir(), &probe{}, nil)
	customer := clientFor(m, customerAcct)
	hk := newHook(t, nil)
	conn := createLocalConnection(t, customer, "key", types.ConnectionAuthorizationTypeApiKey, "k", "")
	const n, rate = 10, 5
	dest := createLocalDestination(t, customer, "slow", conn, hk.srv.URL+"/slow/*", rate)
	createBus(t, customer, "app")
	putRule(t, customer, "app", "r", `{"source":["app"]}`, types.RuleStateEnabled, httpTarget("t", dest, "x"))
	waitRules(t, table, customerAcct, "app", 1)

	entries := make([]types.PutEventsRequestEntry, n)
	for i := range entries {
		entries[i] = types.PutEventsRequestEntry{EventBusName: aws.String("app"), Source: aws.String("app"),
			DetailType: aws.String("Test"), Detail: aws.String(fmt.Sprintf(`{"order":%d}`, i))}
	}
	out := must[*eventbridge.PutEventsOutput](t)(customer.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v", out.Entries)
	}
	hk.waitFor(t, "/slow/x", n)
	waitIdle(t, m)
	hits := hk.to("/slow/x")
	orders := map[float64]bool{}
	for _, h := range hits {
		var b map[string]any
		if err := json.Unmarshal(h.Body, &b); err != nil {
			t.Fatal(err)
		}
		orders[b["order"].(float64)] = true
	}
	if len(hits) != n || len(orders) != n {
		t.Fatalf("%d requests for %d distinct events, want %d each", len(hits), len(orders), n)
	}
	at := make([]time.Time, len(hits))
	for i, h := range hits {
		at[i] = h.At
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// (n-1)/rate = 1.8 s at the limit; well under it would mean no limit.
	if span := at[n-1].Sub(at[0]); span < time.Second {
		t.Fatalf("%d events at %d/s arrived within %v", n, rate, span)
	}
}

// TestHTTPTargetRetriesAndDeadLetters: 500 and 429 answers are retried
// until the endpoint accepts the event; a 400 is not retried and the event
// is dead-lettered with AWS's attributes.
func TestHTTPTargetRetriesAndDeadLetters(t *testing.T) {
	parallel(t)
	m, _, table := routedServer(t, t.TempDir(), &probe{}, nil)
	customer := clientFor(m, customerAcct)
	hk := newHook(t, func(r *http.Request, n int) int {
		switch {
		case strings.HasPrefix(r.URL.Path, "/bad/"):
			return http.StatusBadRequest
		case n == 1:
			return http.StatusInternalServerError
		case n == 2:
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	})
	conn := createLocalConnection(t, customer, "key", types.ConnectionAuthorizationTypeApiKey, "k", "")
	flaky := createLocalDestination(t, customer, "flaky", conn, hk.srv.URL+"/flaky/*", 0)
	bad := createLocalDestination(t, customer, "bad", conn, hk.srv.URL+"/bad/*", 0)
	createBus(t, customer, "app")
	putRule(t, customer, "app", "flaky", `{"source":["app"]}`, types.RuleStateEnabled, httpTarget("f", flaky, "x"))
	putRule(t, customer, "app", "bad", `{"source":["app"]}`, types.RuleStateEnabled, httpTarget("b", bad, "x"))
	waitRules(t, table, customerAcct, "app", 2)

	putEvent(t, customer, "app", "app", `{"order":1}`)
	if got := len(hk.waitFor(t, "/flaky/x", 3)); got != 3 {
		t.Fatalf("flaky: %d requests, want 3 (500, 429, 200)", got)
	}
	dls := waitDeadLetters(t, m, 1)
	waitIdle(t, m)
	if got := len(hk.to("/bad/x")); got != 1 {
		t.Fatalf("bad: %d requests, want 1 (no retry of a 400)", got)
	}
	if got := len(hk.to("/flaky/x")); got != 3 {
		t.Fatalf("flaky: %d requests after success, want 3", got)
	}
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dls))
	}
	wantAttrs(t, dls[0], map[string]string{
		"RULE_ARN": "arn:aws:events:us-east-1:" + customerAcct + ":rule/app/bad", "TARGET_ARN": bad,
		"ERROR_CODE": "SDK_CLIENT_ERROR", "ERROR_MESSAGE": "*", "RETRY_ATTEMPTS": "0",
	})
	if msg := dls[0].Headers["ERROR_MESSAGE"]; !strings.Contains(msg, "400") {
		t.Errorf("ERROR_MESSAGE %q lacks the status", msg)
	}
}
