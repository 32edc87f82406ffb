package delivery

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines returns the logged lines that contain substr.
func (s *syncBuffer) lines(substr string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range strings.Split(s.b.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// TestFailedAttemptsAreLoggedOncePerInterval checks that a target failing
// many times within FailureLogInterval costs one WARN line with the count,
// and that the next interval is logged again.
func TestFailedAttemptsAreLoggedOncePerInterval(t *testing.T) {
	const interval = time.Minute
	cases := []struct {
		name     string
		failures int
	}{
		{"one failure", 1},
		{"a burst", 25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logged syncBuffer
			log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
			e := newEnv(Config{Log: log, FailureLogInterval: interval})
			e.rec.fail = func(int) error { return Retryable(CodeThrottling, "slow down") }
			start := e.now
			fail := func() {
				t.Helper()
				m := newFakeMsg(t, 1, sqsJob(e.now))
				e.d.Handle(context.Background(), m)
				if !m.acked {
					t.Fatal("a retried job's batch was not acknowledged")
				}
			}
			for i := range c.failures {
				e.now = start.Add(time.Duration(i) * interval / time.Duration(c.failures+1))
				fail()
			}
			if got := logged.lines("level=WARN"); len(got) > 1 {
				t.Fatalf("%d failures within the interval logged %d lines, want at most 1:\n%s", c.failures, len(got), strings.Join(got, "\n"))
			}
			e.now = start.Add(interval) // the next interval: its first failure closes the last one
			fail()
			got := logged.lines("level=WARN")
			if len(got) != 1 || !strings.Contains(got[0], "failures="+itoa(c.failures)+" ") || !strings.Contains(got[0], "target="+sqsArn) {
				t.Fatalf("after the interval: %d lines, want 1 with failures=%d:\n%s", len(got), c.failures, strings.Join(got, "\n"))
			}
			e.now = start.Add(2 * interval)
			e.d.flushFailureLog(e.now)
			got = logged.lines("level=WARN")
			if len(got) != 2 || !strings.Contains(got[1], "failures=1 ") {
				t.Fatalf("the second interval: %d lines, want 2, the last with failures=1:\n%s", len(got), strings.Join(got, "\n"))
			}
			e.d.flushFailureLog(e.now.Add(interval))
			if got := logged.lines("level=WARN"); len(got) != 2 {
				t.Fatalf("a quiet interval logged again:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
