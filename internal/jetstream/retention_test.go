package jetstream

import (
	"context"
	"testing"
	"time"
)

// logMsgs returns how many messages the log's stream holds now.
func logMsgs(t *testing.T, l *EventLog) uint64 {
	t.Helper()
	info, err := l.stream.Info(t.Context())
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return info.State.Msgs
}

// waitLogMsgs waits until the log's stream holds want messages.
func waitLogMsgs(t *testing.T, l *EventLog, want uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := logMsgs(t, l)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event log holds %d messages, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond) // polling observable state, not hoping
	}
}

// consumeUntil runs Consume with durable until n records were handled,
// then stops it and waits for it to return.
func consumeUntil(t *testing.T, l *EventLog, durable string, n int) {
	t.Helper()
	col := newCollector()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Consume(ctx, durable, col.handle) }()
	col.waitFor(t, n)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Consume: %v", err)
	}
}

// TestEventLogKeepDropsConsumed: with Keep, a record leaves the log once
// the kept consumer has acknowledged it; records appended while it is not
// consuming stay, across a restart, until it does.
func TestEventLogKeepDropsConsumed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := testLogConfig()
	cfg.Keep = []string{"router"}
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l, err := c.EventLog(t.Context(), cfg)
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	// No Consume has run yet: the consumer made at open keeps these.
	appendN(t, l, 1, 3, 10)
	if got := logMsgs(t, l); got == 0 {
		t.Fatal("records appended before any Consume were dropped")
	}
	consumeUntil(t, l, "router", 30)
	waitLogMsgs(t, l, 0)

	appendN(t, l, 1, 2, 10) // not consumed: must stay
	kept := logMsgs(t, l)
	if kept == 0 {
		t.Fatal("unconsumed records left the log")
	}
	if err := l.Close(t.Context()); err != nil {
		t.Fatalf("EventLog.Close: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c2 := openTest(t, dir)
	l2 := openLog(t, c2, cfg)
	if got := logMsgs(t, l2); got != kept {
		t.Fatalf("after restart the log holds %d messages, want %d", got, kept)
	}
	consumeUntil(t, l2, "router", 20)
	waitLogMsgs(t, l2, 0)
}

// TestEventLogKeepUpgradesLimitsStream: a data directory written with
// limits retention, opened with Keep, keeps exactly the records its
// consumer had not acknowledged, and drops them once it has.
func TestEventLogKeepUpgradesLimitsStream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	old := testLogConfig()
	l, err := c.EventLog(t.Context(), old)
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	appendN(t, l, 1, 3, 10)
	consumeUntil(t, l, "router", 30) // routed before the upgrade
	routed := logMsgs(t, l)
	appendN(t, l, 1, 2, 10) // not routed before the upgrade
	unrouted := logMsgs(t, l) - routed
	if err := l.Close(t.Context()); err != nil {
		t.Fatalf("EventLog.Close: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	c2 := openTest(t, dir)
	cfg := testLogConfig()
	cfg.Keep = []string{"router"}
	l2 := openLog(t, c2, cfg)
	if got := logMsgs(t, l2); got != unrouted {
		t.Fatalf("after the upgrade the log holds %d messages, want the %d unrouted", got, unrouted)
	}
	consumeUntil(t, l2, "router", 20)
	waitLogMsgs(t, l2, 0)
}

// TestEventLogKeepUpgradeWithoutConsumer: a limits log no consumer ever
// read keeps everything when Keep switches it to interest retention.
func TestEventLogKeepUpgradeWithoutConsumer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l, err := c.EventLog(t.Context(), testLogConfig())
	if err != nil {
		t.Fatalf("EventLog: %v", err)
	}
	appendN(t, l, 1, 2, 10)
	before := logMsgs(t, l)
	if err := l.Close(t.Context()); err != nil {
		t.Fatalf("EventLog.Close: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c2 := openTest(t, dir)
	cfg := testLogConfig()
	cfg.Keep = []string{"router"}
	l2 := openLog(t, c2, cfg)
	if got := logMsgs(t, l2); got != before {
		t.Fatalf("after the upgrade the log holds %d messages, want all %d", got, before)
	}
	consumeUntil(t, l2, "router", 20)
	waitLogMsgs(t, l2, 0)
}
