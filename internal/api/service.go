// Package api owns the meaning of switchyard's EventBridge operations: it
// implements apimodel.Service on top of the eventbus domain and its KV
// stores, one file per resource family (sources, buses, tags, patterns).
//
// It receives requests already decoded and validated against the model by
// apimodel, and the authenticated caller in the context (awsjson). It never
// speaks HTTP, never parses wire JSON, and never knows which storage
// technology sits behind eventbus.KV.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// Config holds the service's settings and quotas.
type Config struct {
	// Region the server answers as; it appears in every ARN.
	Region string
	// PartnerOperations enables the SaaS partner operations; when false they
	// answer OperationDisabledException.
	PartnerOperations bool
	// MaxBusesPerAccount counts the default bus too (AWS: 100).
	MaxBusesPerAccount int
	// MaxSourcesPerPartnerAccount bounds the live sources one partner
	// account may have created.
	MaxSourcesPerPartnerAccount int
	// SourceExpiry is how long a source may stay PENDING (AWS: two weeks).
	SourceExpiry time.Duration
	// MaxRulesPerBus bounds the rules of one bus (AWS: 300); 0 means no limit.
	MaxRulesPerBus int
	// MaxTargetsPerRule bounds the targets of one rule (AWS: 5); 0 means no
	// limit.
	MaxTargetsPerRule int
	// MaxEntriesSize bounds the total size (eventbus.PutEntry.Size) of the
	// entries of one PutEvents or PutPartnerEvents request (AWS: 256 KB);
	// 0 means no limit.
	MaxEntriesSize int
	// MaxConnections bounds the connections of one account (AWS: 3000); 0
	// means no limit.
	MaxConnections int
	// MaxAPIDestinations bounds the API destinations of one account (AWS:
	// 3000); 0 means no limit.
	MaxAPIDestinations int
	// HTTPLoopbackEndpoints also accepts plain http endpoints on localhost
	// and loopback addresses as API destination and OAuth authorization
	// endpoints, for local development; AWS accepts only https.
	HTTPLoopbackEndpoints bool
	// Throttle limits PutEvents and PutPartnerEvents requests per account;
	// nil means no throttling. It holds state: give each Service its own.
	Throttle *Throttle
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultConfig returns AWS's defaults in us-east-1.
func DefaultConfig() Config {
	return Config{
		Region:                      "us-east-1",
		PartnerOperations:           true,
		MaxBusesPerAccount:          eventbus.DefaultMaxBuses,
		MaxSourcesPerPartnerAccount: 1000,
		SourceExpiry:                eventbus.DefaultSourceExpiry,
		MaxEntriesSize:              eventbus.DefaultMaxEntriesSize,
		Throttle:                    NewThrottle(),
		MaxRulesPerBus:              eventbus.DefaultMaxRulesPerBus,
		MaxTargetsPerRule:           eventbus.DefaultMaxTargetsPerRule,
		MaxConnections:              eventbus.DefaultMaxConnections,
		MaxAPIDestinations:          eventbus.DefaultMaxAPIDestinations,
		HTTPLoopbackEndpoints:       true,
	}
}

// Stores are the KV buckets the service keeps its resources in.
type Stores struct {
	Sources eventbus.KV // key: source name
	Buses   eventbus.KV // key: account, bus name
	Rules   eventbus.KV // key: account, bus name, rule name
	// Events is where PutEvents and PutPartnerEvents append accepted events.
	Events eventbus.EventLog
	// Connections and APIDestinations are keyed by account, name.
	Connections     eventbus.KV
	APIDestinations eventbus.KV
	// Secrets seals connection credentials at rest.
	Secrets eventbus.Sealer
}

// Service implements the EventBridge operations. Operations it does not
// implement answer through the embedded apimodel.Unimplemented. Safe for
// concurrent use.
type Service struct {
	apimodel.Unimplemented
	cfg Config
	st  Stores
}

var _ apimodel.Service = (*Service)(nil)

// New returns a Service over the given stores.
func New(cfg Config, st Stores) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, st: st}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// caller returns the authenticated caller; its absence is a wiring bug.
func caller(ctx context.Context) (eventbus.Caller, error) {
	c, ok := eventbus.CallerFrom(ctx)
	if !ok || c.Account == "" {
		return eventbus.Caller{}, awserr.InternalError(errors.New("api: no caller in context"))
	}
	return c, nil
}

// maxCASAttempts bounds read-modify-write retries before a lost race is
// reported as ConcurrentModificationException.
const maxCASAttempts = 8

// get reads and decodes one record.
func get[T any](ctx context.Context, kv eventbus.KV, key ...string) (T, uint64, error) {
	var v T
	e, err := kv.Get(ctx, key...)
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		return v, 0, fmt.Errorf("api: decode %v: %w", key, err)
	}
	return v, e.Revision, nil
}

// create stores a new record, failing with eventbus.ErrExists.
func create(ctx context.Context, kv eventbus.KV, v any, key ...string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = kv.Create(ctx, b, key...)
	return err
}

// errDelete, returned by a mutate function, deletes the record instead.
var errDelete = errors.New("api: delete record")

// mutate applies change to the current record under key and writes it back
// with a revision check, re-reading and re-applying on a lost race. change
// sees the latest state each time, so no concurrent write is overwritten
// silently; after maxCASAttempts lost races it answers
// ConcurrentModificationException. change may return errDelete to remove the
// record, or any other error to abort. A missing record is eventbus.ErrNotFound.
func mutate[T any](ctx context.Context, kv eventbus.KV, change func(*T) error, key ...string) (T, error) {
	for range maxCASAttempts {
		v, rev, err := get[T](ctx, kv, key...)
		if err != nil {
			return v, err
		}
		switch err := change(&v); {
		case errors.Is(err, errDelete):
			err = kv.Delete(ctx, rev, key...)
			if errors.Is(err, eventbus.ErrConflict) {
				continue
			}
			return v, err
		case err != nil:
			return v, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return v, err
		}
		_, err = kv.Update(ctx, b, rev, key...)
		if errors.Is(err, eventbus.ErrConflict) {
			continue
		}
		return v, err
	}
	var zero T
	return zero, awserr.ConcurrentChange()
}

// list reads and decodes every record under prefix, sorted by key.
func list[T any](ctx context.Context, kv eventbus.KV, prefix ...string) ([]T, error) {
	entries, err := kv.List(ctx, prefix...)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(entries))
	for _, e := range entries {
		var v T
		if err := json.Unmarshal(e.Value, &v); err != nil {
			return nil, fmt.Errorf("api: decode %v: %w", e.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// page applies NextToken/Limit to a sorted list of names.
func page(names []string, listing string, token *string, limit *int64) (eventbus.Page, error) {
	n := 0
	if limit != nil {
		n = int(*limit)
	}
	p, ok := eventbus.Paginate(names, listing, deref(token), n)
	if !ok {
		return p, awserr.NextTokenInvalid()
	}
	return p, nil
}

// pageOf applies a listing's filter and paging in one place: it keeps the
// items keep accepts, sorts them by name, and returns the page after token of
// at most limit items, with the token of the next page (nil on the last).
// listing names the listing and its filters, so a token from one listing is
// refused by another.
func pageOf[T any](items []T, name func(T) string, keep func(T) bool, listing string, token *string, limit *int64) ([]T, *string, error) {
	var kept []T
	for _, it := range items {
		if keep(it) {
			kept = append(kept, it)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return name(kept[i]) < name(kept[j]) })
	names := make([]string, len(kept))
	for i, it := range kept {
		names[i] = name(it)
	}
	p, err := page(names, listing, token, limit)
	if err != nil {
		return nil, nil, err
	}
	return kept[p.Start:p.End], optional(p.NextToken), nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// optional returns nil for the zero value, so empty fields stay off the wire.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// timePtr renders a stored time for the wire, at AWS's millisecond
// precision; the zero time stays off the wire.
func timePtr(t time.Time) *apimodel.Time {
	if t.IsZero() {
		return nil
	}
	return &apimodel.Time{Time: t.Truncate(time.Millisecond)}
}
