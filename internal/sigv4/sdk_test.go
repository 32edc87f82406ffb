package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

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
