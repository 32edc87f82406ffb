package sigv4

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// authServer answers every call with an empty JSON object once a authenticates
// it, and with the awsJson1_1 error otherwise. It records the last caller.
func authServer(t *testing.T, a Authenticator, caller *eventbus.Caller) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading body: %v", err)
			return
		}
		c, err := a.Authenticate(r, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if err != nil {
			e := awserr.From(err)
			w.Header().Set("X-Amzn-ErrorType", e.Code)
			w.WriteHeader(e.HTTPStatus())
			if err := json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message}); err != nil {
				t.Errorf("writing error: %v", err)
			}
			return
		}
		*caller = c
		if _, err := w.Write([]byte(`{}`)); err != nil {
			t.Errorf("writing response: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sdkClient(srv *httptest.Server, keyID, secret string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, nil
		}),
	})
}

// TestSDKClient drives the Verifier with the real EventBridge client over
// HTTP, the way the AWS CLI and SDKs reach switchyard.
func TestSDKClient(t *testing.T) {
	v, err := NewVerifier(Config{Credentials: testCredentials(), Region: testRegion})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	var caller eventbus.Caller
	srv := authServer(t, v, &caller)
	ctx := context.Background()

	client := sdkClient(srv, testKeyID, testSecret)
	if _, err := client.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{}); err != nil {
		t.Fatalf("ListEventBuses: %v", err)
	}
	if caller.Account != testAccount {
		t.Errorf("caller account = %q, want %q", caller.Account, testAccount)
	}
	_, err = client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("com.example"), DetailType: aws.String("t"), Detail: aws.String(`{"k":"v w"}`),
	}}})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}

	tests := []struct {
		name, keyID, secret, code string
	}{
		{"wrong secret", testKeyID, "wrong", awserr.InvalidSignature},
		{"unknown key", "AKIDNOBODY", testSecret, awserr.UnrecognizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sdkClient(srv, tt.keyID, tt.secret).ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v, want an API error", err)
			}
			if apiErr.ErrorCode() != tt.code {
				t.Errorf("code = %s, want %s", apiErr.ErrorCode(), tt.code)
			}
		})
	}
}

// TestSDKClientDev checks the dev authenticator accepts what the SDK sends.
func TestSDKClientDev(t *testing.T) {
	var caller eventbus.Caller
	srv := authServer(t, Dev{}, &caller)
	if _, err := sdkClient(srv, "123456789012", "anything").ListEventBuses(context.Background(), &eventbridge.ListEventBusesInput{}); err != nil {
		t.Fatalf("ListEventBuses: %v", err)
	}
	if caller.Account != "123456789012" || !caller.AnyPartner {
		t.Errorf("caller = %+v, want account 123456789012 with any partner", caller)
	}
}

// TestUnsignedOverHTTP checks a request with no signature at all.
func TestUnsignedOverHTTP(t *testing.T) {
	var caller eventbus.Caller
	srv := authServer(t, Dev{}, &caller)
	resp, err := http.Post(srv.URL, "application/x-amz-json-1.1", nil)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != awserr.MissingAuthenticationToken {
		t.Errorf("got %d %s, want 400 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), awserr.MissingAuthenticationToken)
	}
}

// TestSDKClientSigV4a sends PutEvents with an EndpointId, which the SDK signs
// with SigV4a (region set "*").
func TestSDKClientSigV4a(t *testing.T) {
	v, err := NewVerifier(Config{Credentials: testCredentials(), Region: testRegion})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	var caller eventbus.Caller
	srv := authServer(t, v, &caller)
	input := &eventbridge.PutEventsInput{
		EndpointId: aws.String("abcde.veo"),
		Entries: []types.PutEventsRequestEntry{{
			Source: aws.String("com.example"), DetailType: aws.String("t"), Detail: aws.String(`{}`),
		}},
	}
	var sawV4a bool
	client := sdkClient(srv, testKeyID, testSecret)
	_, err = client.PutEvents(context.Background(), input, func(o *eventbridge.Options) {
		o.HTTPClient = recordingClient{t: t, saw: &sawV4a}
	})
	if err != nil {
		t.Fatalf("PutEvents with EndpointId: %v", err)
	}
	if !sawV4a {
		t.Fatal("the SDK did not sign with SigV4a; the test proves nothing")
	}
	if caller.AccessKeyID != testKeyID {
		t.Errorf("caller = %+v", caller)
	}

	_, err = sdkClient(srv, testKeyID, "wrong").PutEvents(context.Background(), input)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != awserr.InvalidSignature {
		t.Errorf("wrong secret: error = %v, want %s", err, awserr.InvalidSignature)
	}
}

// recordingClient notes whether a request was signed with SigV4a.
type recordingClient struct {
	t   *testing.T
	saw *bool
}

func (c recordingClient) Do(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 ") {
		*c.saw = true
	}
	return http.DefaultClient.Do(r)
}

// captureClient keeps the last request and its body, and answers {}.
type captureClient struct {
	req  **http.Request
	body *[]byte
}

func (c captureClient) Do(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	*c.req, *c.body = r.Clone(r.Context()), b
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body:       io.NopCloser(strings.NewReader(`{}`)),
		Request:    r,
	}, nil
}

func TestSigV4aReplay(t *testing.T) {
	var (
		req  *http.Request
		body []byte
	)
	client := eventbridge.New(eventbridge.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String("http://localhost:4010"),
		HTTPClient:   captureClient{&req, &body},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, nil
		}),
	})
	_, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{
		EndpointId: aws.String("abcde.veo"),
		Entries:    []types.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}")}},
	})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	if !strings.HasPrefix(req.Header.Get("Authorization"), algorithmECDSA+" ") {
		t.Fatalf("not SigV4a: %q", req.Header.Get("Authorization"))
	}
	date, err := time.Parse(amzDateLayout, req.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date: %v", err)
	}
	v, err := NewVerifier(Config{Credentials: testCredentials(), Region: testRegion, Now: func() time.Time { return date }})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	if _, err := v.Authenticate(req, body); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if _, err := (Dev{}).Authenticate(req, body); err != nil {
		t.Errorf("Dev: %v", err)
	}
	if _, err := v.Authenticate(req, append(bytes.Clone(body), ' ')); err == nil {
		t.Error("tampered body accepted")
	} else {
		wantAWSError(t, err, awserr.InvalidSignature, msgMismatch)
	}
	narrowed := req.Clone(req.Context())
	narrowed.Header.Set("X-Amz-Region-Set", "eu-*")
	_, err = v.Authenticate(narrowed, body)
	wantAWSError(t, err, awserr.InvalidSignature, "Credential should be scoped to a valid region. ")
}
