package console

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// The console's endpoints, under APIPath. Each takes a POST with a JSON
// object body, signed as an API call is.
const (
	// epConfig: {} -> the region and the caller's account.
	epConfig = "config"
	// epPartner: {} -> the caller's partner sources with their counts and
	// lifecycle, and its account-wide counts.
	epPartner = "partner"
	// epTail: {"EventBusName": bus, "SinceSeconds": n} -> a stream of JSON
	// lines: {"ready":true}, then {"event": envelope} per event put on the
	// caller's bus, {"dropped": n} when it falls behind.
	epTail = "tail"
	// epDeadLetters: {"Limit": n} -> the caller's dead letters, oldest
	// first.
	epDeadLetters = "deadletters"
	// epRedrive: {"Seq": n} -> {"redriven": n}.
	epRedrive = "redrive"
)

// Bounds of the request fields.
const (
	maxSinceSeconds   = 3600
	maxDeadLetters    = 1000
	defaultDeadLetter = 100
	maxBusName        = 256
)

func knownEndpoint(ep string) bool {
	switch ep {
	case epConfig, epPartner, epTail, epDeadLetters, epRedrive:
		return true
	}
	return false
}

// A request is the body of any endpoint: each reads its own fields.
type request struct {
	EventBusName string `json:"EventBusName"`
	SinceSeconds int    `json:"SinceSeconds"`
	Limit        int    `json:"Limit"`
	Seq          uint64 `json:"Seq"`
}

// parseRequest decodes and validates an endpoint's body: a JSON object
// with only that request's fields (an empty body is {}). Its errors are
// ValidationException in AWS's words.
func parseRequest(endpoint string, body []byte) (request, error) {
	var req request
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return request{}, awserr.New(awserr.Validation, "The request body is not a JSON object of this request's fields.")
		}
		if dec.More() {
			return request{}, awserr.New(awserr.Validation, "The request body holds more than one JSON value.")
		}
	}
	var msgs []string
	switch endpoint {
	case epTail:
		switch {
		case req.EventBusName == "":
			msgs = append(msgs, "Value null at 'eventBusName' failed to satisfy constraint: Member must not be null")
		case len(req.EventBusName) > maxBusName:
			msgs = append(msgs, "Value at 'eventBusName' failed to satisfy constraint: Member must have length less than or equal to 256")
		}
		if req.SinceSeconds < 0 || req.SinceSeconds > maxSinceSeconds {
			msgs = append(msgs, "Value at 'sinceSeconds' failed to satisfy constraint: Member must be between 0 and 3600")
		}
	case epDeadLetters:
		if req.Limit < 0 || req.Limit > maxDeadLetters {
			msgs = append(msgs, "Value at 'limit' failed to satisfy constraint: Member must be between 0 and 1000")
		}
	case epRedrive:
		if req.Seq == 0 {
			msgs = append(msgs, "Value null at 'seq' failed to satisfy constraint: Member must not be null")
		}
	}
	if len(msgs) > 0 {
		return request{}, awserr.ValidationErrors(msgs...)
	}
	return req, nil
}

func disabled(what string) error {
	return awserr.New(awserr.OperationDisabled, "The console's "+what+" is not available on this server.")
}

// A SourceReport is one source on the partner dashboard.
type SourceReport struct {
	Name         string     `json:"name"`
	Account      string     `json:"account"`
	State        string     `json:"state"`
	CreatedAt    time.Time  `json:"createdAt"`
	Expires      *time.Time `json:"expires,omitempty"`
	BusCreatedAt *time.Time `json:"busCreatedAt,omitempty"`
	Counts       View       `json:"counts"`
	Lifecycle    []Step     `json:"lifecycle"`
}

// A Step is one lifecycle step of a source and when it was seen.
type Step struct {
	Step string    `json:"step"`
	At   time.Time `json:"at"`
}

// PartnerReport is the partner dashboard's data.
type PartnerReport struct {
	Account string         `json:"account"`
	Now     time.Time      `json:"now"`
	Sources []SourceReport `json:"sources"`
	// AccountCounts are the caller's throttled requests and its failed
	// entries that named none of its sources.
	AccountCounts View `json:"accountCounts"`
	// PerNode says the counts are this node's since it started.
	PerNode bool `json:"perNode"`
}

// partner reports the caller's own sources: their states, counts and
// lifecycle steps, never anything else of the customers'.
func (h *Handler) partner(ctx context.Context, c eventbus.Caller) (*PartnerReport, error) {
	if h.cfg.Sources == nil || h.cfg.Counters == nil {
		return nil, disabled("partner dashboard")
	}
	views, err := h.cfg.Sources.PartnerSourceViews(ctx, c.Account)
	if err != nil {
		return nil, awserr.InternalError(err)
	}
	now := h.cfg.Now().UTC()
	out := &PartnerReport{Account: c.Account, Now: now, Sources: []SourceReport{}, PerNode: true,
		AccountCounts: h.cfg.Counters.Account(c.Account).View(now)}
	for _, v := range views {
		h.cfg.Counters.Seen(v.Name, v.State, now)
		s := h.cfg.Counters.Source(v.Name)
		r := SourceReport{Name: v.Name, Account: v.Account, State: v.State, CreatedAt: v.CreatedAt.UTC(),
			Expires: nonZero(v.Expires), BusCreatedAt: nonZero(v.BusCreatedAt), Counts: s.View(now)}
		r.Lifecycle = lifecycle(v, r.Counts, s)
		out.Sources = append(out.Sources, r)
	}
	return out, nil
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// lifecycle lists the steps of a source seen so far, in time order.
func lifecycle(v eventbus.PartnerSourceView, counts View, s *Series) []Step {
	steps := []Step{{"created by the partner, offered to the customer (PENDING)", v.CreatedAt.UTC()}}
	if t := nonZero(v.BusCreatedAt); t != nil {
		steps = append(steps, Step{"customer created the partner event bus (ACTIVE)", *t})
	}
	if v.PendingSince.After(v.CreatedAt) {
		steps = append(steps, Step{"PENDING again: the customer deactivated the source or deleted its bus (latest time)", v.PendingSince.UTC()})
	}
	if t := nonZero(v.DeletedAt); t != nil {
		steps = append(steps, Step{"partner deleted the source (DELETED for the customer)", *t})
	}
	for _, x := range []struct {
		step string
		at   *time.Time
	}{
		{"first event accepted", counts.FirstAccepted},
		{"first event accepted and dropped (source not ACTIVE)", counts.FirstDropped},
		{"first entry failed", counts.FirstFailed},
		{"first event delivered by a customer's target", counts.FirstDelivered},
	} {
		if x.at != nil {
			steps = append(steps, Step{x.step, *x.at})
		}
	}
	steps = append(steps, s.seenSteps()...)
	sortSteps(steps)
	return steps
}

// tail streams the events put on the caller's bus req.EventBusName until
// the client goes away or Shutdown. It reports whether it started the
// answer; if not, err is what to answer instead.
func (h *Handler) tail(ctx context.Context, w http.ResponseWriter, c eventbus.Caller, req request) (started bool, err error) {
	if h.cfg.Tail == nil {
		return false, disabled("live event stream")
	}
	select {
	case <-h.done:
		return false, awserr.New(awserr.ServiceUnavailable, "The server is shutting down.")
	default:
	}
	select {
	case h.tails <- struct{}{}:
		defer func() { <-h.tails }()
	default:
		return false, awserr.New(awserr.Throttling, "Too many live event streams are open on this server; try again later.")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-h.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Accel-Buffering", "no")
	sw := &streamWriter{w: w, rc: http.NewResponseController(w)}
	var ready atomic.Bool
	err = h.cfg.Tail(ctx, time.Duration(req.SinceSeconds)*time.Second, func() {
		ready.Store(true)
		_ = sw.line(map[string]bool{"ready": true})
	}, func(ev eventbus.BusEvent) error {
		if ev.Account != c.Account || ev.Bus != req.EventBusName {
			return nil
		}
		return sw.line(struct {
			Event json.RawMessage `json:"event"`
		}{ev.Event.Envelope})
	}, func(n int) { _ = sw.line(map[string]int{"dropped": n}) })
	if ready.Load() || ctx.Err() != nil {
		if err != nil && ctx.Err() == nil {
			h.cfg.Log.Warn("console: live event stream ended", "err", err)
		}
		return true, nil
	}
	if err != nil {
		return false, awserr.InternalError(err)
	}
	return false, nil
}

func (h *Handler) deadLetters(ctx context.Context, c eventbus.Caller, req request) (any, error) {
	if h.cfg.DeadLetters == nil {
		return nil, disabled("dead letter list")
	}
	limit := req.Limit
	if limit == 0 {
		limit = defaultDeadLetter
	}
	dls, err := h.cfg.DeadLetters.List(ctx, c.Account, limit)
	if err != nil {
		return nil, awserr.InternalError(err)
	}
	if dls == nil {
		dls = []DeadLetter{}
	}
	return map[string]any{"deadLetters": dls}, nil
}

func (h *Handler) redrive(ctx context.Context, c eventbus.Caller, req request) (any, error) {
	if h.cfg.DeadLetters == nil {
		return nil, disabled("redrive")
	}
	if err := h.cfg.DeadLetters.Redrive(ctx, c.Account, req.Seq); err != nil {
		return nil, err
	}
	return map[string]int{"redriven": 1}, nil
}

func sortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].At.Before(steps[j].At) })
}
