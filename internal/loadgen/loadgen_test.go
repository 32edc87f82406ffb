package loadgen

import "testing"

// TestBenchFlags refuses flag combinations the load tool cannot run.
func TestBenchFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--op", "x"}, {"--batch", "21"}, {"--op", "events", "--batch", "11"}, {"--clients", "0"}, {"--size", "1"}, {"--sink", "kafka"}, {"--sink", "sqs", "--endpoint", "http://127.0.0.1:1"}, {"--null-server", "--sink", "sqs"}, {"--warmup", "-1s"}, {"--null-server", "--sink", "http"}, {"--null-server", "--endpoint", "http://127.0.0.1:1"}} {
		if _, err := ParseFlags(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestSentStamp reads the receiver's send stamp out of envelopes as the
// router delivers them, and 0 from events without one.
func TestSentStamp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		envelope string
		want     int64
	}{
		{`{"version":"0","id":"x","detail-type":"bench","source":"s","account":"1","time":"t","region":"r","resources":[],"detail":{"sent":1795369178983224087,"pad":"xx"}}`, 1795369178983224087},
		{`{"version":"0","detail":{"sent":42}}`, 42},
		{`{"version":"0","detail":{"pad":"xx"}}`, 0},
		{`{"version":"0","detail":{"sent":"no"}}`, 0},
		{`{"version":"0","detail":{"sent":`, 0},
		{``, 0},
	} {
		if got := sentStamp([]byte(c.envelope)); got != c.want {
			t.Errorf("sentStamp(%s) = %d, want %d", c.envelope, got, c.want)
		}
	}
}
