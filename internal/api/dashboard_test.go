package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/console"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
	"github.com/switchyard/switchyard/internal/secrets"
)

// partnerRecorder is an eventbus.PartnerObserver that keeps what it is told
// as "account source stored/dropped/failed code" lines.
type partnerRecorder struct {
	mu    sync.Mutex
	lines []string // guarded by mu
}

func (r *partnerRecorder) PartnerIngested(account string, c eventbus.PartnerCount) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf("%s %q %d/%d/%d %s", account, c.Source, c.Stored, c.Dropped, c.Failed, c.Code))
}

func (r *partnerRecorder) Throttled(account string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, account+" throttled")
}

// take returns the lines since the last call, sorted.
func (r *partnerRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.lines
	r.lines = nil
	sort.Strings(out)
	return out
}

// TestPartnerObserver: what the partner dashboard counts of each
// PutPartnerEvents request, per source the caller owns; failures naming no
// source of the caller's count under "".
func TestPartnerObserver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &partnerRecorder{}
	m := startServer(t, func(c *api.Config) {
		c.Partner = rec
		c.Throttle.PutPartnerEvents = api.RateLimit{PerSecond: 0.001, Burst: 3}
	})
	partner, customer, other := clientFor(m, partnerAcct), clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	otherSrc := "aws.partner/other.com/ns/e"
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(other.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(otherSrc), Account: aws.String(customerAcct)}))
	entry := func(source, detail string) types.PutPartnerEventsRequestEntry {
		return types.PutPartnerEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("t"), Detail: aws.String(detail)}
	}
	put := func(entries ...types.PutPartnerEventsRequestEntry) error {
		_, err := partner.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: entries},
			func(o *eventbridge.Options) { o.RetryMaxAttempts = 1 }) // one request, one count
		return err
	}
	steps := []struct {
		name    string
		setup   func()
		entries []types.PutPartnerEventsRequestEntry
		err     bool
		want    []string
	}{
		{name: "PENDING: dropped", entries: []types.PutPartnerEventsRequestEntry{entry(srcName, `{}`), entry(srcName, `{}`)},
			want: []string{partnerAcct + ` "` + srcName + `" 0/2/0 `}},
		{
			name: "ACTIVE: stored; failures under the source when owned",
			setup: func() {
				must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
			},
			entries: []types.PutPartnerEventsRequestEntry{entry(srcName, `{}`), entry(srcName, `[]`), entry(otherSrc, `{}`),
				{DetailType: aws.String("t"), Detail: aws.String(`{}`)}},
			want: []string{
				partnerAcct + ` "" 0/0/1 InvalidArgument`,
				partnerAcct + ` "" 0/0/1 NotAuthorizedForSourceException`,
				partnerAcct + ` "` + srcName + `" 0/0/1 MalformedDetail`,
				partnerAcct + ` "` + srcName + `" 1/0/0 `,
			},
		},
		{
			name: "append failure: InternalFailure", err: true,
			setup:   func() { m.events.fail(errors.New("log closed")) },
			entries: []types.PutPartnerEventsRequestEntry{entry(srcName, `{}`)},
			want:    []string{partnerAcct + ` "` + srcName + `" 0/0/1 InternalFailure`},
		},
		{name: "throttled", err: true, entries: []types.PutPartnerEventsRequestEntry{entry(srcName, `{}`)},
			want: []string{partnerAcct + " throttled"}},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		err := put(s.entries...)
		if (err != nil) != s.err {
			t.Fatalf("%s: err %v", s.name, err)
		}
		if got := rec.take(); strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Errorf("%s: told\n%s\nwant\n%s", s.name, strings.Join(got, "\n"), strings.Join(s.want, "\n"))
		}
	}
}

// TestPartnerSourceViews: a partner sees its own sources with the state the
// customer sees, and no other partner's.
func TestPartnerSourceViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer, other := clientFor(m, partnerAcct), clientFor(m, customerAcct), clientFor(m, otherAcct)
	second := "aws.partner/acme.com/ns/second"
	for _, name := range []string{srcName, second} {
		must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(customerAcct)}))
	}
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(other.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String("aws.partner/other.com/ns/e"), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	views, err := m.service.PartnerSourceViews(ctx, partnerAcct)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range views {
		got = append(got, fmt.Sprintf("%s %s %s bus=%t expires=%t", v.Name, v.Account, v.State, !v.BusCreatedAt.IsZero(), !v.Expires.IsZero()))
	}
	want := []string{
		second + " " + customerAcct + " PENDING bus=false expires=true",
		srcName + " " + customerAcct + " ACTIVE bus=true expires=false",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("views:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if views, err := m.service.PartnerSourceViews(ctx, customerAcct); err != nil || len(views) != 0 {
		t.Errorf("the customer's own views: %v, %v", views, err)
	}

	// Deactivated, then deleted by the partner while the bus exists: the
	// view keeps it, DELETED, with both times.
	must[*eventbridge.DeactivateEventSourceOutput](t)(customer.DeactivateEventSource(ctx, &eventbridge.DeactivateEventSourceInput{Name: aws.String(srcName)}))
	must[*eventbridge.DeletePartnerEventSourceOutput](t)(partner.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	views, err = m.service.PartnerSourceViews(ctx, partnerAcct)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Name != srcName {
			continue
		}
		if v.State != "DELETED" || v.DeletedAt.IsZero() || !v.PendingSince.After(v.CreatedAt) {
			t.Errorf("deleted source's view %+v", v)
		}
	}
}

// BenchmarkPutPartnerEventsCounters measures PutPartnerEvents through the
// service over memory stores (no disk: the CPU cost of ingest alone) with
// no PartnerObserver and with the console's counters, in one run: 20
// entries of about 1 KB per request, to one ACTIVE source.
func BenchmarkPutPartnerEventsCounters(b *testing.B) {
	for _, tt := range []struct {
		name     string
		observer eventbus.PartnerObserver
	}{{"none", nil}, {"console", console.NewCounters(nil, 0)}} {
		b.Run(tt.name, func(b *testing.B) {
			ctx := context.Background()
			cfg := api.DefaultConfig()
			cfg.Partner = tt.observer
			cfg.Throttle.PutPartnerEvents = api.RateLimit{}
			records, err := eventbus.OpenStores(memstore.Open)
			if err != nil {
				b.Fatal(err)
			}
			sealer, err := secrets.New(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				b.Fatal(err)
			}
			svc, err := api.New(cfg, api.Stores{Stores: records, Events: discardLog{}, Secrets: sealer,
				ArchiveLog: memstore.NewArchives(), Replayer: &replayStarts{}})
			if err != nil {
				b.Fatal(err)
			}
			partnerCtx := eventbus.WithCaller(ctx, eventbus.Caller{Account: partnerAcct, AnyPartner: true})
			customerCtx := eventbus.WithCaller(ctx, eventbus.Caller{Account: customerAcct})
			if _, err := svc.CreatePartnerEventSource(partnerCtx, &apimodel.CreatePartnerEventSourceRequest{Name: aws.String(srcName), Account: aws.String(customerAcct)}); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.CreateEventBus(customerCtx, &apimodel.CreateEventBusRequest{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}); err != nil {
				b.Fatal(err)
			}
			detail := aws.String(`{"orderId":"o-12345","items":[` + strings.Repeat(`{"sku":"SKU-777777","qty":3,"price":19.99},`, 24) + `{"sku":"x"}]}`)
			entries := make([]apimodel.PutPartnerEventsRequestEntry, 20)
			for i := range entries {
				entries[i] = apimodel.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: detail}
			}
			in := &apimodel.PutPartnerEventsRequest{Entries: entries}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if out, err := svc.PutPartnerEvents(partnerCtx, in); err != nil || *out.FailedEntryCount != 0 {
					b.Fatal(err, out)
				}
			}
		})
	}
}

// discardLog is an eventbus.EventLog that keeps nothing.
type discardLog struct{}

func (discardLog) Append(context.Context, []eventbus.BusEvent) error { return nil }
