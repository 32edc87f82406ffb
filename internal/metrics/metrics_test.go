package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/router"
)

// A Metrics is every observer the domain packages take.
var (
	_ awsjson.RequestObserver = (*Metrics)(nil)
	_ eventbus.IngestObserver = (*Metrics)(nil)
	_ router.Observer         = (*Metrics)(nil)
	_ delivery.Observer       = (*Metrics)(nil)
)

func newTest(t *testing.T, cfg Config) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := New(reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

// TestRequestLabels: operations outside the model are "unknown", success
// is "ok", throttling is counted twice (as an outcome and on its own).
func TestRequestLabels(t *testing.T) {
	m, _ := newTest(t, Config{Operations: []string{"PutEvents"}})
	m.Request("PutEvents", "", time.Millisecond)
	m.Request("PutEvents", throttlingCode, time.Millisecond)
	m.Request("Evil\x00Op", "UnknownOperationException", time.Millisecond)
	for _, c := range []struct {
		got  float64
		want float64
		what string
	}{
		{testutil.ToFloat64(m.requests.WithLabelValues("PutEvents", "ok")), 1, "ok"},
		{testutil.ToFloat64(m.requests.WithLabelValues("PutEvents", throttlingCode)), 1, "throttled outcome"},
		{testutil.ToFloat64(m.throttled.WithLabelValues("PutEvents")), 1, "throttled"},
		{testutil.ToFloat64(m.requests.WithLabelValues(UnknownOperation, "UnknownOperationException")), 1, "unknown"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.requests); n != 3 {
		t.Errorf("%d request series, want 3", n)
	}
}

// TestSeriesBound: past MaxSeries label sets, new buses share the
// overflow series; existing ones keep theirs.
func TestSeriesBound(t *testing.T) {
	m, reg := newTest(t, Config{MaxSeries: 2})
	for _, bus := range []string{"a", "b", "c", "d", "a"} {
		m.Ingested("PutEvents", eventbus.IngestCount{Account: "1", Bus: bus, Stored: 2, Dropped: 1})
	}
	want := `
# HELP switchyard_events_ingested_total Events appended to the event log, by account, bus and partner event source.
# TYPE switchyard_events_ingested_total counter
switchyard_events_ingested_total{account="1",bus="a",source=""} 4
switchyard_events_ingested_total{account="1",bus="b",source=""} 2
switchyard_events_ingested_total{account="_other",bus="_other",source="_other"} 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "switchyard_events_ingested_total"); err != nil {
		t.Error(err)
	}
}

// TestStats: the gauges come from the StatsFunc at each scrape, ages from
// the clock; a failing read exports only switchyard_jetstream_up 0.
func TestStats(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	var fail bool
	read := func(context.Context) (Stats, error) {
		if fail {
			return Stats{}, errors.New("down")
		}
		return Stats{Queue: StreamStats{Msgs: 3, Oldest: now.Add(-4 * time.Second)}, StorageUsed: 100, StorageLimit: -1, DiskFree: 50}, nil
	}
	_, reg := newTest(t, Config{Stats: read, Now: func() time.Time { return now }})
	want := `
# HELP switchyard_delivery_queue_oldest_age_seconds Age of the oldest queued delivery batch (0 when none).
# TYPE switchyard_delivery_queue_oldest_age_seconds gauge
switchyard_delivery_queue_oldest_age_seconds 4
# HELP switchyard_event_log_oldest_age_seconds Age of the oldest event log message not yet routed (0 when none).
# TYPE switchyard_event_log_oldest_age_seconds gauge
switchyard_event_log_oldest_age_seconds 0
# HELP switchyard_jetstream_disk_free_bytes Free bytes on the embedded server's filesystem (absent with --nats-url).
# TYPE switchyard_jetstream_disk_free_bytes gauge
switchyard_jetstream_disk_free_bytes 50
# HELP switchyard_jetstream_up 1 when JetStream answered this scrape's requests, else 0 (and the other JetStream gauges are absent).
# TYPE switchyard_jetstream_up gauge
switchyard_jetstream_up 1
`
	names := []string{"switchyard_delivery_queue_oldest_age_seconds", "switchyard_event_log_oldest_age_seconds",
		"switchyard_jetstream_disk_free_bytes", "switchyard_jetstream_up", "switchyard_jetstream_storage_limit_bytes"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	fail = true
	down := `
# HELP switchyard_jetstream_up 1 when JetStream answered this scrape's requests, else 0 (and the other JetStream gauges are absent).
# TYPE switchyard_jetstream_up gauge
switchyard_jetstream_up 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(down), names...); err != nil {
		t.Error(err)
	}
}

// TestNoGlobalRegistry: two Metrics live side by side on their own
// registries, and one registry refuses a second Metrics.
func TestNoGlobalRegistry(t *testing.T) {
	_, reg := newTest(t, Config{})
	newTest(t, Config{})
	if _, err := New(reg, Config{}); err == nil {
		t.Fatal("a second Metrics on one registry was accepted")
	}
}

// BenchmarkIngested is the per-request cost on the ingest path.
func BenchmarkIngested(b *testing.B) {
	m, err := New(prometheus.NewRegistry(), Config{Operations: []string{"PutPartnerEvents"}})
	if err != nil {
		b.Fatal(err)
	}
	c := eventbus.IngestCount{Account: "111122223333", Bus: "aws.partner/acme.com/a/b", Source: "aws.partner/acme.com/a/b", Stored: 10}
	b.ReportAllocs()
	for b.Loop() {
		m.Request("PutPartnerEvents", "", time.Millisecond)
		m.Ingested("PutPartnerEvents", c)
	}
}
