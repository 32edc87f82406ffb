package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSlowCloserDoesNotStarveTheNext: a phase of Close that uses up its
// whole budget leaves the phases after it their own budgets, and the data
// directory is released at the end.
func TestSlowCloserDoesNotStarveTheNext(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	m, _ := startServer(t, dir, nil)
	var next error
	// closers stop newest first: "slow" runs before "next", and both before
	// the real JetStream phase.
	m.onClose("next", time.Hour, func(ctx context.Context) error { next = ctx.Err(); return nil })
	m.onClose("slow", 50*time.Millisecond, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })

	err := m.Close(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "slow: context deadline exceeded" {
		t.Errorf("Close: %v, want only slow: context deadline exceeded", err)
	}
	if next != nil {
		t.Errorf("the phase after a slow one started with a done context: %v", next)
	}
	unlock, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("data directory still locked after Close: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

// TestLockHeldUntilServerStopped gives JetStream's phase no time, so Close
// returns while the embedded server is still stopping: the data directory
// must stay locked until that server is down, then be released.
func TestLockHeldUntilServerStopped(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	m, _ := startServer(t, dir, func(c *Config) { c.Shutdown.JetStream = time.Nanosecond })
	conn := m.conn
	err := m.Close(context.Background())
	if !strings.Contains(err.Error(), "jetstream: context deadline exceeded") {
		t.Errorf("Close: %v, want the JetStream phase to run out of time", err)
	}
	// Whenever the lock can be taken, the server must be down: the check
	// cannot pass by luck of timing.
	for deadline := time.Now().Add(30 * time.Second); ; {
		unlock, err := lockDataDir(dir)
		if err == nil {
			select {
			case <-conn.Stopped():
			default:
				t.Fatal("data directory unlocked while the embedded server is still stopping")
			}
			if err := unlock(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if !errors.Is(err, errDataDirBusy) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("data directory still locked 30 s after the server was asked to stop")
		}
		time.Sleep(time.Millisecond) // polls the lock; what is checked does not depend on when
	}
}

// TestServeReturnsServingError: when the listener fails under the server,
// Serve shuts down and returns the error instead of running on unserved.
func TestServeReturnsServingError(t *testing.T) {
	parallel(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Log = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	m.Listener = ln
	ln.Close() // underneath the server, before or while it serves
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = m.Serve(ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "serve: ") || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve: %v, want serve: ... use of closed network connection", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Serve returned only when its context ended")
	}
}

// TestShutdownTimeoutFlag splits --shutdown-timeout between the phases.
func TestShutdownTimeoutFlag(t *testing.T) {
	parallel(t)
	m := NewMain()
	if m.Config.Shutdown.Total() != DefaultShutdownTimeout {
		t.Errorf("default total %v", m.Config.Shutdown.Total())
	}
	if err := m.ParseFlags([]string{"--shutdown-timeout", "60s"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	want := ShutdownBudgets{HTTP: 20 * time.Second, Router: 4 * time.Second, Delivery: 16 * time.Second, EventLog: 2 * time.Second, JetStream: 16 * time.Second}
	if m.Config.Shutdown != want || want.Total() != time.Minute {
		t.Errorf("budgets %+v, want %+v", m.Config.Shutdown, want)
	}
	if err := NewMain().ParseFlags([]string{"--shutdown-timeout", "0s"}, func(string) string { return "" }); err == nil {
		t.Error("--shutdown-timeout 0s accepted")
	}
}
