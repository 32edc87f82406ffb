package jetstream

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// testLogger shows the embedded server's warnings and errors in test output.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openTest opens an embedded server storing in dir and closes it at the end
// of the test.
func openTest(t testing.TB, dir string) *Conn {
	t.Helper()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

func TestOpenRequiresDataDir(t *testing.T) {
	t.Parallel()
	if _, err := Open(t.Context(), Config{}, nil); err == nil {
		t.Fatal("Open with neither URL nor DataDir: want an error")
	}
	if _, err := Open(t.Context(), Config{DataDir: t.TempDir(), Replicas: 3}, nil); err == nil {
		t.Fatal("Open embedded with 3 replicas: want an error")
	}
}

func TestCloseTwiceAndReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for range 2 {
		c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if c.NATS() == nil || c.JetStream() == nil {
			t.Fatal("nil NATS or JetStream")
		}
		if err := c.Close(t.Context()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := c.Close(t.Context()); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	}
}

// TestOpenURL runs the external-server path against a nats-server listening
// on a loopback port.
func TestOpenURL(t *testing.T) {
	t.Parallel()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	c, err := Open(t.Context(), Config{URL: srv.ClientURL()}, testLogger())
	if err != nil {
		t.Fatalf("Open(%s): %v", srv.ClientURL(), err)
	}
	kv, err := c.KV(t.Context(), "remote")
	if err != nil {
		t.Fatalf("KV: %v", err)
	}
	if _, err := kv.Create(t.Context(), []byte("v"), "a", "b"); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !srv.Running() {
		t.Fatal("Close shut down an external server")
	}
}

// TestStoppedAfterClose: Stopped is closed once Close has shut the embedded
// server down, also when Close itself returned early on its context.
func TestStoppedAfterClose(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	select {
	case <-c.Stopped():
		t.Fatal("Stopped before Close")
	default:
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a canceled context: %v, want context.Canceled", err)
	}
	select {
	case <-c.Stopped():
	case <-time.After(30 * time.Second):
		t.Fatal("not Stopped 30 s after Close")
	}
	// The server's files are closed: the directory opens again.
	c, err = Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-c.Stopped():
	default:
		t.Error("Close returned nil before Stopped")
	}
}
