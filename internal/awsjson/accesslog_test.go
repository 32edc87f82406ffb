package awsjson

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestAccessLogSummarises(t *testing.T) {
	var buf bytes.Buffer
	a := NewAccessLog(slog.New(slog.NewTextHandler(&buf, nil)))
	a.Flush(time.Second)
	if buf.Len() != 0 {
		t.Fatalf("an idle interval logged: %s", buf.String())
	}
	var other recordingObserver
	o := Observers(a, nil, &other)
	o.Request("PutEvents", "", time.Millisecond)
	o.Request("PutEvents", "", 3*time.Millisecond)
	o.Request("PutEvents", "ThrottlingException", time.Millisecond)
	for i := range maxAccessOps + 5 {
		o.Request("Op"+strings.Repeat("x", i), "UnknownOperationException", 0)
	}
	a.Flush(10 * time.Second)
	line := buf.String()
	for _, want := range []string{"msg=requests", "interval=10s", "total=72", "failed=70", "slowest=3ms",
		"PutEvents:ok=2", "PutEvents:ThrottlingException=1", "other:UnknownOperationException="} {
		if !strings.Contains(line, want) {
			t.Errorf("summary lacks %q: %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one line: %s", line)
	}
	if other.n != 72 {
		t.Errorf("the other observer saw %d requests, want 72", other.n)
	}
	buf.Reset()
	a.Flush(time.Second)
	if buf.Len() != 0 {
		t.Fatalf("counts not reset: %s", buf.String())
	}
}

// recordingObserver counts requests.
type recordingObserver struct{ n int }

func (r *recordingObserver) Request(string, string, time.Duration) { r.n++ }
