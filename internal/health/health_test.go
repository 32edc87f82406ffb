package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFront(t *testing.T) {
	var down error
	p := NewProber(0, Check{Name: "store", Check: func(context.Context) error { return down }})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	h := Front(api, p, metrics)
	serve := func(method, path string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w.Code, w.Body.String()
	}
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/healthz", http.StatusOK},
		{"HEAD", "/healthz", http.StatusOK},
		{"GET", "/readyz", http.StatusOK},
		{"GET", "/metrics", http.StatusAccepted},
		{"POST", "/healthz", http.StatusTeapot},
		{"POST", "/", http.StatusTeapot},
		{"GET", "/", http.StatusTeapot},
		{"GET", "/healthz/", http.StatusTeapot},
	} {
		if got, _ := serve(c.method, c.path); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, got, c.want)
		}
	}
	down = errors.New("closed")
	if code, body := serve("GET", "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "store: closed") {
		t.Errorf("GET /readyz with a failing check: %d %q", code, body)
	}
	if code, _ := serve("GET", "/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with a failing check: %d", code)
	}
	if code, _ := serve("GET", "/metrics"); code != http.StatusAccepted {
		t.Errorf("GET /metrics: %d", code)
	}
	if code, _ := (func() (int, string) {
		w := httptest.NewRecorder()
		MetricsOnly(p, metrics).ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
		return w.Code, ""
	})(); code != http.StatusNotFound {
		t.Errorf("POST / on MetricsOnly: %d, want 404", code)
	}
}
