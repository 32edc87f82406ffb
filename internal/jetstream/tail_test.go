package jetstream

import (
	"context"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestTailReplaysThenFollows: with Since, a tail first gives the events
// the log holds, then those appended afterwards, each once, in order; it
// leaves no consumer on the log behind.
func TestTailReplaysThenFollows(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	l := openLog(t, c, testLogConfig()).Events() // limits retention: the log keeps what it gets
	put := func(id string) {
		t.Helper()
		if err := l.Append(context.Background(), []eventbus.BusEvent{{Account: "1", Bus: "b",
			Event: eventbus.Event{ID: id, Envelope: []byte(`{"id":"` + id + `"}`), IngestedAt: time.Now()}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("old-1")
	put("old-2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 16)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Tail(ctx, TailConfig{Since: time.Hour, Ready: func() { close(ready) }}, func(ev eventbus.BusEvent) error {
			got <- ev.Event.ID
			return nil
		}, nil)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Tail ended before it was ready: %v", err)
	}
	put("new-1")
	for _, want := range []string{"old-1", "old-2", "new-1"} {
		select {
		case id := <-got:
			if id != want {
				t.Fatalf("got %s, want %s", id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s after 10s", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Tail: %v", err)
	}
	select {
	case id := <-got:
		t.Fatalf("extra event %s", id)
	default:
	}
	info, err := l.l.stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Errorf("%d consumers left on the log", info.State.Consumers)
	}
}
