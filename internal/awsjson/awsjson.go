// Package awsjson owns EventBridge's wire protocol, awsJson1_1: one POST /
// per call, the operation named by X-Amz-Target "AWSEvents.<Operation>", JSON
// bodies of type application/x-amz-json-1.1. It assigns the request ID,
// authenticates the caller from the headers before it reads a byte of the
// body, bounds the body and the bytes read at once for callers whose
// signature is not yet verified, checks the signature over the body, hands
// the operation to a Dispatcher, and writes the result, or the error in the
// one place errors are turned into wire responses (writeError).
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
	"time"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// TargetPrefix is the service prefix of the X-Amz-Target header.
const TargetPrefix = "AWSEvents."

// ContentType is the media type of awsJson1_1 bodies.
const ContentType = "application/x-amz-json-1.1"

// Defaults applied by NewHandler to zero Limits fields.
const (
	// DefaultMaxBodyBytes bounds a request body. AWS's largest legitimate
	// bodies are PutEvents with 1 MB of entries, which JSON escaping can
	// grow up to three times (a Detail of quoted strings written again as a
	// string, or non-ASCII written as \u escapes by some SDKs), plus framing.
	DefaultMaxBodyBytes = 4 << 20
	// DefaultMaxUnverifiedBytes bounds the body bytes being read at once for
	// requests whose headers passed authentication but whose signature over
	// the body is not yet verified: 16 bodies of the largest size.
	DefaultMaxUnverifiedBytes = 16 * DefaultMaxBodyBytes
	// DefaultBodyTimeout bounds reading one body: a 4 MiB body at 140 KB/s
	// still fits.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultBodyWait is how long a request waits for room under
	// MaxUnverifiedBytes before it is refused as throttled.
	DefaultBodyWait = 5 * time.Second
)

// Limits bound what a Handler reads; zero fields take the defaults.
type Limits struct {
	// MaxBodyBytes refuses larger bodies (RequestEntityTooLargeException).
	MaxBodyBytes int64
	// MaxUnverifiedBytes bounds the bytes reserved for bodies being read
	// before their signature is verified; a body reserves its Content-Length,
	// or MaxBodyBytes when it has none.
	MaxUnverifiedBytes int64
	// BodyWait bounds the wait for room under MaxUnverifiedBytes.
	BodyWait time.Duration
	// BodyTimeout bounds reading the body, from when reading starts: a body
	// that stalls fails then (the connection's read deadline; the server
	// then answers and closes the connection).
	BodyTimeout time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxUnverifiedBytes <= 0 {
		l.MaxUnverifiedBytes = DefaultMaxUnverifiedBytes
	}
	if l.BodyWait <= 0 {
		l.BodyWait = DefaultBodyWait
	}
	if l.BodyTimeout <= 0 {
		l.BodyTimeout = DefaultBodyTimeout
	}
	return l
}

// A Dispatcher runs one operation: it decodes and validates body for the
// named operation, performs it as the caller in ctx, and returns the value to
// encode as the response (nil for an empty object). Errors should be
// *awserr.Error; anything else is answered as InternalException.
type Dispatcher func(ctx context.Context, operation string, body []byte) (any, error)

// An Authenticator establishes who sent a request in two phases:
// AuthenticateHeaders checks what the request line and headers show, before
// the body is read, and returns the payload phase, which checks the body
// against the signature and returns the caller. Errors should be
// *awserr.Error carrying AWS's authentication exception.
type Authenticator interface {
	AuthenticateHeaders(r *http.Request) (payload func(body []byte) (eventbus.Caller, error), err error)
}

// A RequestObserver is told the outcome of every request a Handler
// answers: the operation as the X-Amz-Target header named it ("" when
// absent; untrusted, so an observer keeping it must bound what it keeps),
// the exception code ("" for success) and the time from the request's
// arrival to its answer being written. Called on the request's goroutine
// from many at once; it must not block.
type RequestObserver interface {
	Request(op, code string, took time.Duration)
}

// A Handler serves the awsJson1_1 protocol. Safe for concurrent use.
type Handler struct {
	dispatch Dispatcher
	auth     Authenticator
	log      *slog.Logger
	limits   Limits
	budget   *byteBudget // bytes of bodies read before their signature is verified
	observer RequestObserver
}

// NewHandler returns a Handler bounded by limits (see Limits for defaults).
func NewHandler(dispatch Dispatcher, auth Authenticator, log *slog.Logger, limits Limits) *Handler {
	limits = limits.withDefaults()
	return &Handler{dispatch: dispatch, auth: auth, log: log, limits: limits, budget: newByteBudget(limits.MaxUnverifiedBytes),
		observer: noObserver{}}
}

// Observe makes o see every request answered from now on (nil: none).
// Call it before serving.
func (h *Handler) Observe(o RequestObserver) {
	if o == nil {
		o = noObserver{}
	}
	h.observer = o
}

type noObserver struct{}

func (noObserver) Request(string, string, time.Duration) {}

// ServeHTTP answers one call. It never panics outward: a panic in an
// operation is logged and answered as InternalException.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	op, code := "", ""
	defer func() {
		if p := recover(); p != nil {
			code = h.writeError(w, r, requestID, op, awserr.InternalError(fmt.Errorf("panic: %v", p)))
		}
		h.observer.Request(op, code, time.Since(start))
	}()
	out, op, err := h.serve(w, r, requestID)
	if err != nil {
		code = h.writeError(w, r, requestID, op, err)
		return
	}
	body := []byte("{}")
	if out != nil {
		if body, err = json.Marshal(out); err != nil {
			code = h.writeError(w, r, requestID, op, awserr.InternalError(err))
			return
		}
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serve does the work of ServeHTTP, returning the operation name for logging.
// Nothing of the body is read before the headers pass authentication, and
// while it is read it holds its share of MaxUnverifiedBytes.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, requestID string) (any, string, error) {
	if r.Method != http.MethodPost {
		dropBody(w, r)
		return nil, "", awserr.OperationUnknown()
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok || op == "" {
		dropBody(w, r)
		return nil, "", awserr.OperationUnknown()
	}
	limit := h.limits.MaxBodyBytes
	if r.ContentLength > limit {
		dropBody(w, r)
		return nil, op, awserr.RequestTooLarge(limit)
	}
	payload, err := h.auth.AuthenticateHeaders(r)
	if err != nil {
		dropBody(w, r)
		return nil, op, err
	}
	reserve := limit
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	if !h.budget.tryAcquire(reserve) { // the common case takes no timer
		wctx, cancel := context.WithTimeout(r.Context(), h.limits.BodyWait)
		err = h.budget.acquire(wctx, reserve)
		cancel()
		if err != nil {
			dropBody(w, r)
			return nil, op, awserr.BodiesBusy()
		}
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.budget.release(reserve)
		return nil, op, err
	}
	caller, err := payload(body)
	h.budget.release(reserve)
	if err != nil {
		return nil, op, err
	}
	ctx := eventbus.WithRequestID(eventbus.WithCaller(r.Context(), caller), requestID)
	out, err := h.dispatch(ctx, op, body)
	return out, op, err
}

// dropBody makes the answer to a request refused before its body was read
// close the connection, and ends reading at once, so that the server does
// not read (to discard, as net/http does up to 256 KB) a body it never
// accepted, from a client it did not authenticate.
func dropBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	}
}

// readBody reads the whole body within BodyTimeout, refusing one larger than
// MaxBodyBytes. The connection's read deadline bounds the read (where the
// ResponseWriter supports one) and is cleared once the body is in, so that
// a long operation is not cut short by it.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.limits.MaxBodyBytes
	rc := http.NewResponseController(w)
	deadline := rc.SetReadDeadline(time.Now().Add(h.limits.BodyTimeout)) == nil
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		dropBody(w, r) // the server gives up on the rest and closes the connection
		return nil, awserr.BodyUnreadable()
	}
	if int64(len(body)) > limit {
		dropBody(w, r)
		return nil, awserr.RequestTooLarge(limit)
	}
	if deadline {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return body, nil
}

// writeError is the one place an error becomes a wire response:
// {"__type": <exception>, "message": <text>} with X-Amzn-ErrorType and the
// exception's status. Internal causes are logged, never sent. It returns
// the exception code written.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, requestID, op string, err error) string {
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
	return WriteError(w, e)
}

// WriteError writes err as AWS writes an error: {"__type": <exception>,
// "message": <text>} with X-Amzn-ErrorType and the exception's status; an
// error that is not an *awserr.Error is written as InternalException
// without its text. It returns the exception code written. Handlers beside
// the API (the console's endpoints) answer errors with it, so there is
// one wire form of an error.
func WriteError(w http.ResponseWriter, err error) string {
	e := awserr.From(err)
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(body)
	return e.Code
}
