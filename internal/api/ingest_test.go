package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// ids returns the event ids of stored events.
func ids(events []storedEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Event.ID)
	}
	return out
}

// marker puts one event on account's default bus and returns its id.
func marker(t *testing.T, c *eventbridge.Client) string {
	t.Helper()
	out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("test.marker"), DetailType: aws.String("Marker"), Detail: aws.String(`{}`)},
	}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("marker failed: %+v", out.Entries[0])
	}
	return aws.ToString(out.Entries[0].EventId)
}

// wantResults checks each entry result: an EventId (UUID v4) where the code
// is "", else exactly the code and message.
func wantResults[R any](t *testing.T, got []R, want [][2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i, r := range got {
		raw, _ := json.Marshal(r)
		var res struct{ EventId, ErrorCode, ErrorMessage *string }
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		code, msg := want[i][0], want[i][1]
		if code == "" {
			u, err := uuid.Parse(aws.ToString(res.EventId))
			if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || res.ErrorCode != nil || res.ErrorMessage != nil {
				t.Errorf("entry %d: want an EventId (UUID v4), got %s", i, raw)
			}
			continue
		}
		if res.EventId != nil || aws.ToString(res.ErrorCode) != code || aws.ToString(res.ErrorMessage) != msg {
			t.Errorf("entry %d:\n got  %s\n want {%s %q}", i, raw, code, msg)
		}
	}
}

func eventID[R any](t *testing.T, r R) string {
	t.Helper()
	raw, _ := json.Marshal(r)
	var res struct{ EventId *string }
	if err := json.Unmarshal(raw, &res); err != nil || res.EventId == nil {
		t.Fatalf("no EventId in %s", raw)
	}
	return *res.EventId
}

const (
	msgNoSource     = "Parameter Source is not valid. Reason: Source is a required argument."
	msgNoDetailType = "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	msgNoDetail     = "Parameter Detail is not valid. Reason: Detail is a required argument."
	msgMalformed    = "Detail is malformed."
	msgNotAuthSrc   = "Not authorized for the source."
)

// TestPutEventsStoresEnvelopes puts events on the default bus, a custom bus
// by name and by ARN, and reads them back from the log byte for byte.
func TestPutEventsStoresEnvelopes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	customer := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	ordersARN := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders"
	given := time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC)

	before := time.Now().UTC().Truncate(time.Second)
	out := must[*eventbridge.PutEventsOutput](t)(customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("com.example"), DetailType: aws.String("Created"), Detail: aws.String("{ \"a\" : [1, 2],\n \"b\": \"x y\" }")},
		{Source: aws.String("com.example"), DetailType: aws.String("Named \"bus\""), Detail: aws.String(`{"n":1}`), EventBusName: aws.String("orders"),
			Time: aws.Time(given.Add(999 * time.Millisecond)), Resources: []string{"arn:aws:s3:::b/k", "r2"}, TraceHeader: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		{Source: aws.String("com.example"), DetailType: aws.String("Arn"), Detail: aws.String(`{}`), EventBusName: aws.String(ordersARN), Time: aws.Time(given)},
	}}))
	after := time.Now().UTC()
	if out.FailedEntryCount != 0 {
		t.Fatalf("FailedEntryCount %d: %+v", out.FailedEntryCount, out.Entries)
	}
	wantResults(t, out.Entries, [][2]string{{}, {}, {}})
	id0, id1, id2 := eventID(t, out.Entries[0]), eventID(t, out.Entries[1]), eventID(t, out.Entries[2])

	stored := m.events.until(t, id2)
	if got := ids(stored); strings.Join(got, ",") != strings.Join([]string{id0, id1, id2}, ",") {
		t.Fatalf("stored %v, want %v", got, []string{id0, id1, id2})
	}
	wantBus := []string{"default", "orders", "orders"}
	for i, e := range stored {
		if e.Account != customerAcct || e.Bus != wantBus[i] || e.Event.Hops != 0 {
			t.Errorf("event %d stored on %s/%s hops %d", i, e.Account, e.Bus, e.Event.Hops)
		}
		if e.Event.IngestedAt.Before(before) || e.Event.IngestedAt.After(after) {
			t.Errorf("event %d IngestedAt %v not within the call", i, e.Event.IngestedAt)
		}
	}
	var fields struct{ Time string }
	if err := json.Unmarshal(stored[0].Event.Envelope, &fields); err != nil {
		t.Fatal(err)
	}
	tm, err := time.Parse(time.RFC3339, fields.Time)
	if err != nil || tm.Before(before) || tm.After(after) || !strings.HasSuffix(fields.Time, "Z") {
		t.Errorf("default time %q not the time of the call (%v..%v)", fields.Time, before, after)
	}
	want0 := `{"version":"0","id":"` + id0 + `","detail-type":"Created","source":"com.example","account":"` + customerAcct +
		`","time":"` + fields.Time + `","region":"us-east-1","resources":[],"detail":{"a":[1,2],"b":"x y"}}`
	want1 := `{"version":"0","id":"` + id1 + `","detail-type":"Named \"bus\"","source":"com.example","account":"` + customerAcct +
		`","time":"2026-11-22T13:56:00Z","region":"us-east-1","resources":["arn:aws:s3:::b/k","r2"],"detail":{"n":1}}`
	want2 := `{"version":"0","id":"` + id2 + `","detail-type":"Arn","source":"com.example","account":"` + customerAcct +
		`","time":"2026-11-22T13:56:00Z","region":"us-east-1","resources":[],"detail":{}}`
	for i, want := range []string{want0, want1, want2} {
		if got := string(stored[i].Event.Envelope); got != want {
			t.Errorf("envelope %d:\n got  %s\n want %s", i, got, want)
		}
	}
}

// TestPutEventsEntryErrors sends one request with every per-entry failure
// and checks the results in request order, and that only accepted events on
// existing buses were stored.
func TestPutEventsEntryErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	customer := clientFor(m, customerAcct)
	s, dt, d := aws.String("com.example"), aws.String("T"), aws.String(`{"k":"v"}`)
	out := must[*eventbridge.PutEventsOutput](t)(customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: s, DetailType: dt, Detail: d},
		{DetailType: dt, Detail: d},
		{Source: s, Detail: d},
		{Source: s, DetailType: dt},
		{Source: s, DetailType: dt, Detail: aws.String(`"{\"k\":\"v\"}"`)},
		{Source: s, DetailType: dt, Detail: aws.String(`[{"k":"v"}]`)},
		{Source: aws.String("aws.s3"), DetailType: dt, Detail: d},
		{Source: s, DetailType: dt, Detail: aws.String(`{k:v}`)},
		{Source: s, DetailType: dt, Detail: d, EventBusName: aws.String("no-such-bus")},
		{Source: s, DetailType: dt, Detail: d},
	}}))
	wantResults(t, out.Entries, [][2]string{
		{}, {"InvalidArgument", msgNoSource}, {"InvalidArgument", msgNoDetailType}, {"InvalidArgument", msgNoDetail},
		{"MalformedDetail", msgMalformed}, {"MalformedDetail", msgMalformed}, {"NotAuthorizedForSourceException", msgNotAuthSrc},
		{"MalformedDetail", msgMalformed}, {}, {},
	})
	if out.FailedEntryCount != 7 {
		t.Errorf("FailedEntryCount %d, want 7", out.FailedEntryCount)
	}
	first, dropped, last := eventID(t, out.Entries[0]), eventID(t, out.Entries[8]), eventID(t, out.Entries[9])
	if got := ids(m.events.until(t, last)); strings.Join(got, ",") != first+","+last {
		t.Errorf("stored %v, want %s and %s (not %s, sent to a bus that does not exist)", got, first, last, dropped)
	}

	// No complete entry at all: still HTTP 200 with per-entry errors, as AWS answers.
	out = must[*eventbridge.PutEventsOutput](t)(customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{DetailType: dt, Detail: d}, {},
	}}))
	wantResults(t, out.Entries, [][2]string{{"InvalidArgument", msgNoSource}, {"InvalidArgument", msgNoSource}})
	if out.FailedEntryCount != 2 {
		t.Errorf("FailedEntryCount %d, want 2", out.FailedEntryCount)
	}
}

// TestPutEventsRequestErrors covers the errors that refuse a whole request.
func TestPutEventsRequestErrors(t *testing.T) {
	t.Parallel()
	m := startServer(t, nil)
	addr := m.Addr()
	cases := []struct{ name, body, typ, msg string }{
		{"no entries", `{"Entries":[]}`, "ValidationException", ""},
		{"eleven entries", `{"Entries":[` + strings.TrimSuffix(strings.Repeat(`{"Source":"s","DetailType":"t","Detail":"{}"},`, 11), ",") + `]}`, "ValidationException", ""},
		{"partner bus name", `{"Entries":[{"Source":"s","DetailType":"t","Detail":"{}","EventBusName":"aws.partner/acme.com/x/y"}]}`, "ValidationException", ""},
		{"bus of another region", `{"Entries":[{"Source":"s","DetailType":"t","Detail":"{}","EventBusName":"arn:aws:events:eu-west-1:` + customerAcct + `:event-bus/default"}]}`,
			"ValidationException", "Cross-region API call is not allowed."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, typ, msg := rawCall(t, addr, customerAcct, "PutEvents", c.body)
			if status != 400 || typ != c.typ || (c.msg != "" && msg != c.msg) {
				t.Errorf("got %d %s %q, want 400 %s %q", status, typ, msg, c.typ, c.msg)
			}
		})
	}
}

// TestPutEventsSizeLimit: entry sizes follow AWS's formula and the total may
// reach the limit but not exceed it.
func TestPutEventsSizeLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	// Source "s" + DetailType "t" + Detail = the default limit (1 MB) exactly.
	detail := `{"p":"` + strings.Repeat("x", eventbus.DefaultMaxEntriesSize-2-len(`{"p":""}`)) + `"}`
	entry := types.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(detail)}
	out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry}}))
	wantResults(t, out.Entries, [][2]string{{}})

	withTime := entry
	withTime.Time = aws.Time(time.Now())
	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{withTime}})
	wantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")

	withResource := entry
	withResource.Resources = []string{"r"}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{withResource}})
	wantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")

	// Invalid entries count too: the limit is on the request.
	small := types.PutEventsRequestEntry{Detail: aws.String(detail[:len(detail)/2+2])}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{small, small}})
	wantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")

	// The limit is configurable.
	m2 := startServer(t, func(c *api.Config) { c.MaxEntriesSize = 10 })
	c2 := clientFor(m2, customerAcct)
	out = must[*eventbridge.PutEventsOutput](t)(c2.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"ab":1}`)}}}))
	wantResults(t, out.Entries, [][2]string{{}}) // 10 bytes: at the limit
	_, err = c2.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"abc":1}`)}}})
	wantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")
	_, err = c2.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{{Source: aws.String(srcName), DetailType: aws.String("t"), Detail: aws.String(`{}`)}}})
	wantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")
}

// TestPutEventsCrossAccount: another account's bus takes events only when
// its resource policy allows the caller's account.
func TestPutEventsCrossAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	customer, sender := clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	ordersARN := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders"
	missingARN := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/missing"
	denied := func(arn string) [2]string {
		return [2]string{"AccessDeniedException", "User: arn:aws:iam::" + otherAcct + ":root is not authorized to perform: events:PutEvents on resource: " +
			arn + " because no resource-based policy allows the events:PutEvents action"}
	}
	put := func() *eventbridge.PutEventsOutput {
		entry := func(bus string) types.PutEventsRequestEntry {
			return types.PutEventsRequestEntry{Source: aws.String("com.sender"), DetailType: aws.String("X"), Detail: aws.String(`{}`), EventBusName: aws.String(bus)}
		}
		return must[*eventbridge.PutEventsOutput](t)(sender.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(ordersARN), entry(missingARN)}}))
	}
	out := put()
	wantResults(t, out.Entries, [][2]string{denied(ordersARN), denied(missingARN)})

	setPolicy(t, m, customerAcct, "orders", `{"Version":"2012-10-17","Statement":[{"Sid":"sender","Effect":"Allow",`+
		`"Principal":{"AWS":"arn:aws:iam::`+otherAcct+`:root"},"Action":"events:PutEvents","Resource":"`+ordersARN+`"}]}`)
	out = put()
	wantResults(t, out.Entries, [][2]string{{}, denied(missingARN)})
	id := eventID(t, out.Entries[0])
	stored := m.events.until(t, id)
	e := stored[len(stored)-1]
	if len(stored) != 1 || e.Account != customerAcct || e.Bus != "orders" {
		t.Fatalf("stored %+v, want one event on %s/orders", stored, customerAcct)
	}
	var env struct{ Account string }
	if err := json.Unmarshal(e.Event.Envelope, &env); err != nil || env.Account != otherAcct {
		t.Errorf("envelope account %q, want the sender %s", env.Account, otherAcct)
	}
}

// setPolicy writes a bus's resource policy straight into the store, so this
// test does not depend on PutPermission.
func setPolicy(t *testing.T, m *server, account, bus, policy string) {
	t.Helper()
	ctx := context.Background()
	change := func(b *eventbus.Bus) error {
		b.Policy = policy
		return nil
	}
	if _, err := m.stores.Buses.Update(ctx, 0, change, account, bus); err != nil {
		t.Fatal(err)
	}
}

// TestPutPartnerEvents follows a source through its states: events are
// stored on the customer's partner bus only while it is ACTIVE, and are
// accepted and dropped while it is PENDING or DELETED; only the owning
// partner may write to it.
func TestPutPartnerEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer, other := clientFor(m, partnerAcct), clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	otherSrc := "aws.partner/other.com/ns/e"
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(other.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(otherSrc), Account: aws.String(customerAcct)}))

	entry := func(source string) types.PutPartnerEventsRequestEntry {
		return types.PutPartnerEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("Order Created"), Detail: aws.String(`{"id":1}`)}
	}
	put := func(c *eventbridge.Client, entries ...types.PutPartnerEventsRequestEntry) *eventbridge.PutPartnerEventsOutput {
		t.Helper()
		return must[*eventbridge.PutPartnerEventsOutput](t)(c.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: entries}))
	}
	var dropped []string

	// PENDING: accepted, dropped.
	out := put(partner, entry(srcName))
	wantResults(t, out.Entries, [][2]string{{}})
	dropped = append(dropped, eventID(t, out.Entries[0]))

	// ACTIVE: stored on the customer's partner bus, with the customer's account.
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	before := time.Now().UTC().Truncate(time.Second)
	out = put(partner, entry(srcName),
		types.PutPartnerEventsRequestEntry{DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		types.PutPartnerEventsRequestEntry{Source: aws.String(srcName), Detail: aws.String(`{}`)},
		types.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("t")},
		types.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("t"), Detail: aws.String(`[]`)},
		entry(otherSrc),                      // another partner's source
		entry("aws.partner/acme.com/none/x"), // no such source
	)
	wantResults(t, out.Entries, [][2]string{{}, {"InvalidArgument", msgNoSource}, {"InvalidArgument", msgNoDetailType},
		{"InvalidArgument", msgNoDetail}, {"MalformedDetail", msgMalformed}, {"NotAuthorizedForSourceException", msgNotAuthSrc},
		{"NotAuthorizedForSourceException", msgNotAuthSrc}})
	if out.FailedEntryCount != 6 {
		t.Errorf("FailedEntryCount %d, want 6", out.FailedEntryCount)
	}
	active := eventID(t, out.Entries[0])

	// Another account cannot write to the source.
	out = put(other, entry(srcName))
	wantResults(t, out.Entries, [][2]string{{"NotAuthorizedForSourceException", msgNotAuthSrc}})

	// Deactivated: PENDING again, dropped; reactivated: stored.
	must[*eventbridge.DeactivateEventSourceOutput](t)(customer.DeactivateEventSource(ctx, &eventbridge.DeactivateEventSourceInput{Name: aws.String(srcName)}))
	dropped = append(dropped, eventID(t, put(partner, entry(srcName)).Entries[0]))
	must[*eventbridge.ActivateEventSourceOutput](t)(customer.ActivateEventSource(ctx, &eventbridge.ActivateEventSourceInput{Name: aws.String(srcName)}))
	reactivated := eventID(t, put(partner, entry(srcName)).Entries[0])

	// Deleted by the partner (the customer's bus keeps it visible as DELETED): dropped.
	must[*eventbridge.DeletePartnerEventSourceOutput](t)(partner.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStateDeleted {
		t.Fatalf("state %s, want DELETED", d.State)
	}
	dropped = append(dropped, eventID(t, put(partner, entry(srcName)).Entries[0]))

	last := marker(t, customer)
	stored := m.events.until(t, last)
	if got, want := ids(stored), []string{active, reactivated, last}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("stored %v, want %v (dropped: %v)", got, want, dropped)
	}
	e := stored[0]
	if e.Account != customerAcct || e.Bus != srcName {
		t.Errorf("stored on %s/%s, want %s/%s", e.Account, e.Bus, customerAcct, srcName)
	}
	var env struct{ Account, Source, Time, Region string }
	if err := json.Unmarshal(e.Event.Envelope, &env); err != nil {
		t.Fatal(err)
	}
	tm, _ := time.Parse(time.RFC3339, env.Time)
	if env.Account != customerAcct || env.Source != srcName || env.Region != "us-east-1" || tm.Before(before) || tm.After(time.Now()) {
		t.Errorf("envelope %s", e.Event.Envelope)
	}
}

func TestPutPartnerEventsDisabled(t *testing.T) {
	t.Parallel()
	m := startServer(t, func(c *api.Config) { c.PartnerOperations = false })
	_, err := clientFor(m, partnerAcct).PutPartnerEvents(context.Background(), &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{
		{Source: aws.String(srcName), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
	}})
	wantAPIError(t, err, "OperationDisabledException", "")
}

// TestIngestThrottling: each account has its own bucket per operation, and
// a request over the rate is refused whole.
func TestIngestThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) {
		c.Throttle.PutEvents = api.RateLimit{PerSecond: 0.001, Burst: 2}
		c.Throttle.PutPartnerEvents = api.RateLimit{PerSecond: 0.001, Burst: 1}
	})
	entries := []types.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`)}}
	customer, other := clientFor(m, customerAcct), clientFor(m, otherAcct)
	for i := 0; i < 2; i++ {
		must[*eventbridge.PutEventsOutput](t)(customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries}))
	}
	_, err := customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	wantAPIError(t, err, "ThrottlingException", "Rate exceeded")
	must[*eventbridge.PutEventsOutput](t)(other.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries}))

	pentries := []types.PutPartnerEventsRequestEntry{{Source: aws.String(srcName), DetailType: aws.String("t"), Detail: aws.String(`{}`)}}
	must[*eventbridge.PutPartnerEventsOutput](t)(customer.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: pentries}))
	_, err = customer.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: pentries})
	wantAPIError(t, err, "ThrottlingException", "Rate exceeded")
}

// TestIngestAppendFailure: when the log cannot store the events the request
// fails with InternalException and no EventId is given; requests that store
// nothing still succeed.
func TestIngestAppendFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	m.events.fail(errors.New("the event log is closed"))
	c := clientFor(m, customerAcct)
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
	}})
	wantAPIError(t, err, "InternalException", "")
	if out != nil {
		t.Errorf("got a response with a failed append: %+v", out)
	}
	out = must[*eventbridge.PutEventsOutput](t)(c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t")},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("no-such-bus")},
	}}))
	wantResults(t, out.Entries, [][2]string{{"InvalidArgument", msgNoDetail}, {}})
}
