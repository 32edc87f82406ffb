package buslog

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// fakeBuses is a buses store whose watch the test feeds.
type fakeBuses struct {
	ch chan eventbus.RecordChange[eventbus.Bus]
}

func (f *fakeBuses) Watch(context.Context, ...string) (<-chan eventbus.RecordChange[eventbus.Bus], error) {
	return f.ch, nil
}

// memSink keeps the records written.
type memSink struct {
	mu      sync.Mutex
	records []Record
}

func (s *memSink) Write(_, _ string, data []byte) error {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, r)
	return nil
}

func put(account, name, level, detail string) eventbus.RecordChange[eventbus.Bus] {
	return eventbus.RecordChange[eventbus.Bus]{Op: eventbus.OpPut, Key: []string{account, name},
		Value: eventbus.Bus{Account: account, Name: name, LogConfig: &eventbus.LogConfig{Level: level, IncludeDetail: detail}}}
}

// started returns a Logger that knows the buses in changes.
func started(t *testing.T, changes ...eventbus.RecordChange[eventbus.Bus]) (*Logger, *memSink, *fakeBuses) {
	t.Helper()
	sink := &memSink{}
	l := New(Config{Region: "us-east-1", Sinks: []Sink{sink}, Now: func() time.Time { return time.UnixMilli(1000) }})
	f := &fakeBuses{ch: make(chan eventbus.RecordChange[eventbus.Bus], 16)}
	for _, c := range changes {
		f.ch <- c
	}
	f.ch <- eventbus.RecordChange[eventbus.Bus]{Op: eventbus.OpSynced}
	if err := l.Start(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(context.Background()) })
	return l, sink, f
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		want Level
	}{
		{EventReceipt, Trace}, {EventIngestSuccess, Info}, {EventIngestFailure, Error},
		{RuleMatchStart, Trace}, {RuleMatch, Info}, {NoStandardRulesMatched, Trace},
		{InvocationStart, Trace}, {InvocationAttemptStart, Trace}, {InvocationAttemptSuccess, Trace},
		{InvocationAttemptRetryableFailure, Error}, {InvocationAttemptPermanentFailure, Error},
		{InvocationSuccess, Info}, {InvocationFailure, Error}, {InvocationDLQ, Error},
	} {
		if got := LevelOf(tc.typ); got != tc.want {
			t.Errorf("LevelOf(%s) = %s, want %s", tc.typ, got, tc.want)
		}
	}
	for _, s := range []string{"", "OFF", "bogus"} {
		if ParseLevel(s) != Off {
			t.Errorf("ParseLevel(%q) is not Off", s)
		}
	}
}

// TestLoggerFollowsBuses: only buses with a level log, and a change of
// LogConfig or a deleted bus reaches the cache.
func TestLoggerFollowsBuses(t *testing.T) {
	l, _, f := started(t, put("1", "a", "INFO", ""), put("1", "b", "OFF", ""), put("1", "c", "", ""))
	if !l.Enabled("1", "a") || l.Enabled("1", "b") || l.Enabled("1", "c") || l.Enabled("2", "a") {
		t.Fatal("enabled buses: want only 1/a")
	}
	f.ch <- put("1", "b", "ERROR", "")
	f.ch <- eventbus.RecordChange[eventbus.Bus]{Op: eventbus.OpDelete, Key: []string{"1", "a"}}
	for deadline := time.Now().Add(5 * time.Second); l.Enabled("1", "a") || !l.Enabled("1", "b"); {
		if time.Now().After(deadline) {
			t.Fatal("changes did not reach the cache")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRecordsByLevel: a bus gets the records of its level and below, with
// the event only when IncludeDetail is FULL.
func TestRecordsByLevel(t *testing.T) {
	l, sink, _ := started(t, put("1", "info", "INFO", "NONE"), put("1", "full", "TRACE", "FULL"))
	for _, bus := range []string{"info", "full", "off"} {
		ev := eventbus.BusEvent{Account: "1", Bus: bus, Event: eventbus.Event{ID: "e-" + bus,
			Envelope: []byte(`{"source":"app","detail-type":"T","detail":{}}`)}}
		l.Received("1", "req-1", []eventbus.BusEvent{ev})
		l.Ingested("1", "req-1", []eventbus.BusEvent{ev}, nil)
		l.Routed(ev, nil)
		job := &delivery.Job{Account: "1", Bus: bus, RuleArn: "rule", Target: eventbus.Target{ID: "t", Arn: "arn"}, Event: ev.Event}
		l.Attempting(job, 1)
		l.Attempted(job, 1, []byte(`{}`), delivery.AttemptFailed, &delivery.Error{Code: "X", Message: "no"})
	}
	_ = l.Close(context.Background())
	var info, full []string
	for _, r := range sink.records {
		switch r.EventID {
		case "e-info":
			info = append(info, r.MessageType)
			if r.Details.Event != nil {
				t.Errorf("NONE record %s carries the event", r.MessageType)
			}
		case "e-full":
			full = append(full, r.MessageType)
			if r.MessageType == EventReceipt && (r.Details.Event == nil || r.Details.Source != "app" || r.MessageTimestampMs != 1000) {
				t.Errorf("FULL receipt %+v", r)
			}
		default:
			t.Errorf("record of a bus that does not log: %+v", r)
		}
		ingest := r.MessageType == EventReceipt || r.MessageType == EventIngestSuccess
		if ingest && r.RequestID != "req-1" || !ingest && r.RequestID != "" {
			t.Errorf("%s record's request_id %q", r.MessageType, r.RequestID)
		}
	}
	wantInfo := []string{EventIngestSuccess, InvocationAttemptPermanentFailure, InvocationFailure}
	wantFull := []string{EventReceipt, EventIngestSuccess, RuleMatchStart, NoStandardRulesMatched, InvocationStart,
		InvocationAttemptStart, InvocationAttemptPermanentFailure, InvocationFailure}
	if !equal(info, wantInfo) || !equal(full, wantFull) {
		t.Fatalf("INFO bus wrote %v, want %v; TRACE bus wrote %v, want %v", info, wantInfo, full, wantFull)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkOff is what the hooks cost one 20-event request, its routing and
// one delivery attempt per event while the bus logs nothing (another bus
// does, so the cache is not empty).
func BenchmarkOff(b *testing.B) {
	l := New(Config{Region: "us-east-1"})
	f := &fakeBuses{ch: make(chan eventbus.RecordChange[eventbus.Bus], 2)}
	f.ch <- put("1", "other", "TRACE", "FULL")
	f.ch <- eventbus.RecordChange[eventbus.Bus]{Op: eventbus.OpSynced}
	if err := l.Start(context.Background(), f); err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	events := make([]eventbus.BusEvent, 20)
	for i := range events {
		events[i] = eventbus.BusEvent{Account: "1", Bus: "orders", Event: eventbus.Event{ID: "e", Envelope: []byte(`{}`)}}
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Received("1", "req-2", events)
		l.Ingested("1", "req-2", events, nil)
		for i := range events {
			if l.Enabled(events[i].Account, events[i].Bus) { // router
				b.Fatal("enabled")
			}
			if l.Enabled(events[i].Account, events[i].Bus) { // delivery
				b.Fatal("enabled")
			}
		}
	}
}
