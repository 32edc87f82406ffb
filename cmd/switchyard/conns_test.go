package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStalledBodyIsClosed checks that a request whose body stops arriving
// (Content-Length 1000, 10 bytes sent) is answered or closed once
// --read-timeout has passed, not held open for ever.
func TestStalledBodyIsClosed(t *testing.T) {
	t.Parallel()
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
