// Package metrics owns switchyard's Prometheus collectors. A Metrics is
// created on a registry the caller makes (there is no global one) and
// adapts the observer hooks of the domain packages to collectors: it is an
// awsjson.RequestObserver, an eventbus.IngestObserver, a router.Observer
// and a delivery.Observer, and it reads queue depths and storage through a
// StatsFunc when scraped. No other package imports Prometheus.
//
// Labels taken from requests (operation, account, bus, source) are
// bounded: operations outside the API model are counted as "unknown", and
// once MaxSeries label sets of a family exist, new ones are counted under
// OverflowLabel. It never blocks a caller beyond a map lookup under a
// read lock.
package metrics

import (
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxSeries bounds the label sets of each family labelled by
	// account and bus.
	DefaultMaxSeries = 10000
	// OverflowLabel replaces every label of a label set past MaxSeries,
	// and an operation name outside the API model.
	OverflowLabel = "_other"
	// UnknownOperation labels requests naming no operation of the model.
	UnknownOperation = "unknown"
	// outcomeOK labels requests answered without an exception.
	outcomeOK = "ok"
	// throttlingCode is the exception code of a throttled request.
	throttlingCode = "ThrottlingException"
)

// Config says what a Metrics labels and where it reads its gauges.
type Config struct {
	// Operations are the operation names requests are labelled with; any
	// other is UnknownOperation.
	Operations []string
	// MaxSeries: DefaultMaxSeries if zero.
	MaxSeries int
	// Stats is read once per scrape for the queue, event log and storage
	// gauges; nil: those gauges are not exported.
	Stats StatsFunc
	// Now is the clock of the oldest-message ages: time.Now if nil.
	Now func() time.Time
	// Build labels switchyard_build_info.
	Build BuildInfo
}

// BuildInfo labels switchyard_build_info.
type BuildInfo struct{ Version, Revision, GoVersion string }

// latencyBuckets (seconds) cover a sub-millisecond in-process call to a
// delivery that reaches its 30 s timeout.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// A Metrics holds switchyard's collectors. Its methods are safe for
// concurrent use.
type Metrics struct {
	ops map[string]bool // the operations of Config.Operations; read only

	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec

	ingest *bounded[busKey, ingestSeries]
	routed *bounded[busKey, routeSeries]

	attempts *prometheus.CounterVec
	delivery *prometheus.HistogramVec
	dead     *prometheus.CounterVec
}

// New registers switchyard's collectors on reg and returns them; it fails
// if reg already holds collectors of the same names.
func New(reg prometheus.Registerer, cfg Config) (*Metrics, error) {
	if cfg.MaxSeries <= 0 {
		cfg.MaxSeries = DefaultMaxSeries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Metrics{ops: map[string]bool{}}
	for _, op := range cfg.Operations {
		m.ops[op] = true
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchyard_api_requests_total",
		Help: "API requests answered, by operation and outcome (ok or the exception code)."}, []string{"operation", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchyard_api_request_duration_seconds",
		Help: "Time from a request's arrival to its answer, by operation.", Buckets: latencyBuckets}, []string{"operation"})
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchyard_api_throttled_requests_total",
		Help: "Requests refused with ThrottlingException (rate exceeded, or too many bodies being read), by operation."}, []string{"operation"})
	ingested := newBusCounter("switchyard_events_ingested_total", "Events appended to the event log, by account, bus and partner event source.", true)
	dropped := newBusCounter("switchyard_events_dropped_total", "Events accepted with an EventId and not stored (bus missing, partner event source not ACTIVE).", true)
	failed := newBusCounter("switchyard_events_failed_total", "Entries answered with an error, or whose request failed as a whole; account and bus are empty when refused before their bus was known.", true)
	m.ingest = newBounded(cfg.MaxSeries, busKey{OverflowLabel, OverflowLabel, OverflowLabel}, func(k busKey) ingestSeries {
		return ingestSeries{ingested.WithLabelValues(k.account, k.bus, k.source), dropped.WithLabelValues(k.account, k.bus, k.source),
			failed.WithLabelValues(k.account, k.bus, k.source)}
	})
	routedEvents := newBusCounter("switchyard_events_routed_total", "Events the router matched against their bus's rules.", false)
	matches := newBusCounter("switchyard_rule_matches_total", "Rules (with targets) matched by routed events.", false)
	m.routed = newBounded(cfg.MaxSeries, busKey{OverflowLabel, OverflowLabel, ""}, func(k busKey) routeSeries {
		return routeSeries{routedEvents.WithLabelValues(k.account, k.bus), matches.WithLabelValues(k.account, k.bus)}
	})
	m.attempts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchyard_delivery_attempts_total",
		Help: "Delivery attempts, by target kind and result (delivered, retrying, failed: dead-lettered)."}, []string{"kind", "result"})
	m.delivery = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchyard_delivery_duration_seconds",
		Help: "Time one delivery attempt took, by target kind.", Buckets: latencyBuckets}, []string{"kind"})
	m.dead = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchyard_dead_letters_total",
		Help: "Dead letters stored, by target kind."}, []string{"kind"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "switchyard_build_info",
		Help: "Always 1; labelled with the running build."}, []string{"version", "revision", "goversion"})
	build.WithLabelValues(cfg.Build.Version, cfg.Build.Revision, cfg.Build.GoVersion).Set(1)
	cs := []prometheus.Collector{m.requests, m.latency, m.throttled, ingested, dropped, failed, routedEvents, matches,
		m.attempts, m.delivery, m.dead, build}
	if cfg.Stats != nil {
		cs = append(cs, newStatsCollector(cfg.Stats, cfg.Now))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Handler serves g's metrics in the Prometheus text (or negotiated) format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Operations returns the operations requests are labelled with, sorted.
func (m *Metrics) Operations() []string {
	ops := make([]string, 0, len(m.ops))
	for op := range m.ops {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Request counts one API request (awsjson.RequestObserver).
func (m *Metrics) Request(op, code string, took time.Duration) {
	if !m.ops[op] {
		op = UnknownOperation
	}
	outcome := code
	if outcome == "" {
		outcome = outcomeOK
	}
	m.requests.WithLabelValues(op, outcome).Inc()
	m.latency.WithLabelValues(op).Observe(took.Seconds())
	if code == throttlingCode {
		m.throttled.WithLabelValues(op).Inc()
	}
}

// Ingested counts the entries of one request for one bus
// (eventbus.IngestObserver).
func (m *Metrics) Ingested(_ string, c eventbus.IngestCount) {
	s := m.ingest.get(busKey{c.Account, c.Bus, c.Source})
	if c.Stored > 0 {
		s.ingested.Add(float64(c.Stored))
	}
	if c.Dropped > 0 {
		s.dropped.Add(float64(c.Dropped))
	}
	if c.Failed > 0 {
		s.failed.Add(float64(c.Failed))
	}
}

// Routed counts routed events and their rule matches (router.Observer).
func (m *Metrics) Routed(account, bus string, events, matches int) {
	s := m.routed.get(busKey{account: account, bus: bus})
	s.events.Add(float64(events))
	if matches > 0 {
		s.matches.Add(float64(matches))
	}
}

// Attempted counts one delivery attempt (delivery.Observer).
func (m *Metrics) Attempted(kind, result string, took time.Duration) {
	m.attempts.WithLabelValues(kind, result).Inc()
	m.delivery.WithLabelValues(kind).Observe(took.Seconds())
}

// DeadLettered counts one dead letter (delivery.Observer).
func (m *Metrics) DeadLettered(kind string) { m.dead.WithLabelValues(kind).Inc() }

type busKey struct{ account, bus, source string }

type ingestSeries struct{ ingested, dropped, failed prometheus.Counter }

type routeSeries struct{ events, matches prometheus.Counter }

func newBusCounter(name, help string, withSource bool) *prometheus.CounterVec {
	labels := []string{"account", "bus"}
	if withSource {
		labels = append(labels, "source")
	}
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}
