package awsjson

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// authFunc authenticates in the payload phase only: its header phase always
// passes.
type authFunc func(r *http.Request, body []byte) (eventbus.Caller, error)

func (f authFunc) AuthenticateHeaders(r *http.Request) (func([]byte) (eventbus.Caller, error), error) {
	return func(body []byte) (eventbus.Caller, error) { return f(r, body) }, nil
}

func allow(*http.Request, []byte) (eventbus.Caller, error) {
	return eventbus.Caller{Account: "111111111111"}, nil
}

func dispatcher(ctx context.Context, op string, body []byte) (any, error) {
	switch op {
	case "Echo":
		c, _ := eventbus.CallerFrom(ctx)
		return map[string]string{"account": c.Account, "body": string(body)}, nil
	case "Empty":
		return nil, nil
	case "NotFound":
		return nil, awserr.New(awserr.ResourceNotFound, "Event bus x does not exist.")
	case "Broken":
		return nil, errors.New("disk on fire at /var/secret")
	case "Panics":
		var m map[string]int
		m["x"] = 1
	}
	return nil, awserr.New(awserr.UnknownOperation, "")
}

func TestHandler(t *testing.T) {
	deny := authFunc(func(*http.Request, []byte) (eventbus.Caller, error) {
		return eventbus.Caller{}, awserr.WithStatus(awserr.UnrecognizedClient, 403, "The security token included in the request is invalid.")
	})
	cases := []struct {
		name       string
		method     string
		target     string
		body       string
		auth       Authenticator
		wantStatus int
		wantType   string // X-Amzn-ErrorType and __type; "" for success
		wantBody   string // substring of the response body
	}{
		{"success carries caller and body", "POST", "AWSEvents.Echo", `{"a":1}`, authFunc(allow), 200, "", `"account":"111111111111"`},
		{"no output is an empty object", "POST", "AWSEvents.Empty", ``, authFunc(allow), 200, "", `{}`},
		{"modeled error", "POST", "AWSEvents.NotFound", `{}`, authFunc(allow), 400, "ResourceNotFoundException", `"message":"Event bus x does not exist."`},
		{"internal error hides its cause", "POST", "AWSEvents.Broken", `{}`, authFunc(allow), 500, "InternalException", `"message":"An internal error occurred."`},
		{"panic becomes internal error", "POST", "AWSEvents.Panics", `{}`, authFunc(allow), 500, "InternalException", `InternalException`},
		{"missing target", "POST", "", `{}`, authFunc(allow), 400, "UnknownOperationException", `UnknownOperationException`},
		{"foreign target prefix", "POST", "AmazonSQS.SendMessage", `{}`, authFunc(allow), 400, "UnknownOperationException", ``},
		{"GET is refused", "GET", "AWSEvents.Echo", ``, authFunc(allow), 400, "UnknownOperationException", ``},
		{"authentication failure", "POST", "AWSEvents.Echo", `{}`, deny, 403, "UnrecognizedClientException", `The security token included in the request is invalid.`},
		{"body over the limit", "POST", "AWSEvents.Echo", strings.Repeat("x", 65), authFunc(allow), 413, "RequestEntityTooLargeException", ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := NewHandler(dispatcher, c.auth, slog.New(slog.DiscardHandler), Limits{MaxBodyBytes: 64})
			req := httptest.NewRequest(c.method, "/", strings.NewReader(c.body))
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.wantStatus {
				t.Errorf("status %d, want %d (body %s)", res.StatusCode, c.wantStatus, body)
			}
			if got := res.Header.Get("X-Amzn-ErrorType"); got != c.wantType {
				t.Errorf("X-Amzn-ErrorType %q, want %q", got, c.wantType)
			}
			if c.wantType != "" && !strings.Contains(string(body), `"__type":"`+c.wantType+`"`) {
				t.Errorf("body %s lacks __type %s", body, c.wantType)
			}
			if !strings.Contains(string(body), c.wantBody) {
				t.Errorf("body %s lacks %s", body, c.wantBody)
			}
			if strings.Contains(string(body), "secret") {
				t.Errorf("internal detail leaked: %s", body)
			}
			if res.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no request ID")
			}
			if got := res.Header.Get("Content-Type"); got != ContentType {
				t.Errorf("Content-Type %q", got)
			}
		})
	}
}

// TestClientGoneIsNotAnError checks that a request whose client stopped
// waiting is not logged as a server failure.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelError}))
	h := NewHandler(func(ctx context.Context, _ string, _ []byte) (any, error) {
		return nil, awserr.InternalError(ctx.Err())
	}, authFunc(allow), log, Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{}`)).WithContext(ctx)
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if logged.Len() != 0 {
		t.Errorf("logged at error level: %s", logged.String())
	}
}
