package awsjson

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// headerAuth refuses or passes in the header phase, and counts the body
// bytes its payload phase is given.
type headerAuth struct {
	refuse bool
	got    chan int // body lengths the payload phase saw
}

func (a headerAuth) AuthenticateHeaders(*http.Request) (func([]byte) (eventbus.Caller, error), error) {
	if a.refuse {
		return nil, awserr.WithStatus(awserr.UnrecognizedClient, 403, "The security token included in the request is invalid.")
	}
	return func(body []byte) (eventbus.Caller, error) {
		a.got <- len(body)
		return eventbus.Caller{Account: "111111111111"}, nil
	}, nil
}

// sendHeaders opens a connection to srv and sends a PutEvents request's
// headers announcing a body of length bytes, and the first sent bytes of it.
func sendHeaders(t *testing.T, srv *httptest.Server, length, sent int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	req := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.Echo\r\nContent-Type: " + ContentType +
		"\r\nContent-Length: " + strconv.Itoa(length) + "\r\n\r\n" + strings.Repeat("x", sent)
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestRefusedBeforeTheBodyIsRead checks that a request whose headers fail
// authentication is answered without the server waiting for its body, and
// that the connection is then closed rather than read on: the client sends
// headers and none or part of the body, and must get its 403.
func TestRefusedBeforeTheBodyIsRead(t *testing.T) {
	cases := []struct {
		name         string
		length, sent int
	}{
		{"1 MiB announced, nothing sent", 1 << 20, 0},
		{"1000 bytes announced, 10 sent", 1000, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth := headerAuth{refuse: true, got: make(chan int, 1)}
			srv := httptest.NewServer(NewHandler(dispatcher, auth, slog.New(slog.DiscardHandler), Limits{}))
			t.Cleanup(srv.Close)
			conn := sendHeaders(t, srv, c.length, c.sent)
			if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(conn)
			res, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("no answer while the body was not sent: %v", err)
			}
			if res.StatusCode != 403 || res.Header.Get("X-Amzn-ErrorType") != awserr.UnrecognizedClient {
				t.Fatalf("status %d %s, want 403 UnrecognizedClientException", res.StatusCode, res.Header.Get("X-Amzn-ErrorType"))
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Fatalf("the connection stayed open after the refusal: %v", err)
			}
			select {
			case n := <-auth.got:
				t.Fatalf("the payload phase ran on %d bytes of a request refused by its headers", n)
			default:
			}
		})
	}
}

// TestUnverifiedBytesAreBounded checks that bodies being read before their
// signature is verified share MaxUnverifiedBytes: while one stalled request
// holds all of it, another is refused as throttled after BodyWait, and once
// the stalled one is gone the next is served.
func TestUnverifiedBytesAreBounded(t *testing.T) {
	auth := headerAuth{got: make(chan int, 10)}
	h := NewHandler(dispatcher, auth, slog.New(slog.DiscardHandler), Limits{MaxBodyBytes: 100, MaxUnverifiedBytes: 100, BodyWait: 100 * time.Millisecond})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	post := func() *http.Response {
		t.Helper()
		req, err := http.NewRequest("POST", srv.URL, strings.NewReader(strings.Repeat("y", 50)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSEvents.Echo")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		return res
	}
	stalled := sendHeaders(t, srv, 100, 10)
	waitFor(t, "the stalled request to hold the budget", func() bool { return h.budget.used() == 100 })
	if res := post(); res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("X-Amzn-ErrorType") != awserr.Throttling {
		t.Fatalf("while the budget is held: status %d %s, want 503 ThrottlingException", res.StatusCode, res.Header.Get("X-Amzn-ErrorType"))
	}
	_ = stalled.Close()
	waitFor(t, "the stalled request to give the budget back", func() bool { return h.budget.used() == 0 })
	if res := post(); res.StatusCode != 200 {
		t.Fatalf("after the stalled request went away: status %d, want 200", res.StatusCode)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
