package main

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startNATS starts a nats-server with JetStream on 127.0.0.1:port (0: a
// free port) over storeDir, and returns it; the test stops it at the end.
func startNATS(t *testing.T, port int, storeDir string) *server.Server {
	t.Helper()
	if port == 0 {
		port = server.RANDOM_PORT
	}
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true,
		StoreDir: storeDir, NoSigs: true, NoLog: true, SyncAlways: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	return srv
}

// waitStatus waits until GET path answers status, failing the test with
// the last answer after 30 s.
func waitStatus(t *testing.T, addr, path string, status int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get(t, addr, path)
		if code == status {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %q, want %d", path, code, body, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHealthReadyz runs switchyard on an external NATS server, stops that
// server (/readyz fails, naming JetStream; /healthz still answers), and
// starts it again on the same port and files (/readyz recovers). The
// probes are not API calls: a POST to their path is one, and a GET of them
// needs no signature.
func TestHealthReadyz(t *testing.T) {
	parallel(t)
	store := t.TempDir()
	srv := startNATS(t, 0, store)
	_, portStr, err := net.SplitHostPort(srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		t.Fatal(err)
	}
	m, stop := startServer(t, t.TempDir(), func(c *Config) { c.NATSURL = srv.ClientURL() })
	addr := m.Addr()
	if code, body := get(t, addr, "/healthz"); code != http.StatusOK || body != "ok" {
		t.Fatalf("GET /healthz: %d %q", code, body)
	}
	waitStatus(t, addr, "/readyz", http.StatusOK)
	resp, err := http.Post("http://"+addr+"/healthz", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") == "" {
		t.Fatalf("POST /healthz: %s (%q), want the API's 400", resp.Status, resp.Header.Get("X-Amzn-ErrorType"))
	}

	srv.Shutdown()
	srv.WaitForShutdown()
	body := waitStatus(t, addr, "/readyz", http.StatusServiceUnavailable)
	if !strings.Contains(body, "jetstream:") {
		t.Errorf("/readyz while JetStream is down: %q, want it named", body)
	}
	if code, _ := get(t, addr, "/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz while JetStream is down: %d, want 200 (the process is up)", code)
	}

	startNATS(t, port, store)
	waitStatus(t, addr, "/readyz", http.StatusOK)
	stop() // before the restarted server's cleanup stops it
}

// TestMetricsListen serves /metrics and the probes on a listener of their
// own, and nothing else there; /metrics then leaves the API listener.
func TestMetricsListen(t *testing.T) {
	parallel(t)
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.MetricsListen = "127.0.0.1:0" })
	addr := m.MetricsAddr()
	if addr == "" {
		t.Fatal("no metrics address")
	}
	if _, ok := scrapeMetrics(t, addr).value("switchyard_jetstream_up"); !ok {
		t.Error("no switchyard_jetstream_up on --metrics-listen")
	}
	waitStatus(t, addr, "/readyz", http.StatusOK)
	if code, _ := get(t, m.Addr(), "/metrics"); code != http.StatusBadRequest {
		t.Errorf("GET /metrics on the API listener with --metrics-listen: %d, want the API's 400", code)
	}
	if code, _ := get(t, m.Addr(), "/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz on the API listener: %d", code)
	}
	resp, err := http.Post("http://"+addr+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST / on the metrics listener: %s, want 404", resp.Status)
	}
}

// TestLogsQuietAndSummarised: at debug level the embedded NATS server's
// notices stay out of the log unless --nats-log, and requests are
// summarised at info (the last summary is written at shutdown), not
// logged one line each.
func TestLogsQuietAndSummarised(t *testing.T) {
	parallel(t)
	var quiet, loud syncBuffer
	m, stop := startLoggedServer(t, t.TempDir(), &quiet, "--access-log-interval", "1h")
	createBus(t, clientFor(m, customerAcct), "a")
	createBus(t, clientFor(m, customerAcct), "b")
	stop()
	_, stopLoud := startLoggedServer(t, t.TempDir(), &loud, "--nats-log")
	stopLoud()
	if strings.Contains(quiet.String(), `"component":"nats-server"`) {
		t.Errorf("NATS notices logged without --nats-log:\n%s", quiet.String())
	}
	if !strings.Contains(loud.String(), `"component":"nats-server"`) {
		t.Errorf("no NATS notices with --nats-log")
	}
	var summaries []string
	for _, line := range strings.Split(quiet.String(), "\n") {
		if strings.Contains(line, `"msg":"requests"`) {
			summaries = append(summaries, line)
		}
	}
	if len(summaries) != 1 || !strings.Contains(summaries[0], `"total":2`) || !strings.Contains(summaries[0], "CreateEventBus:ok=2") {
		t.Errorf("request summaries: %q", summaries)
	}
}
