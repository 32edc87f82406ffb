// Package awsjson owns EventBridge's wire protocol, awsJson1_1: one POST /
// per call, the operation named by X-Amz-Target "AWSEvents.<Operation>", JSON
// bodies of type application/x-amz-json-1.1. It reads and bounds the body,
// assigns the request ID, authenticates the caller, hands the operation to a
// Dispatcher, and writes the result, or the error in the one place errors are
// turned into wire responses (writeError).
//
// It never decides what an operation means, never validates shapes (that is
// the Dispatcher's), and never touches storage.
package awsjson

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// TargetPrefix is the service prefix of the X-Amz-Target header.
const TargetPrefix = "AWSEvents."

// ContentType is the media type of awsJson1_1 bodies.
const ContentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes bounds a request body. AWS's largest legitimate bodies
// are PutEvents at about 1 MB of entries plus JSON framing.
const DefaultMaxBodyBytes = 2 << 20

// A Dispatcher runs one operation: it decodes and validates body for the
// named operation, performs it as the caller in ctx, and returns the value to
// encode as the response (nil for an empty object). Errors should be
// *awserr.Error; anything else is answered as InternalException.
type Dispatcher func(ctx context.Context, operation string, body []byte) (any, error)

// An Authenticator establishes who sent a request. Errors should be
// *awserr.Error carrying AWS's authentication exception.
type Authenticator interface {
	Authenticate(r *http.Request, body []byte) (eventbus.Caller, error)
}

// A Handler serves the awsJson1_1 protocol. Safe for concurrent use.
type Handler struct {
	dispatch Dispatcher
	auth     Authenticator
	log      *slog.Logger
	maxBody  int64
}

// NewHandler returns a Handler. maxBody <= 0 means DefaultMaxBodyBytes.
func NewHandler(dispatch Dispatcher, auth Authenticator, log *slog.Logger, maxBody int64) *Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	return &Handler{dispatch: dispatch, auth: auth, log: log, maxBody: maxBody}
}

// ServeHTTP answers one call. It never panics outward: a panic in an
// operation is logged and answered as InternalException.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	op := ""
	defer func() {
		if p := recover(); p != nil {
			h.writeError(w, r, requestID, op, awserr.InternalError(fmt.Errorf("panic: %v", p)))
		}
	}()
	out, op, err := h.serve(r)
	if err != nil {
		h.writeError(w, r, requestID, op, err)
		return
	}
	body := []byte("{}")
	if out != nil {
		if body, err = json.Marshal(out); err != nil {
			h.writeError(w, r, requestID, op, awserr.InternalError(err))
			return
		}
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serve does the work of ServeHTTP, returning the operation name for logging.
func (h *Handler) serve(r *http.Request) (any, string, error) {
	if r.Method != http.MethodPost {
		return nil, "", awserr.OperationUnknown()
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok || op == "" {
		return nil, "", awserr.OperationUnknown()
	}
	body, err := readBody(r, h.maxBody)
	if err != nil {
		return nil, op, err
	}
	caller, err := h.auth.Authenticate(r, body)
	if err != nil {
		return nil, op, err
	}
	ctx := eventbus.WithCaller(r.Context(), caller)
	out, err := h.dispatch(ctx, op, body)
	return out, op, err
}

// readBody reads the whole body, refusing one larger than limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, awserr.RequestTooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, awserr.BodyUnreadable()
	}
	if int64(len(body)) > limit {
		return nil, awserr.RequestTooLarge(limit)
	}
	return body, nil
}

// writeError is the one place an error becomes a wire response:
// {"__type": <exception>, "message": <text>} with X-Amzn-ErrorType and the
// exception's status. Internal causes are logged, never sent.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, requestID, op string, err error) {
	e := awserr.From(err)
	status := e.HTTPStatus()
	switch {
	case r.Context().Err() != nil:
		// The client went away; what failed is only that it stopped waiting.
		h.log.Debug("client went away", "op", op, "requestId", requestID, "err", err)
	case status >= 500 && e.Code != awserr.ServiceUnavailable:
		// ServiceUnavailable (storage full) is expected and retried; the
		// store logs the condition once, not once per request.
		h.log.Error("request failed", "op", op, "requestId", requestID, "err", err)
	default:
		h.log.Debug("request refused", "op", op, "requestId", requestID, "code", e.Code, "message", e.Message)
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
