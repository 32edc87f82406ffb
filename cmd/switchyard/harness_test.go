package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Accounts used across the end-to-end tests: a SaaS partner and two
// customers. In dev mode a 12-digit access key id is the caller's account.
const (
	partnerAcct  = "111111111111"
	customerAcct = "222222222222"
	otherAcct    = "333333333333"
)

// startServer runs the real program on 127.0.0.1:0 over dataDir, closing it
// when the test ends (or earlier through the returned stop function).
func startServer(t *testing.T, dataDir string, configure func(*Config)) (*Main, func()) {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(&m.Config)
	}
	m.Log = slog.New(slog.DiscardHandler)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(stop)
	return m, stop
}

// newClient returns an SDK client that signs as accessKey (dev mode takes a
// 12-digit key as the account) and never retries, so errors surface as sent.
func newClient(addr, accessKey, secret string) *eventbridge.Client {
	return eventbridge.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint: aws.String("http://" + addr),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

func clientFor(m *Main, account string) *eventbridge.Client {
	return newClient(m.Addr(), account, "dev-secret")
}

// wantAPIError fails unless err is the AWS error code with the message.
// An empty message checks the code only.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || (message != "" && apiErr.ErrorMessage() != message) {
		t.Fatalf("want %s: %q\n got %s: %q", code, message, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// rawCall sends one awsJson1_1 request as the given account (dev mode only
// needs a parseable Authorization header) and returns status, error type
// and message (or the body when the call succeeded).
func rawCall(t *testing.T, addr, account, op, body string) (int, string, string) {
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
	raw, _ := io.ReadAll(res.Body)
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

// srcName is the partner event source most tests use.
const srcName = "aws.partner/acme.com/orders/created"

func describeState(t *testing.T, c *eventbridge.Client, name string) *eventbridge.DescribeEventSourceOutput {
	t.Helper()
	return must[*eventbridge.DescribeEventSourceOutput](t)(c.DescribeEventSource(context.Background(), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)}))
}

func ruleARN(account, bus, rule string) string {
	return eventbus.RuleARN("us-east-1", account, bus, rule)
}
