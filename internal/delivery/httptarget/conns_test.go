package httptarget

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// connCounter is an httptest server that counts its open connections and
// holds every request until release is closed.
type connCounter struct {
	srv     *httptest.Server
	release chan struct{}

	mu        sync.Mutex
	open, max int
}

func newConnCounter(t *testing.T) *connCounter {
	t.Helper()
	c := &connCounter{release: make(chan struct{})}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-c.release
		w.WriteHeader(http.StatusOK)
	}))
	c.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch s {
		case http.StateNew:
			c.open++
			c.max = max(c.max, c.open)
		case http.StateClosed, http.StateHijacked:
			c.open--
		}
	}
	c.srv.Start()
	t.Cleanup(c.srv.Close)
	return c
}

func (c *connCounter) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

func (c *connCounter) opened() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open
}

// TestOutgoingConnectionsAreBounded checks that the Sender's own client
// opens at most MaxConnsPerHost connections to one host and MaxConns in all,
// however many requests are waiting, and that every request still completes
// once the receivers answer.
func TestOutgoingConnectionsAreBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		perHost, total   int
		hosts, perTarget int
		wantPeakPerHost  int // the most connections one receiver may see
		wantPeakTotal    int
	}{
		{"per host", 3, 100, 1, 10, 3, 3},
		{"in total", 3, 4, 2, 6, 3, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := New(Config{ResolveTTL: -1, Resolver: &fakeResolver{}, MaxConnsPerHost: c.perHost, MaxConns: c.total, Timeout: time.Minute})
			var rcvs []*connCounter
			for range c.hosts {
				rcvs = append(rcvs, newConnCounter(t))
			}
			errs := make(chan error, c.hosts*c.perTarget)
			var wg sync.WaitGroup
			for _, rc := range rcvs {
				for range c.perTarget {
					wg.Go(func() {
						req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, rc.srv.URL, nil)
						if err != nil {
							errs <- err
							return
						}
						res, err := s.cfg.Client.Do(req)
						if err != nil {
							errs <- err
							return
						}
						_ = res.Body.Close()
					})
				}
			}
			// Wait until as many connections as allowed are open (the
			// requests beyond them queue in the client), then a little
			// more, so that a client without bounds would have opened more.
			deadline := time.Now().Add(10 * time.Second)
			for total(rcvs) < c.wantPeakTotal && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			peakTotal := total(rcvs)
			for _, rc := range rcvs {
				close(rc.release)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("request failed: %v", err)
			}
			for i, rc := range rcvs {
				if p := rc.peak(); p > c.wantPeakPerHost {
					t.Errorf("receiver %d saw %d connections at once, want at most %d", i, p, c.wantPeakPerHost)
				}
			}
			if peakTotal != c.wantPeakTotal {
				t.Errorf("%d connections open at once in all, want %d", peakTotal, c.wantPeakTotal)
			}
		})
	}
}

func total(rcvs []*connCounter) int {
	n := 0
	for _, rc := range rcvs {
		n += rc.opened()
	}
	return n
}
