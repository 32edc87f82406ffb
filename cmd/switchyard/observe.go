package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/health"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/metrics"
	"github.com/switchyard/switchyard/internal/router"
	"github.com/switchyard/switchyard/internal/wait"
)

// observed holds what serve exposes about itself: the metrics (nil with
// --metrics=false), the probes, and the parts they read, each set by Run
// before serving starts and only read afterwards.
type observed struct {
	registry *prometheus.Registry
	metrics  *metrics.Metrics
	prober   *health.Prober

	queue  *jetstream.Queue
	evlog  *jetstream.EventLog // the router's
	router *router.Router
	disp   *delivery.Dispatcher
}

// startObserving creates the registry and the collectors (unless
// --metrics=false) and the readiness checks.
func (m *Main) startObserving() error {
	o := &m.obs
	o.prober = health.NewProber(0,
		health.Check{Name: "jetstream", Check: m.conn.Ping},
		health.Check{Name: "jetstream-current", Check: func(context.Context) error { return m.conn.Current() }},
		health.Check{Name: "router", Check: running("router", func() bool { return o.router != nil && o.router.Running() })},
		health.Check{Name: "delivery", Check: running("delivery", func() bool { return o.disp != nil && o.disp.Running() })},
	)
	if !m.Config.Metrics {
		return nil
	}
	o.registry = prometheus.NewRegistry()
	o.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	bi, _ := debug.ReadBuildInfo()
	v := readBuildVersion(bi)
	met, err := metrics.New(o.registry, metrics.Config{
		Operations: apimodel.OperationNames(),
		Stats:      m.readStats,
		Build:      metrics.BuildInfo{Version: v.Version, Revision: v.Revision, GoVersion: v.Go},
	})
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	o.metrics = met
	return nil
}

// running turns a liveness flag into a readiness check.
func running(name string, ok func() bool) func(context.Context) error {
	return func(context.Context) error {
		if !ok() {
			return errors.New(name + " is not running")
		}
		return nil
	}
}

// startMetricsListener serves /metrics and the probes on --metrics-listen,
// if given, until Close. Run calls it once everything they read is set.
func (m *Main) startMetricsListener() error {
	addr := m.Config.MetricsListen
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--metrics-listen: %w", err)
	}
	m.metricsAddr = ln.Addr().String()
	srv := &http.Server{Handler: health.MetricsOnly(m.obs.prober, metrics.Handler(m.obs.registry)),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(m.Log.With("component", "metrics-http").Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics listener failed", "err", err)
		}
	}()
	m.onClose("metrics listener", m.Config.Shutdown.HTTP, func(ctx context.Context) error { return stopHTTP(ctx, srv) })
	m.Log.Info("serving metrics", "addr", m.metricsAddr)
	return nil
}

// front is the API listener's handler: the probes and /metrics (unless
// --metrics-listen takes them elsewhere), then the API.
func (m *Main) front(api http.Handler) http.Handler {
	var mh http.Handler
	if m.obs.registry != nil && m.Config.MetricsListen == "" {
		mh = metrics.Handler(m.obs.registry)
	}
	return health.Front(api, m.obs.prober, mh)
}

// readStats reads the gauges of a scrape from JetStream.
func (m *Main) readStats(ctx context.Context) (metrics.Stats, error) {
	o := &m.obs
	st, err := m.conn.Storage(ctx)
	if err != nil {
		return metrics.Stats{}, err
	}
	s := metrics.Stats{StorageUsed: st.Used, StorageLimit: st.Limit, DiskFree: st.Free}
	if o.queue != nil {
		q, err := o.queue.State(ctx)
		if err != nil {
			return metrics.Stats{}, err
		}
		s.Queue = metrics.StreamStats{Msgs: q.Msgs, Oldest: q.Oldest}
	}
	if o.evlog != nil {
		l, err := o.evlog.State(ctx)
		if err != nil {
			return metrics.Stats{}, err
		}
		s.EventLog = metrics.StreamStats{Msgs: l.Msgs, Oldest: l.Oldest}
	}
	return s, nil
}

// requestObservers are the metrics and the access log summary (each when
// enabled); the summary is written every --access-log-interval and once
// more when serving stops.
func (m *Main) requestObservers() awsjson.RequestObserver {
	var met awsjson.RequestObserver
	if m.obs.metrics != nil {
		met = m.obs.metrics
	}
	every := m.Config.AccessLogInterval
	if every <= 0 {
		return awsjson.Observers(met)
	}
	access := awsjson.NewAccessLog(m.Log.With("component", "http"))
	stop := wait.Heartbeat(every, func() { access.Flush(every) })
	m.onClose("access log", time.Second, func(context.Context) error {
		stop()
		access.Flush(every)
		return nil
	})
	return awsjson.Observers(met, access)
}

// The observers handed to the domain packages: nil interfaces (not nil
// pointers in them) when metrics are off.

func (o *observed) ingestObserver() eventbus.IngestObserver {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o *observed) deliveryObserver() delivery.Observer {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

func (o *observed) routerObserver() router.Observer {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}
