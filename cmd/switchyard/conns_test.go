package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// TestStalledBodyIsClosed checks that a request whose body stops arriving
// (Content-Length 1000, 10 bytes sent) is answered or closed once
// --read-timeout has passed, not held open for ever.
func TestStalledBodyIsClosed(t *testing.T) {
	parallel(t)
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.ReadTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	date := time.Now().UTC().Format("20060102T150405Z")
	req := "POST / HTTP/1.1\r\nHost: " + m.Addr() + "\r\nX-Amz-Target: AWSEvents.ListEventBuses\r\n" +
		"Content-Type: application/x-amz-json-1.1\r\nX-Amz-Date: " + date + "\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=" + customerAcct + "/" + date[:8] + "/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\n" +
		"Content-Length: 1000\r\n\r\n" + strings.Repeat("x", 10)
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	// Generous: the bound is 300 ms; only "never" must fail.
	if err := conn.SetReadDeadline(time.Now().Add(15 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	if res, err := http.ReadResponse(r, nil); err == nil {
		_ = res.Body.Close()
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("a stalled body was answered %d, want a 4xx or no answer", res.StatusCode)
		}
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a request whose body stalled was neither answered nor closed")
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatalf("the connection was not closed after the stalled request: %v", err)
	}
}

// emfileListener fails its first fails Accepts as accept(2) does when the
// process is out of file descriptors, then accepts normally.
type emfileListener struct {
	net.Listener
	mu    sync.Mutex
	fails int
}

func (l *emfileListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.fails > 0 {
		l.fails--
		l.mu.Unlock()
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// TestServesAgainAfterEMFILE checks that accept errors from descriptor
// exhaustion do not stop the server: it backs off (net/http does, for
// EMFILE and ENFILE, 5 ms doubling to 1 s), logs them through the
// server's logger, and serves again by itself once accept works.
func TestServesAgainAfterEMFILE(t *testing.T) {
	parallel(t)
	var logged syncBuffer
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	m.Log = slog.New(slog.NewTextHandler(&logged, nil))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Listener = &emfileListener{Listener: l, fails: 5}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := clientFor(m, customerAcct).ListEventBuses(ctx, &eventbridge.ListEventBusesInput{}); err != nil {
		t.Fatalf("no answer after the accept errors ended: %v", err)
	}
	if n := strings.Count(logged.String(), "too many open files"); n != 5 {
		t.Errorf("%d accept errors logged through the server's logger, want 5:\n%s", n, logged.String())
	}
}
