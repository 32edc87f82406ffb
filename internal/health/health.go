// Package health answers the probes of process supervisors: /healthz (the
// process serves HTTP) and /readyz (every readiness check passes now), as
// plain text, without authentication. It also owns the front door that
// sends those paths, and /metrics, to their handlers and everything else
// to the API, so a probe is never taken for an API call and an API call
// (always POST /) never for a probe.
//
// It knows nothing of what it checks: checks are functions handed in.
package health

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultCheckTimeout bounds one round of readiness checks.
const DefaultCheckTimeout = 2 * time.Second

// A Check is one readiness condition: nil when ready, else why not.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// A Prober serves /healthz and /readyz. Safe for concurrent use.
type Prober struct {
	checks  []Check
	timeout time.Duration

	mu sync.Mutex // serialises rounds: probes arriving meanwhile share the next
}

// NewProber returns a Prober running checks, in order, for each /readyz,
// each round bounded by timeout (DefaultCheckTimeout if zero).
func NewProber(timeout time.Duration, checks ...Check) *Prober {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	return &Prober{checks: checks, timeout: timeout}
}

// Ready runs every check and returns the failures, one "name: error" each;
// none when ready. One round runs at a time, so a flood of probes makes
// one round of requests at a time, not one per probe.
func (p *Prober) Ready(ctx context.Context) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var failed []string
	for _, c := range p.checks {
		if err := c.Check(ctx); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", c.Name, err))
		}
	}
	return failed
}

// Healthz answers 200 "ok" while the process serves HTTP.
func (p *Prober) Healthz(w http.ResponseWriter, _ *http.Request) {
	writePlain(w, http.StatusOK, "ok\n")
}

// Readyz answers 200 "ok" when every check passes, else 503 with a line
// per failed check.
func (p *Prober) Readyz(w http.ResponseWriter, r *http.Request) {
	if failed := p.Ready(r.Context()); len(failed) > 0 {
		writePlain(w, http.StatusServiceUnavailable, "not ready\n"+strings.Join(failed, "\n")+"\n")
		return
	}
	writePlain(w, http.StatusOK, "ok\n")
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// Paths of the probes and of the metrics.
const (
	HealthzPath = "/healthz"
	ReadyzPath  = "/readyz"
	MetricsPath = "/metrics"
)

// Front returns the handler of the API listener: GET or HEAD of
// HealthzPath and ReadyzPath go to p, of MetricsPath to metrics (when not
// nil), and every other request to api unchanged.
func Front(api http.Handler, p *Prober, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch {
			case r.URL.Path == HealthzPath && p != nil:
				p.Healthz(w, r)
				return
			case r.URL.Path == ReadyzPath && p != nil:
				p.Readyz(w, r)
				return
			case r.URL.Path == MetricsPath && metrics != nil:
				metrics.ServeHTTP(w, r)
				return
			}
		}
		api.ServeHTTP(w, r)
	})
}

// MetricsOnly returns the handler of a separate metrics listener: GET or
// HEAD of MetricsPath, HealthzPath and ReadyzPath, 404 otherwise.
func MetricsOnly(p *Prober, metrics http.Handler) http.Handler {
	return Front(http.NotFoundHandler(), p, metrics)
}
