package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds PutEvents and PutPartnerEvents: per-entry validation and
// authorization, the envelope of each accepted event, and the durable
// append without which no entry is answered with an EventId.
//
// What AWS does and switchyard copies (responses recorded against AWS, as
// published with LocalStack's AWS-validated snapshot tests, 2024-12):
//   - Entries are answered in request order, each with an EventId or an
//     ErrorCode and ErrorMessage, with HTTP 200, even when no entry is
//     complete: a one-entry request lacking Source gets a per-entry
//     InvalidArgument, not a failed request, whatever the API reference says.
//   - An event for a bus that does not exist is accepted (EventId) and
//     dropped; so is one for a partner event source that is not ACTIVE.
//   - An "aws." Source in PutEvents is NotAuthorizedForSourceException.

const (
	putEventsAction   = "events:PutEvents"
	eventIDRandomSize = 16
	// envelopeOverhead is about what an envelope adds to its entry's size:
	// keys, id, account, time, region.
	envelopeOverhead = 256
)

// PutEvents records custom events on buses of the caller's account, or of
// another account whose bus policy lets the caller's account put events.
//
// The request is refused whole with ThrottlingException when the account is
// over its rate, ValidationException when the entries' total size is over
// Config.MaxEntriesSize or an EventBusName ARN names another region, and
// InternalException (HTTP 500, retried by the SDKs) when the events could
// not be stored: then no EventId is returned, though some of the events may
// have been stored and will be delivered (at least once, as on AWS).
// Otherwise every entry gets an EventId only after its event is durably in
// the event log, or an error of its own. TraceHeader is accepted and not
// used.
//
// With EndpointId the request goes through a global endpoint of the
// caller's account (ResourceNotFoundException for an id it has none of):
// entries without EventBusName, or naming one of the endpoint's buses (by
// ARN, either region, or by their common name), go to the endpoint's bus in
// this region, as AWS routes them while the primary region is healthy;
// entries naming another bus go where they would without the endpoint.
func (s *Service) PutEvents(ctx context.Context, in *apimodel.PutEventsRequest) (*apimodel.PutEventsResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !s.throttle.allowPutEvents(c.Account, now) {
		return nil, awserr.RateExceeded()
	}
	dests := busDestinations{s: s, caller: c}
	if in.EndpointId != nil {
		e, err := s.endpointByID(ctx, c.Account, *in.EndpointId)
		if err != nil {
			return nil, err
		}
		dests.endpoint = &e
	}
	entries := make([]eventbus.PutEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = putEntry(e.Source, e.DetailType, e.Detail, e.Resources, e.Time)
	}
	b, err := s.newIngest(entries, now)
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		if fail := e.Check(); !fail.OK() {
			b.fail(i, fail)
			continue
		}
		if eventbus.IsReservedSource(e.Source) {
			b.fail(i, eventbus.NotAuthorizedForSource())
			continue
		}
		d, err := dests.resolve(ctx, deref(in.Entries[i].EventBusName))
		if err != nil {
			return nil, err
		}
		if d.denied {
			b.fail(i, eventbus.AccessDenied(c.Account, d.arn))
			continue
		}
		b.accept(i, e, c.Account, d.account, d.bus, "", d.exists)
	}
	s.logReceived(ctx, c.Account, b)
	if err := b.commit(ctx, s.st.Events); err != nil {
		b.report(s.cfg.Observer, "PutEvents", err)
		s.logIngested(ctx, c.Account, b, err)
		return nil, err
	}
	b.report(s.cfg.Observer, "PutEvents", nil)
	s.logIngested(ctx, c.Account, b, nil)
	out := &apimodel.PutEventsResponse{FailedEntryCount: ptr(int64(b.failed)), Entries: make([]apimodel.PutEventsResultEntry, len(b.results))}
	for i := range b.results {
		id, code, msg := b.result(i)
		out.Entries[i] = apimodel.PutEventsResultEntry{EventId: id, ErrorCode: code, ErrorMessage: msg}
	}
	return out, nil
}

// PutPartnerEvents records a SaaS partner's events on its customers'
// partner buses. Each entry's Source names a partner event source; the
// calling partner account must own it (NotAuthorizedForSourceException
// otherwise, also for a source that does not exist). The event goes to the
// customer's partner bus while the source is ACTIVE, with the customer's
// account in the envelope; for a PENDING or DELETED source it is accepted and
// dropped, as on AWS. Whole-request errors and durability are as for PutEvents.
func (s *Service) PutPartnerEvents(ctx context.Context, in *apimodel.PutPartnerEventsRequest) (*apimodel.PutPartnerEventsResponse, error) {
	c, err := s.partnerCaller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !s.throttle.allowPutPartnerEvents(c.Account, now) {
		if s.cfg.Partner != nil {
			s.cfg.Partner.Throttled(c.Account)
		}
		return nil, awserr.RateExceeded()
	}
	entries := make([]eventbus.PutEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = putEntry(e.Source, e.DetailType, e.Detail, e.Resources, e.Time)
	}
	b, err := s.newIngest(entries, now)
	if err != nil {
		return nil, err
	}
	sources := partnerSources{s: s, caller: c}
	for i, e := range entries {
		if fail := e.Check(); !fail.OK() {
			b.fail(i, fail)
			continue
		}
		src, err := sources.resolve(ctx, e.Source)
		if err != nil {
			return nil, err
		}
		if !src.owned {
			b.fail(i, eventbus.NotAuthorizedForSource())
			continue
		}
		b.accept(i, e, src.account, src.account, e.Source, e.Source, src.active)
	}
	s.logReceived(ctx, c.Account, b)
	if err := b.commit(ctx, s.st.Events); err != nil {
		b.report(s.cfg.Observer, "PutPartnerEvents", err)
		s.reportPartner(ctx, c.Account, b, entries, &sources, err)
		s.logIngested(ctx, c.Account, b, err)
		return nil, err
	}
	b.report(s.cfg.Observer, "PutPartnerEvents", nil)
	s.reportPartner(ctx, c.Account, b, entries, &sources, nil)
	s.logIngested(ctx, c.Account, b, nil)
	out := &apimodel.PutPartnerEventsResponse{FailedEntryCount: ptr(int64(b.failed)), Entries: make([]apimodel.PutPartnerEventsResultEntry, len(b.results))}
	for i := range b.results {
		id, code, msg := b.result(i)
		out.Entries[i] = apimodel.PutPartnerEventsResultEntry{EventId: id, ErrorCode: code, ErrorMessage: msg}
	}
	return out, nil
}

func putEntry(source, detailType, detail *string, resources []string, t *apimodel.Time) eventbus.PutEntry {
	e := eventbus.PutEntry{Source: deref(source), DetailType: deref(detailType), Detail: deref(detail), Resources: resources}
	if t != nil {
		e.Time, e.HasTime = t.Time, true
	}
	return e
}

// An ingest collects the outcome of one PutEvents or PutPartnerEvents
// request: a result per entry and the events to append.
type ingest struct {
	now     time.Time
	region  string
	random  []byte // eventIDRandomSize random bytes per entry, for its EventId
	results []entryResult
	events  []eventbus.BusEvent
	failed  int
	// envelopes holds the request's envelopes back to back: one allocation
	// for all of them (each event's Envelope is a capacity-limited slice).
	envelopes []byte
	// counts are the entries' outcomes per bus, for the observer; most
	// requests name one bus, so they fit in countsBuf.
	counts    []eventbus.IngestCount
	countsBuf [2]eventbus.IngestCount
}

// An entryResult is an EventId or an error.
type entryResult struct {
	id  string
	err eventbus.EntryError
}

// newIngest checks the entries' total size and prepares their results.
func (s *Service) newIngest(entries []eventbus.PutEntry, now time.Time) (*ingest, error) {
	size := 0
	for _, e := range entries {
		size += e.Size()
	}
	if s.cfg.MaxEntriesSize > 0 && size > s.cfg.MaxEntriesSize {
		return nil, awserr.EntriesTooLarge()
	}
	b := &ingest{
		now:       now,
		region:    s.cfg.Region,
		random:    make([]byte, eventIDRandomSize*len(entries)),
		results:   make([]entryResult, len(entries)),
		events:    make([]eventbus.BusEvent, 0, len(entries)),
		envelopes: make([]byte, 0, size+len(entries)*envelopeOverhead),
	}
	if _, err := rand.Read(b.random); err != nil {
		return nil, awserr.InternalError(fmt.Errorf("api: event ids: %w", err))
	}
	b.counts = b.countsBuf[:0]
	return b, nil
}

func (b *ingest) fail(i int, err eventbus.EntryError) {
	b.results[i].err = err
	b.failed++
	b.count("", "", "").Failed++
}

// count returns the IngestCount of one bus, adding it on first use.
func (b *ingest) count(account, bus, source string) *eventbus.IngestCount {
	for i := range b.counts {
		if c := &b.counts[i]; c.Account == account && c.Bus == bus && c.Source == source {
			return c
		}
	}
	b.counts = append(b.counts, eventbus.IngestCount{Account: account, Bus: bus, Source: source})
	return &b.counts[len(b.counts)-1]
}

// report tells o the request's counts; when commitErr is set, the events
// that were to be stored count as failed.
func (b *ingest) report(o eventbus.IngestObserver, op string, commitErr error) {
	if o == nil {
		return
	}
	for _, c := range b.counts {
		if commitErr != nil {
			c.Failed += c.Stored + c.Dropped
			c.Stored, c.Dropped = 0, 0
		}
		o.Ingested(op, c)
	}
}

// codeInternalFailure is the ErrorCode of entries that lost their EventId
// because the request failed as a whole (see PartnerCount).
const codeInternalFailure = "InternalFailure"

// reportPartner tells Config.Partner, if set, what became of the entries
// of a PutPartnerEvents request: the stored and dropped counts per source
// (all failed when commitErr is set), then each failed entry under its
// source when the caller owns it, else under "". Sources not resolved yet
// are looked up for failed entries only, which are rare; a lookup that
// fails leaves the entry under "".
func (s *Service) reportPartner(ctx context.Context, caller string, b *ingest, entries []eventbus.PutEntry, sources *partnerSources, commitErr error) {
	o := s.cfg.Partner
	if o == nil {
		return
	}
	for _, c := range b.counts {
		if c.Source == "" || c.Stored+c.Dropped == 0 {
			continue
		}
		pc := eventbus.PartnerCount{Source: c.Source, Stored: c.Stored, Dropped: c.Dropped}
		if commitErr != nil {
			pc = eventbus.PartnerCount{Source: c.Source, Failed: c.Stored + c.Dropped, Code: codeInternalFailure}
		}
		o.PartnerIngested(caller, pc)
	}
	if b.failed == 0 {
		return
	}
	for i := range b.results {
		r := &b.results[i]
		if r.err.OK() {
			continue
		}
		src := ""
		if name := entries[i].Source; isPartnerSourceName(name) {
			if x, err := sources.resolve(ctx, name); err == nil && x.owned {
				src = name
			}
		}
		o.PartnerIngested(caller, eventbus.PartnerCount{Source: src, Failed: 1, Code: r.err.Code})
	}
}

// A BusLog writes the log records of buses whose LogConfig sets a level.
// Once per request, Received is told the events it is about to store, and
// Ingested, once the append returned, the events stored (err nil) or not
// (err). Neither may block.
type BusLog interface {
	Received(caller, requestID string, events []eventbus.BusEvent)
	Ingested(caller, requestID string, events []eventbus.BusEvent, err error)
}

// logReceived tells Config.BusLog, if set, of the events b is about to
// store.
func (s *Service) logReceived(ctx context.Context, caller string, b *ingest) {
	if s.cfg.BusLog != nil && len(b.events) > 0 {
		s.cfg.BusLog.Received(caller, eventbus.RequestIDFrom(ctx), b.events)
	}
}

// logIngested tells Config.BusLog, if set, what became of b's events.
func (s *Service) logIngested(ctx context.Context, caller string, b *ingest, err error) {
	if s.cfg.BusLog != nil && len(b.events) > 0 {
		s.cfg.BusLog.Ingested(caller, eventbus.RequestIDFrom(ctx), b.events, err)
	}
}

// accept gives entry i an EventId and builds its envelope (with envAccount
// as the envelope's account). The event is appended to bus of account at
// commit when store is set, and dropped otherwise; source labels its count.
func (b *ingest) accept(i int, e eventbus.PutEntry, envAccount, account, bus, source string, store bool) {
	id := b.eventID(i)
	t := b.now
	if e.HasTime {
		t = e.Time
	}
	start := len(b.envelopes)
	all, err := eventbus.AppendEnvelope(b.envelopes, eventbus.EnvelopeHeader{ID: id, Account: envAccount, Region: b.region, Time: t}, e)
	if err != nil { // e passed Check, so this does not happen
		b.fail(i, eventbus.MalformedDetail())
		return
	}
	b.envelopes = all
	env := all[start:len(all):len(all)]
	b.results[i].id = id
	c := b.count(account, bus, source)
	if store {
		b.events = append(b.events, eventbus.BusEvent{Account: account, Bus: bus, Event: eventbus.Event{ID: id, Envelope: env, IngestedAt: b.now}})
		c.Stored++
	} else {
		c.Dropped++
	}
}

// result returns entry i's result fields for the response, pointing into
// b.results (nil when empty) rather than allocating.
func (b *ingest) result(i int) (id, code, message *string) {
	r := &b.results[i]
	if r.id != "" {
		id = &r.id
	}
	if !r.err.OK() {
		code, message = &r.err.Code, &r.err.Message
	}
	return id, code, message
}

// eventID returns entry i's id: a version 4 UUID from its random bytes.
func (b *ingest) eventID(i int) string {
	var u uuid.UUID
	copy(u[:], b.random[i*eventIDRandomSize:])
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80 // variant RFC 4122
	return u.String()
}

// commit appends the accepted events and returns nil only once they are
// durably stored: only then may the request answer with their EventIds. A
// failed append is InternalException for the whole request (see PutEvents).
func (b *ingest) commit(ctx context.Context, log eventbus.EventLog) error {
	if len(b.events) == 0 {
		return nil
	}
	if log == nil {
		return awserr.InternalError(errors.New("api: no event log configured"))
	}
	if err := log.Append(ctx, b.events); err != nil {
		if errors.Is(err, eventbus.ErrStorageFull) {
			return awserr.StorageFull() // logged once by the store, not per request
		}
		return awserr.InternalError(fmt.Errorf("api: append %d events: %w", len(b.events), err))
	}
	return nil
}

// A destination is where PutEvents sends the entries naming one
// EventBusName.
type destination struct {
	key          string // EventBusName as given; "" when absent
	account, bus string
	arn          string
	exists       bool // the bus exists and takes the events: they are appended
	denied       bool // another account's bus whose policy does not let the caller put events
}

// busDestinations resolves the EventBusNames of one PutEvents request, each
// distinct name once.
type busDestinations struct {
	s      *Service
	caller eventbus.Caller
	// endpoint is the global endpoint the request came through, if any.
	endpoint *eventbus.Endpoint
	seen     []destination
}

// resolve returns the destination of EventBusName key. Its errors fail the
// whole request: an ARN of another region, or a storage failure.
func (d *busDestinations) resolve(ctx context.Context, key string) (destination, error) {
	for _, x := range d.seen {
		if x.key == key {
			return x, nil
		}
	}
	x, err := d.lookup(ctx, key)
	if err != nil {
		return x, err
	}
	d.seen = append(d.seen, x)
	return x, nil
}

func (d *busDestinations) lookup(ctx context.Context, key string) (destination, error) {
	s, c := d.s, d.caller
	x := destination{key: key, account: c.Account, bus: eventbus.DefaultBus}
	if e := d.endpoint; e != nil && (key == "" || e.NamesBus(key)) {
		// The endpoint was stored with a bus of this region (CheckEndpoint).
		x.bus, _ = e.LocalBus(s.cfg.Region)
		key = ""
	}
	if key != "" {
		account, name, ok := eventbus.BusRef(key, c.Account, s.cfg.Region)
		if !ok { // the model's pattern leaves only a foreign region
			return x, awserr.CrossRegion()
		}
		x.account, x.bus = account, name
	}
	x.arn = eventbus.BusARN(s.cfg.Region, x.account, x.bus)
	if x.account == c.Account {
		if x.bus == eventbus.DefaultBus { // every account has one
			x.exists = true
			return x, nil
		}
		exists, err := s.busExists(ctx, x.account, x.bus)
		x.exists = exists
		return x, err
	}
	bus, _, err := s.st.Buses.Get(ctx, x.account, x.bus)
	switch {
	case errors.Is(err, eventbus.ErrNotFound): // no bus, so no policy allows the caller
		x.denied = true
	case err != nil:
		return x, err
	default:
		x.denied = !eventbus.PolicyAllows(bus.Policy, c.Account, putEventsAction)
		x.exists = !x.denied
	}
	return x, nil
}

// A partnerSource is what PutPartnerEvents needs to know of one source.
type partnerSource struct {
	name    string
	owned   bool   // the calling partner account owns it
	account string // the customer account, when owned
	active  bool   // ACTIVE: its events are appended to the customer's partner bus
}

// partnerSources resolves the sources of one PutPartnerEvents request, each
// distinct source once.
type partnerSources struct {
	s      *Service
	caller eventbus.Caller
	seen   []partnerSource
}

// resolve returns what is known of the source name; its errors (storage
// failures) fail the whole request.
func (p *partnerSources) resolve(ctx context.Context, name string) (partnerSource, error) {
	for _, x := range p.seen {
		if x.name == name {
			return x, nil
		}
	}
	x := partnerSource{name: name}
	src, _, err := p.s.st.Sources.Get(ctx, name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
	case err != nil:
		return x, err
	case src.PartnerAccount == p.caller.Account && p.caller.MayUsePartner(src.Partner):
		st, err := p.s.status(ctx, src)
		if err != nil {
			return x, err
		}
		x.owned, x.account, x.active = true, src.Account, st.State == eventbus.StateActive
	}
	p.seen = append(p.seen, x)
	return x, nil
}

// isPartnerSourceName reports whether name has the shape of a partner event
// source's name, so looking it up is worth a store read.
func isPartnerSourceName(name string) bool {
	_, ok := eventbus.PartnerName(name)
	return ok && len(name) <= 256
}
