package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/nats-io/nats.go/jetstream"

	sjs "github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// streamState returns the messages and bytes stream holds on m's JetStream.
func streamState(t *testing.T, m *Main, stream string) (msgs, bytes uint64) {
	t.Helper()
	s, err := m.conn.JetStream().Stream(context.Background(), stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	st := s.CachedInfo().State
	return st.Msgs, st.Bytes
}

// waitStreamEmpty waits until stream holds no message.
func waitStreamEmpty(t *testing.T, m *Main, stream string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, bytes := streamState(t, m, stream)
		if msgs == 0 && bytes == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds %d messages (%d bytes) after every event was routed and delivered", stream, msgs, bytes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventLogKeepsOnlyUnrouted: the event log holds an event only until
// the router has routed it; once routed and delivered, neither the log nor
// the delivery queue holds anything, and the router's consumer existed
// before the first put.
func TestEventLogKeepsOnlyUnrouted(t *testing.T) {
	t.Parallel()
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	if _, err := m.conn.JetStream().Consumer(context.Background(), sjs.DefaultLogStream, router.DefaultDurable); err != nil {
		t.Errorf("the router's consumer does not exist once the server runs: %v", err)
	}
	if s, err := m.conn.JetStream().Stream(context.Background(), sjs.DefaultLogStream); err != nil {
		t.Fatal(err)
	} else if r := s.CachedInfo().Config.Retention; r != jetstream.InterestPolicy {
		t.Errorf("event log retention %v, want interest", r)
	}
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	putRule(t, c, "orders", "all", `{"source":["shop"]}`, types.RuleStateEnabled, target("probe", sqsARN(customerAcct, "q")))
	waitRules(t, tb, customerAcct, "orders", 1)

	const n = 50
	detail := `{"pad":"` + strings.Repeat("x", 1000) + `"}`
	for range n {
		putEvent(t, c, "orders", "shop", detail)
		putEvent(t, c, "orders", "unmatched", detail) // routed to no target: leaves too
	}
	p.waitFor(t, sqsARN(customerAcct, "q"), n)
	waitIdle(t, m)
	waitStreamEmpty(t, m, sjs.DefaultLogStream)
	waitStreamEmpty(t, m, sjs.DefaultQueueStream)
}
