package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTailBinary runs `switchyard tail` against a running server through
// the URL it advertises in its data directory: once tail says it follows
// the bus, the events then put on that bus that match --pattern come out,
// one envelope per line, in order, and nothing else does. An interrupt
// ends it with status 0.
func TestTailBinary(t *testing.T) {
	parallel(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	m, _ := startServer(t, dir, nil)
	c := clientFor(m, customerAcct)
	createBus(t, c, "other")

	cmd := exec.Command(bin, "tail", "--data-dir", dir, "--bus", "default", "--account", customerAcct, "--pattern", `{"source":["app"]}`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	errLines := bufio.NewScanner(stderr)
	if !errLines.Scan() || !strings.Contains(errLines.Text(), "following bus default") {
		t.Fatalf("tail's first stderr line: %q (%v)", errLines.Text(), errLines.Err())
	}
	go func() { // drain the rest, so tail never blocks on stderr
		for errLines.Scan() {
		}
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	want := []string{putEvent(t, c, "default", "app", `{"n":1}`)}
	putEvent(t, c, "default", "noise", `{"n":2}`)
	putEvent(t, c, "other", "app", `{"n":3}`)
	want = append(want, putEvent(t, c, "default", "app", `{"n":4}`))
	for i, id := range want {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("tail ended after %d lines", i)
			}
			var env struct {
				ID     string `json:"id"`
				Source string `json:"source"`
				Detail struct{ N int }
			}
			if err := json.Unmarshal([]byte(line), &env); err != nil {
				t.Fatalf("line %d not an envelope: %q", i, line)
			}
			if env.ID != id || env.Source != "app" {
				t.Fatalf("line %d: %s, want event %s", i, line, id)
			}
		case <-time.After(testWait):
			t.Fatalf("tail printed %d of %d events in %v", i, len(want), testWait)
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tail after an interrupt: %v", err)
	}
	if extra, ok := <-lines; ok {
		t.Fatalf("tail printed more: %q", extra)
	}
}
