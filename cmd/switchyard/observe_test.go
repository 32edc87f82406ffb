package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/delivery"
)

// scrape is one read of /metrics.
type scrape map[string]*dto.MetricFamily

func scrapeMetrics(t *testing.T, addr string) scrape {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value returns the value of the series of name whose labels include
// labels (a counter's or gauge's value, a histogram's sample count), and
// whether there is one.
func (s scrape) value(name string, labels ...string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func (s scrape) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	if got, ok := s.value(name, labels...); !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// TestMetricsPartnerFlow puts partner events (stored, dropped for a
// PENDING source, refused for a source not the partner's) routed to a
// target that takes them and one that refuses them for good, then reads
// /metrics: every counter moved by what happened, no more.
func TestMetricsPartnerFlow(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	good, bad := sqsARN(customerAcct, "good"), sqsARN(customerAcct, "bad")
	p := &probe{fail: func(h probeHit) error {
		if h.Target == bad {
			return delivery.Permanent(delivery.CodeInvalidParameter, "no such queue")
		}
		return nil
	}}
	m, _, table := routedServer(t, t.TempDir(), p, func(c *Config) {
		c.API.Throttle.PutEvents = api.RateLimit{PerSecond: 0.001, Burst: 1}
	})
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	pending := "aws.partner/acme.com/pending/1"
	for _, name := range []string{srcName, pending} {
		must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(customerAcct)}))
	}
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	putRule(t, customer, srcName, "all", `{"source":["`+srcName+`"]}`, types.RuleStateEnabled, target("good", good), target("bad", bad))
	putRule(t, customer, srcName, "none", `{"source":["elsewhere"]}`, types.RuleStateEnabled, target("good", good))
	waitRules(t, table, customerAcct, srcName, 2)

	entry := func(source string) types.PutPartnerEventsRequestEntry {
		return types.PutPartnerEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("Order"), Detail: aws.String(`{"n":1}`)}
	}
	out := must[*eventbridge.PutPartnerEventsOutput](t)(partner.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{
		entry(srcName), entry(srcName), entry(srcName), entry(pending), entry(pending), entry("aws.partner/other.com/x/y"),
	}}))
	if out.FailedEntryCount != 1 {
		t.Fatalf("PutPartnerEvents: %d failed, want 1: %+v", out.FailedEntryCount, out.Entries)
	}
	var stored []string
	for _, e := range out.Entries[:3] {
		stored = append(stored, aws.ToString(e.EventId))
	}
	p.waitDelivered(t, good, stored, 20*time.Second)
	waitDeadLetters(t, m, 3)
	waitIdle(t, m)
	// Throttled: the bucket holds one PutEvents.
	putEvent(t, customer, "default", "app", `{}`)
	_, err := customer.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{}`)}}})
	wantAPIError(t, err, "ThrottlingException", "Rate exceeded")
	rawCall(t, m.Addr(), customerAcct, "NoSuchOperation", `{}`)
	waitIdle(t, m)

	s := scrapeMetrics(t, m.Addr())
	s.want(t, 1, "switchyard_api_requests_total", "operation", "PutPartnerEvents", "outcome", "ok")
	s.want(t, 1, "switchyard_api_request_duration_seconds", "operation", "PutPartnerEvents")
	s.want(t, 1, "switchyard_api_requests_total", "operation", "PutEvents", "outcome", "ThrottlingException")
	s.want(t, 1, "switchyard_api_throttled_requests_total", "operation", "PutEvents")
	s.want(t, 1, "switchyard_api_requests_total", "operation", "unknown")
	s.want(t, 3, "switchyard_events_ingested_total", "account", customerAcct, "bus", srcName, "source", srcName)
	s.want(t, 2, "switchyard_events_dropped_total", "account", customerAcct, "bus", pending, "source", pending)
	s.want(t, 1, "switchyard_events_failed_total", "account", "", "bus", "", "source", "")
	s.want(t, 1, "switchyard_events_ingested_total", "account", customerAcct, "bus", "default", "source", "")
	s.want(t, 3, "switchyard_events_routed_total", "account", customerAcct, "bus", srcName)
	s.want(t, 3, "switchyard_rule_matches_total", "account", customerAcct, "bus", srcName)
	s.want(t, 0, "switchyard_rule_matches_total", "account", customerAcct, "bus", "default")
	s.want(t, 3, "switchyard_delivery_attempts_total", "kind", "probe", "result", delivery.AttemptDelivered)
	s.want(t, 3, "switchyard_delivery_attempts_total", "kind", "probe", "result", delivery.AttemptFailed)
	s.want(t, 6, "switchyard_delivery_duration_seconds", "kind", "probe")
	s.want(t, 3, "switchyard_dead_letters_total", "kind", "probe")
	s.want(t, 1, "switchyard_jetstream_up")
	s.want(t, 0, "switchyard_delivery_queue_messages")
	s.want(t, 0, "switchyard_event_log_messages")
	if used, ok := s.value("switchyard_jetstream_storage_used_bytes"); !ok || used <= 0 {
		t.Errorf("storage used %v (present %v), want > 0", used, ok)
	}
	if _, ok := s.value("switchyard_delivery_attempts_total", "result", delivery.AttemptRetrying); ok {
		t.Error("retries counted though no delivery was retried")
	}
}

// TestMetricsOff: with --metrics=false there is no /metrics; the path is
// then the API's, which answers a GET as an unknown operation.
func TestMetricsOff(t *testing.T) {
	parallel(t)
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.Metrics = false })
	if code, _ := get(t, m.Addr(), "/metrics"); code != http.StatusBadRequest {
		t.Fatalf("GET /metrics with --metrics=false: %d, want 400", code)
	}
	if code, body := get(t, m.Addr(), "/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz: %d %s", code, body)
	}
}

func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}
