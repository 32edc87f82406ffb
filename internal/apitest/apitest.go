// Package apitest holds what the tests of switchyard's EventBridge API
// share, whether they run against the service over memory stores
// (internal/api) or the whole server (cmd/switchyard): the test accounts,
// SDK clients that never retry, raw awsJson1_1 calls, error checks and
// connection fixtures. Only tests import it; it never starts a server.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Accounts used across the API tests: a SaaS partner and two customers. In
// dev mode a 12-digit access key id is the caller's account.
const (
	PartnerAcct  = "111111111111"
	CustomerAcct = "222222222222"
	OtherAcct    = "333333333333"
)

// SrcName is the partner event source most tests use.
const SrcName = "aws.partner/acme.com/orders/created"

// NewClient returns an SDK client of the server at addr (host:port) that
// signs as accessKey (dev mode takes a 12-digit key as the account) and
// never retries, so errors surface as sent.
func NewClient(addr, accessKey, secret string) *eventbridge.Client {
	return eventbridge.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint: aws.String("http://" + addr),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

// WantAPIError fails the test unless err is the AWS error code with the
// message. An empty message checks the code only.
func WantAPIError(t testing.TB, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || (message != "" && apiErr.ErrorMessage() != message) {
		t.Fatalf("want %s: %q\n got %s: %q", code, message, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

// Must returns a function that passes on a call's result and fails the
// test on its error: Must[*X](t)(c.Op(ctx, in)).
func Must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// RawCall sends one awsJson1_1 request to the server at addr as the given
// account (dev mode only needs a parseable Authorization header) and
// returns status, error type and message (or the body when the call
// succeeded).
func RawCall(t testing.TB, addr, account, op, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("POST", "http://"+addr+"/", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents."+op)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/"+time.Now().UTC().Format("20060102")+
		"/us-east-1/events/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode == 200 {
		return 200, "", string(raw)
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: error body is not JSON: %s", op, raw)
	}
	if got := res.Header.Get("X-Amzn-ErrorType"); got != e.Type {
		t.Errorf("%s: X-Amzn-ErrorType %q differs from __type %q", op, got, e.Type)
	}
	return res.StatusCode, e.Type, e.Message
}

// DescribeState describes event source name, failing the test on error.
func DescribeState(t testing.TB, c *eventbridge.Client, name string) *eventbridge.DescribeEventSourceOutput {
	t.Helper()
	return Must[*eventbridge.DescribeEventSourceOutput](t)(c.DescribeEventSource(context.Background(), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)}))
}

// RuleARN returns the ARN of a rule in us-east-1.
func RuleARN(account, bus, rule string) string {
	return eventbus.RuleARN("us-east-1", account, bus, rule)
}

// A SyncBuffer is a bytes.Buffer safe for concurrent writes, for a logger
// that servers' goroutines write to while a test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
