package console

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/sigv4"
)

// testCreds are the test's access keys: a partner's and its customer's.
func testCreds() []sigv4.Credential {
	return []sigv4.Credential{
		{AccessKeyID: "AKIAPARTNER", SecretAccessKey: "partner-secret", Account: partner, Partners: []string{"acme.com"}},
		{AccessKeyID: "AKIACUSTOMER", SecretAccessKey: "customer-secret", Account: customer},
	}
}

type fakeSources struct{ views []eventbus.PartnerSourceView }

func (f fakeSources) PartnerSourceViews(_ context.Context, account string) ([]eventbus.PartnerSourceView, error) {
	var out []eventbus.PartnerSourceView
	for _, v := range f.views {
		if strings.HasPrefix(v.Name, "aws.partner/acme.com/") && account == partner {
			out = append(out, v)
		}
	}
	return out, nil
}

type fakeDeadLetters struct{ redriven []uint64 }

func (f *fakeDeadLetters) List(_ context.Context, account string, limit int) ([]DeadLetter, error) {
	if account != customer {
		return nil, nil
	}
	return []DeadLetter{{Seq: 7, Attributes: map[string]string{"ERROR_CODE": "INVALID_PARAMETER"}, Event: json.RawMessage(`{}`)}}[:min(limit, 1)], nil
}

func (f *fakeDeadLetters) Redrive(_ context.Context, account string, seq uint64) error {
	if account != customer || seq != 7 {
		return awserr.New(awserr.ResourceNotFound, "no such dead letter")
	}
	f.redriven = append(f.redriven, seq)
	return nil
}

// fakeTail hands out events of two accounts and buses, then ends.
func fakeTail(ctx context.Context, _ time.Duration, ready func(), fn func(eventbus.BusEvent) error, _ func(int)) error {
	ready()
	for _, ev := range []eventbus.BusEvent{
		{Account: customer, Bus: src, Event: eventbus.Event{ID: "mine", Envelope: []byte(`{"id":"mine"}`)}},
		{Account: customer, Bus: "default", Event: eventbus.Event{ID: "other-bus", Envelope: []byte(`{"id":"other-bus"}`)}},
		{Account: "333333333333", Bus: src, Event: eventbus.Event{ID: "other-account", Envelope: []byte(`{"id":"other-account"}`)}},
	} {
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil // as if ctx ended
}

func newTestServer(t *testing.T) (*httptest.Server, *Counters, *fakeDeadLetters) {
	t.Helper()
	auth, err := sigv4.NewVerifier(sigv4.Config{Credentials: testCreds(), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	counters := NewCounters(nil, 0)
	counters.PartnerIngested(partner, eventbus.PartnerCount{Source: src, Stored: 2})
	counters.PartnerIngested("999999999999", eventbus.PartnerCount{Source: "aws.partner/other.com/x/y", Stored: 5})
	dl := &fakeDeadLetters{}
	h := NewHandler(Config{
		Auth: auth, Counters: counters, Tail: fakeTail, DeadLetters: dl, Region: "us-east-1",
		Sources: fakeSources{views: []eventbus.PartnerSourceView{
			{Name: src, Account: customer, State: eventbus.StateDeleted, CreatedAt: created, PendingSince: created.Add(2 * time.Minute),
				BusCreatedAt: created.Add(time.Minute), DeletedAt: created.Add(3 * time.Minute)},
			{Name: "aws.partner/other.com/x/y", Account: customer, State: eventbus.StateActive, CreatedAt: created},
		}},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, counters, dl
}

// call POSTs body to a console endpoint signed with keyID ("" unsigned).
func call(t *testing.T, srv *httptest.Server, endpoint, keyID, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+APIPath+endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, c := range testCreds() {
		if c.AccessKeyID == keyID {
			sum := sha256.Sum256([]byte(body))
			creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "events", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestEndpoints(t *testing.T) {
	srv, _, _ := newTestServer(t)
	tests := []struct {
		name, endpoint, key, body string
		status                    int
		contains, excludes        []string
	}{
		{name: "unsigned", endpoint: epPartner, body: `{}`, status: 400, contains: []string{"MissingAuthenticationTokenException"}},
		{name: "unknown endpoint", endpoint: "rules", key: "AKIAPARTNER", body: `{}`, status: 400, contains: []string{"UnknownOperationException"}},
		{name: "config", endpoint: epConfig, key: "AKIACUSTOMER", body: ``, status: 200, contains: []string{`"account":"222222222222"`, `"region":"us-east-1"`}},
		{name: "partner sees its own sources and counts", endpoint: epPartner, key: "AKIAPARTNER", body: `{}`, status: 200,
			contains: []string{src, `"accepted":2`, "customer created the partner event bus (ACTIVE)", `"perNode":true`,
				"PENDING again", "partner deleted the source (DELETED for the customer)", "dashboard first saw the source DELETED"},
			excludes: []string{"other.com", `"accepted":5`}},
		{name: "a customer is no partner", endpoint: epPartner, key: "AKIACUSTOMER", body: `{}`, status: 200, contains: []string{`"sources":[]`}},
		{name: "unknown field", endpoint: epPartner, key: "AKIAPARTNER", body: `{"Account":"999999999999"}`, status: 400, contains: []string{"ValidationException"}},
		{name: "dead letters of the caller", endpoint: epDeadLetters, key: "AKIACUSTOMER", body: `{"Limit":10}`, status: 200, contains: []string{`"seq":7`, "INVALID_PARAMETER"}},
		{name: "no dead letters of another account", endpoint: epDeadLetters, key: "AKIAPARTNER", body: `{}`, status: 200, contains: []string{`"deadLetters":[]`}},
		{name: "limit out of range", endpoint: epDeadLetters, key: "AKIACUSTOMER", body: `{"Limit":5000}`, status: 400, contains: []string{"limit"}},
		{name: "redrive", endpoint: epRedrive, key: "AKIACUSTOMER", body: `{"Seq":7}`, status: 200, contains: []string{`"redriven":1`}},
		{name: "redrive another account's", endpoint: epRedrive, key: "AKIAPARTNER", body: `{"Seq":7}`, status: 400, contains: []string{"ResourceNotFoundException"}},
		{name: "redrive without seq", endpoint: epRedrive, key: "AKIACUSTOMER", body: `{}`, status: 400, contains: []string{"Member must not be null"}},
		{name: "tail without a bus", endpoint: epTail, key: "AKIACUSTOMER", body: `{}`, status: 400, contains: []string{"eventBusName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := call(t, srv, tt.endpoint, tt.key, tt.body)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q: %s", s, body)
				}
			}
			for _, s := range tt.excludes {
				if strings.Contains(body, s) {
					t.Errorf("body has %q: %s", s, body)
				}
			}
		})
	}
}

func TestTailScopedToCallersBus(t *testing.T) {
	srv, _, _ := newTestServer(t)
	res, body := call(t, srv, epTail, "AKIACUSTOMER", `{"EventBusName":"`+src+`"}`)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	want := []string{`{"ready":true}`, `{"event":{"id":"mine"}}`}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("tail lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestStaticFiles(t *testing.T) {
	srv, _, _ := newTestServer(t)
	for _, tt := range []struct {
		path, contains, csp string
		status              int
	}{
		{path: "/console/", contains: "<title>switchyard console</title>", csp: "default-src 'self'", status: 200},
		{path: "/console/sigv4.js", contains: "selfTest", status: 200},
		{path: "/console/config.json", contains: `"region":"us-east-1"`, status: 200},
		{path: "/console/missing.js", status: 404},
	} {
		res, err := srv.Client().Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tt.status || !strings.Contains(string(b), tt.contains) {
			t.Errorf("GET %s: %d %.80q", tt.path, res.StatusCode, b)
		}
		if tt.csp != "" && !strings.Contains(res.Header.Get("Content-Security-Policy"), tt.csp) {
			t.Errorf("GET %s: CSP %q", tt.path, res.Header.Get("Content-Security-Policy"))
		}
	}
	res, err := srv.Client().Post(srv.URL+"/console/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /console/: %d", res.StatusCode)
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, endpoint, body string
		want                 request
		err                  string
	}{
		{name: "empty body", endpoint: epPartner, body: "", want: request{}},
		{name: "tail", endpoint: epTail, body: `{"EventBusName":"b","SinceSeconds":60}`, want: request{EventBusName: "b", SinceSeconds: 60}},
		{name: "not an object", endpoint: epPartner, body: `[1]`, err: "not a JSON object"},
		{name: "two values", endpoint: epPartner, body: `{} {}`, err: "more than one"},
		{name: "unknown field", endpoint: epTail, body: `{"Bus":"b"}`, err: "not a JSON object"},
		{name: "since too long", endpoint: epTail, body: `{"EventBusName":"b","SinceSeconds":3601}`, err: "1 validation error detected: Value at 'sinceSeconds'"},
		{name: "two errors", endpoint: epTail, body: `{"SinceSeconds":-1}`, err: "2 validation errors detected"},
		{name: "bus too long", endpoint: epTail, body: `{"EventBusName":"` + strings.Repeat("b", 257) + `"}`, err: "less than or equal to 256"},
		{name: "negative seq", endpoint: epRedrive, body: `{"Seq":-1}`, err: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRequest(tt.endpoint, []byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !awserr.Is(err, awserr.Validation) {
					t.Fatalf("err %v, want ValidationException with %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// FuzzParseRequest: any body gives a request or a ValidationException,
// never a panic, and a request that passes is within its bounds.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"", `{}`, `{"EventBusName":"b","SinceSeconds":60}`, `{"Limit":10}`, `{"Seq":7}`, `[`, `{"Seq":-1}`, `{"SinceSeconds":1e9}`} {
		for _, ep := range []string{epPartner, epTail, epDeadLetters, epRedrive} {
			f.Add(ep, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, endpoint string, body []byte) {
		req, err := parseRequest(endpoint, body)
		if err != nil {
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != awserr.Validation {
				t.Fatalf("error %v is not a ValidationException", err)
			}
			return
		}
		if req.SinceSeconds < 0 || req.SinceSeconds > maxSinceSeconds || req.Limit < 0 || req.Limit > maxDeadLetters {
			t.Fatalf("out of bounds: %+v", req)
		}
		if endpoint == epTail && (req.EventBusName == "" || len(req.EventBusName) > maxBusName) {
			t.Fatalf("tail without a valid bus: %+v", req)
		}
	})
}

// TestTailBoundAndShutdown: at most MaxTails streams are open at once, and
// Shutdown ends the open ones and refuses new ones.
func TestTailBoundAndShutdown(t *testing.T) {
	auth, err := sigv4.NewVerifier(sigv4.Config{Credentials: testCreds(), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandler(Config{Auth: auth, MaxTails: 1, Tail: func(ctx context.Context, _ time.Duration, ready func(), _ func(eventbus.BusEvent) error, _ func(int)) error {
		ready()
		<-ctx.Done()
		return nil
	}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body := `{"EventBusName":"default"}`
	req, err := http.NewRequest(http.MethodPost, srv.URL+APIPath+epTail, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIACUSTOMER", SecretAccessKey: "customer-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "events", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	if line, err := r.ReadString('\n'); err != nil || line != "{\"ready\":true}\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	if res2, body2 := call(t, srv, epTail, "AKIACUSTOMER", body); res2.StatusCode != 400 || !strings.Contains(body2, "ThrottlingException") {
		t.Errorf("second stream: %d %s", res2.StatusCode, body2)
	}
	h.Shutdown()
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Errorf("after Shutdown the stream ends: %q, %v", rest, err)
	}
	if res3, body3 := call(t, srv, epTail, "AKIACUSTOMER", body); res3.StatusCode != 503 || !strings.Contains(body3, "ServiceUnavailable") {
		t.Errorf("stream after Shutdown: %d %s", res3.StatusCode, body3)
	}
}
