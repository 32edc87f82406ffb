package jetstream

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"
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
	if _, err := Open(t.Context(), Config{}, nil); err == nil {
		t.Fatal("Open with neither URL nor DataDir: want an error")
	}
	if _, err := Open(t.Context(), Config{DataDir: t.TempDir(), Replicas: 3}, nil); err == nil {
		t.Fatal("Open embedded with 3 replicas: want an error")
	}
}

func TestCloseTwiceAndReopen(t *testing.T) {
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
