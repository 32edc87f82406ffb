// Package api owns the meaning of switchyard's EventBridge operations: it
// implements apimodel.Service on top of the eventbus domain and its typed
// record stores (eventbus.Stores), one file per resource family (sources,
// buses, rules, targets, tags, connections, API destinations, archives,
// replays, global endpoints, ingest). It stores replays; running them is package
// archive's.
//
// It receives requests already decoded and validated against the model by
// apimodel, and the authenticated caller in the context (awsjson). It never
// speaks HTTP, never parses wire JSON, never encodes a stored record itself
// (eventbus.Records does), and never knows which storage technology sits
// behind eventbus.KV.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
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
	// entries of one PutEvents or PutPartnerEvents request (AWS: 1 MB since
	// 2026-01-29, 256 KB before); 0 means no limit.
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
	// MaxEndpoints bounds the global endpoints of one account (AWS: 100);
	// 0 means no limit.
	MaxEndpoints int
	// MaxActiveReplays bounds the replays of one account starting, running
	// or cancelling at once (AWS: 10); 0 means no limit.
	MaxActiveReplays int
	// Throttle limits PutEvents and PutPartnerEvents requests per account;
	// the zero Throttle limits nothing.
	Throttle Throttle
	// Log receives the warning, once per process, of each setting a
	// request gave that switchyard stores but does not act on yet; nil
	// logs nothing.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// TargetPut, if set, is told of each target PutTargets stored, with its
	// rule's ARN, once the rule is saved: the delivery side can say then,
	// once, what it will do with the target (a kind it accepts but does
	// not deliver). It must not block.
	TargetPut func(ruleArn string, t eventbus.Target)
	// Observer is told what became of the entries of every PutEvents and
	// PutPartnerEvents request (nil: nothing is).
	Observer eventbus.IngestObserver
	// Partner is told, per partner account, what became of the entries
	// of its PutPartnerEvents requests and of its throttled requests
	// (nil: nothing is).
	Partner eventbus.PartnerObserver
	// BusLog, if set, writes the log records of ingested events (nil:
	// none are written, and a LogConfig level is reported as a gap).
	BusLog BusLog
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
		Throttle:                    DefaultThrottle(),
		MaxRulesPerBus:              eventbus.DefaultMaxRulesPerBus,
		MaxTargetsPerRule:           eventbus.DefaultMaxTargetsPerRule,
		MaxConnections:              eventbus.DefaultMaxConnections,
		MaxAPIDestinations:          eventbus.DefaultMaxAPIDestinations,
		MaxActiveReplays:            eventbus.DefaultMaxActiveReplays,
		MaxEndpoints:                eventbus.DefaultMaxEndpoints,
		HTTPLoopbackEndpoints:       true,
	}
}

// Stores are what the service keeps its resources in.
type Stores struct {
	// Records are the typed stores of sources, buses, rules, connections, API
	// destinations, archives and replays (Schedules is the scheduler's).
	eventbus.Stores
	// Events is where PutEvents and PutPartnerEvents append accepted events.
	Events eventbus.EventLog
	// Secrets seals connection credentials at rest.
	Secrets eventbus.Sealer
	// ArchiveLog keeps archived events.
	ArchiveLog eventbus.ArchiveLog
	// Replayer runs the replays StartReplay stores.
	Replayer Replayer
}

// A Replayer runs replays. Start hands over a replay just stored in
// STARTING state to whichever process will run it, and returns once that
// hand-over is durable.
type Replayer interface {
	Start(ctx context.Context, account, name string) error
}

// Service implements the EventBridge operations. Operations it does not
// implement answer through the embedded apimodel.Unimplemented. Safe for
// concurrent use.
type Service struct {
	apimodel.Unimplemented
	cfg      Config
	st       Stores
	throttle *throttle
	gaps     sync.Map // the gaps already logged (see gap)
}

// gap logs, once per process, a setting switchyard accepts as AWS does but
// does not act on yet; what names it and says so.
func (s *Service) gap(what string) {
	if _, seen := s.gaps.LoadOrStore(what, true); !seen && s.cfg.Log != nil {
		s.cfg.Log.Warn("accepted but not acted on: " + what)
	}
}

var _ apimodel.Service = (*Service)(nil)

// New returns a Service over the given stores, or an error naming the first
// store missing from st.
func New(cfg Config, st Stores) (*Service, error) {
	for _, need := range []struct {
		name    string
		missing bool
	}{
		{"Sources", st.Sources == nil}, {"Buses", st.Buses == nil}, {"Rules", st.Rules == nil},
		{"Connections", st.Connections == nil}, {"APIDestinations", st.APIDestinations == nil},
		{"Archives", st.Archives == nil}, {"Replays", st.Replays == nil}, {"Endpoints", st.Endpoints == nil},
		{"Events", st.Events == nil}, {"Secrets", st.Secrets == nil},
		{"ArchiveLog", st.ArchiveLog == nil}, {"Replayer", st.Replayer == nil},
	} {
		if need.missing {
			return nil, fmt.Errorf("api: no %s store", need.name)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, st: st, throttle: newThrottle(cfg.Throttle)}, nil
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

// mutate applies change to the record under key and writes it back (see
// eventbus.Records.Update), answering ConcurrentModificationException when
// it kept losing races. change may return eventbus.ErrRemove to remove the
// record,
// or any other error to abort. A missing record is eventbus.ErrNotFound.
func mutate[T any](ctx context.Context, r *eventbus.Records[T], change func(*T) error, key ...string) (T, error) {
	v, err := r.Update(ctx, 0, change, key...)
	if errors.Is(err, eventbus.ErrConflict) {
		return v, awserr.ConcurrentChange()
	}
	return v, err
}

// find reads the record under key, answering notFound's error when it is
// missing.
func find[T any](ctx context.Context, r *eventbus.Records[T], notFound func() *awserr.Error, key ...string) (T, error) {
	v, _, err := r.Get(ctx, key...)
	if errors.Is(err, eventbus.ErrNotFound) {
		return v, notFound()
	}
	return v, err
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
