package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// storedEvent is one record read back from the event log.
type storedEvent struct {
	Account, Bus string
	Event        eventbus.Event
}

// A logTap reads every record appended to a server's event log, through a
// durable consumer of its own (routing's consumers are not disturbed).
type logTap struct {
	t  *testing.T
	ch chan storedEvent
}

// tapLog starts reading m's event log from the events appended from now
// on; the reader stops when the test ends, before the server does.
func tapLog(t *testing.T, m *Main) *logTap {
	t.Helper()
	var id [6]byte
	_, _ = rand.Read(id[:])
	return tapLogAs(t, m, "ingest-test-"+hex.EncodeToString(id[:]))
}

// holdLog makes m's event log keep, from now on, every event until a tap
// named durable has read it (it creates that durable consumer), so that
// tapLogAs(durable) on a later server over the same data directory sees
// them all, routed or not.
func holdLog(t *testing.T, m *Main, durable string) {
	t.Helper()
	cfg := m.logConfig()
	cfg.Keep = []string{durable}
	l, err := m.conn.EventLog(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// tapLogAs is tapLog through the durable consumer named durable, which it
// deletes when the test ends.
func tapLogAs(t *testing.T, m *Main, durable string) *logTap {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := m.logConfig()                   // the server's stream settings, or opening would change them
	cfg.FetchWait = 100 * time.Millisecond // consumer-side only: notice the end quickly
	l, err := m.conn.EventLog(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tap := &logTap{t: t, ch: make(chan storedEvent, 4096)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := l.Consume(ctx, durable, func(_ context.Context, records []jetstream.Record) error {
			for _, r := range records {
				var e eventbus.Event
				if err := e.UnmarshalBinary(append([]byte(nil), r.Data...)); err != nil {
					t.Errorf("record does not decode: %v", err)
					continue
				}
				tap.ch <- storedEvent{Account: r.Account, Bus: r.Bus, Event: e}
			}
			return nil
		})
		if err != nil {
			t.Errorf("consume: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		closeCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		if err := l.Close(closeCtx); err != nil {
			t.Errorf("close tap: %v", err)
		}
		// With interest retention a durable holds every event it has not
		// acknowledged: a tap must not outlive its test.
		if err := m.conn.JetStream().DeleteConsumer(closeCtx, jetstream.DefaultLogStream, durable); err != nil {
			t.Errorf("delete tap consumer: %v", err)
		}
	})
	return tap
}

// until returns the records read up to and including the event with id
// marker. Appends are sequential per test, so every event stored before the
// marker's request is among them.
func (tap *logTap) until(marker string) []storedEvent {
	tap.t.Helper()
	var got []storedEvent
	timeout := time.After(testWait)
	for {
		select {
		case e := <-tap.ch:
			got = append(got, e)
			if e.Event.ID == marker {
				return got
			}
		case <-timeout:
			tap.t.Fatalf("event %s not in the log after %v; read %d records", marker, testWait, len(got))
		}
	}
}

// BenchmarkIngest measures durable ingest through the real JetStream event
// log (embedded server, file storage, fsync on every write): 8 concurrent
// callers, each request carrying ~1 KB entries, 20 per PutPartnerEvents
// request and 10 per PutEvents request. "service" calls the API service
// directly (validation, envelopes, group-committed append); "sdk" goes
// through HTTP with the Go SDK, signing included. b.N counts requests; the
// events/s metric is what matters.
func BenchmarkIngest(b *testing.B) {
	const callers = 8
	ctx := context.Background()
	m := startBenchMain(b, "--put-events-rate", "0", "--put-partner-events-rate", "0")
	partnerCtx, customerCtx := benchPartnerBus(b, m)
	detail := aws.String(benchDetail(1024))
	partnerEntries := make([]apimodel.PutPartnerEventsRequestEntry, 20)
	for i := range partnerEntries {
		partnerEntries[i] = apimodel.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: detail,
			Resources: []string{"arn:aws:dynamodb:us-east-1:222222222222:table/orders"}}
	}
	customerEntries := make([]apimodel.PutEventsRequestEntry, 10)
	sdkEntries := make([]types.PutEventsRequestEntry, 10)
	for i := range customerEntries {
		customerEntries[i] = apimodel.PutEventsRequestEntry{Source: aws.String("com.example.orders"), DetailType: aws.String("Order Created"), Detail: detail}
		sdkEntries[i] = types.PutEventsRequestEntry{Source: aws.String("com.example.orders"), DetailType: aws.String("Order Created"), Detail: detail}
	}
	client := clientFor(m, customerAcct)

	b.Run("service/PutPartnerEvents/8x20", func(b *testing.B) {
		runCallers(b, callers, len(partnerEntries), func() error {
			out, err := m.service.PutPartnerEvents(partnerCtx, &apimodel.PutPartnerEventsRequest{Entries: partnerEntries})
			if err == nil && *out.FailedEntryCount != 0 {
				err = fmt.Errorf("failed entries: %+v", out.Entries)
			}
			return err
		})
	})
	b.Run("service/PutEvents/8x10", func(b *testing.B) {
		runCallers(b, callers, len(customerEntries), func() error {
			out, err := m.service.PutEvents(customerCtx, &apimodel.PutEventsRequest{Entries: customerEntries})
			if err == nil && *out.FailedEntryCount != 0 {
				err = fmt.Errorf("failed entries: %+v", out.Entries)
			}
			return err
		})
	})
	b.Run("sdk/PutEvents/8x10", func(b *testing.B) {
		runCallers(b, callers, len(sdkEntries), func() error {
			out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: sdkEntries})
			if err == nil && out.FailedEntryCount != 0 {
				err = fmt.Errorf("failed entries: %+v", out.Entries)
			}
			return err
		})
	})
}

// BenchmarkIngestConsole is BenchmarkIngest's service/PutPartnerEvents
// with the console's partner counters off and on (--console), in one run,
// each on its own server: what counting costs the durable ingest path.
func BenchmarkIngestConsole(b *testing.B) {
	for _, on := range []string{"false", "true"} {
		b.Run("console="+on, func(b *testing.B) {
			m := startBenchMain(b, "--put-partner-events-rate", "0", "--console="+on)
			partnerCtx, _ := benchPartnerBus(b, m)
			detail := aws.String(benchDetail(1024))
			entries := make([]apimodel.PutPartnerEventsRequestEntry, 20)
			for i := range entries {
				entries[i] = apimodel.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("Order Created"), Detail: detail}
			}
			runCallers(b, 8, len(entries), func() error {
				out, err := m.service.PutPartnerEvents(partnerCtx, &apimodel.PutPartnerEventsRequest{Entries: entries})
				if err == nil && *out.FailedEntryCount != 0 {
					err = fmt.Errorf("failed entries: %+v", out.Entries)
				}
				return err
			})
		})
	}
}

// runCallers runs b.N calls of call from callers goroutines and reports
// events per second (eventsPerCall events each).
func runCallers(b *testing.B, callers, eventsPerCall int, call func() error) {
	b.ReportAllocs()
	var next atomic.Int64
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N*eventsPerCall)/elapsed.Seconds(), "events/s")
}

// benchDetail returns an order-like detail object of about n bytes.
func benchDetail(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"orderId":"o-12345","customer":{"id":"c-987","name":"Zoë Müller","tier":"gold"},"items":[`)
	for i := 0; sb.Len() < n-40; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"sku":"SKU-777777","qty":3,"price":19.99}`)
	}
	sb.WriteString(`],"paid":true,"note":null}`)
	return sb.String()
}

// startBenchMain runs the real program for a benchmark on 127.0.0.1:0 over a
// temporary data directory, with the extra flags given, until b ends.
func startBenchMain(b *testing.B, flags ...string) *Main {
	b.Helper()
	m := NewMain()
	args := append([]string{"--listen", "127.0.0.1:0", "--data-dir", b.TempDir()}, flags...)
	if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
		b.Fatal(err)
	}
	m.Log = slog.New(slog.DiscardHandler)
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := m.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return m
}

// benchPartnerBus creates the partner source srcName for customerAcct and
// its partner bus through m's service, and returns the partner's and the
// customer's contexts.
func benchPartnerBus(b *testing.B, m *Main) (partner, customer context.Context) {
	b.Helper()
	ctx := context.Background()
	partner = eventbus.WithCaller(ctx, eventbus.Caller{Account: partnerAcct, AnyPartner: true})
	customer = eventbus.WithCaller(ctx, eventbus.Caller{Account: customerAcct, AnyPartner: true})
	if _, err := m.service.CreatePartnerEventSource(partner, &apimodel.CreatePartnerEventSourceRequest{Name: aws.String(srcName), Account: aws.String(customerAcct)}); err != nil {
		b.Fatal(err)
	}
	if _, err := m.service.CreateEventBus(customer, &apimodel.CreateEventBusRequest{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}); err != nil {
		b.Fatal(err)
	}
	return partner, customer
}
