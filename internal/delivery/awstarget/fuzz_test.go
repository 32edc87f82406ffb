package awstarget

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// FuzzLogEvent: any target input (which comes from events, so from
// partners) gives a log event without panicking; an input that is not the
// two-member template form is the message unchanged, at the event's time.
func FuzzLogEvent(f *testing.F) {
	for _, s := range []string{`{"timestamp":"2026-11-22T13:56:00Z","message":"m"}`, `{"timestamp":1700000000000,"message":{"a":1}}`,
		`{"message":"m"}`, `"text"`, `{"timestamp":null,"message":null}`, ``, `{`} {
		f.Add(s)
	}
	at := time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, input string) {
		msg, ts := logEvent([]byte(input), at)
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(input), &m) != nil || len(m) != 2 || m["message"] == nil || m["timestamp"] == nil {
			if msg != input || !ts.Equal(at) {
				t.Errorf("logEvent(%q) = %q at %v, want the input at the event's time", input, msg, ts)
			}
		}
	})
}

// FuzzPartitionKey: any event and PartitionKeyPath give a partition key
// Kinesis accepts (1 to 256 characters) or a permanent error, never a
// panic.
func FuzzPartitionKey(f *testing.F) {
	f.Add(`{"id":"e","detail":{"k":"v"}}`, "$.detail.k")
	f.Add(`{"id":"e","detail":{"k":""}}`, "$.detail.k")
	f.Add(`{"id":"e","detail":[1,2]}`, "$.detail[1]")
	f.Add(`not json`, "$.x")
	f.Add(`{"id":"e"}`, "x")
	f.Fuzz(func(t *testing.T, envelope, path string) {
		spec, err := json.Marshal(map[string]any{"KinesisParameters": map[string]string{"PartitionKeyPath": path}})
		if err != nil {
			t.Skip()
		}
		j := &delivery.Job{Target: eventbus.Target{ID: "k", Spec: spec}, Event: eventbus.Event{ID: "event-id", Envelope: []byte(envelope)}}
		key, err := partitionKey(j)
		if err != nil {
			if e := delivery.Classify(err); e.Retryable {
				t.Errorf("retryable error %v", err)
			}
			return
		}
		if n := utf8.RuneCountInString(key); n < 1 || n > maxPartitionKey {
			t.Errorf("partition key %q: %d characters", key, n)
		}
	})
}
