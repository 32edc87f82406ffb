package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/buslog"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// TestBusLogRecords puts one event on each of three buses whose rule's
// target fails once and then takes the event: a bus at OFF writes no
// records, one at ERROR only the failed attempt, and one at TRACE with
// FULL detail every step, in order, read back from the bus log stream.
func TestBusLogRecords(t *testing.T) {
	parallel(t)
	p := &probe{}
	p.fail = func(h probeHit) error {
		if h.Attempt == 1 {
			return delivery.Retryable(delivery.CodeThrottling, "slow down")
		}
		return nil
	}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	c := clientFor(m, customerAcct)
	ctx := context.Background()
	logged := func(name, level, detail string) {
		in := &eventbridge.CreateEventBusInput{Name: aws.String(name)}
		if level != "" {
			in.LogConfig = &types.LogConfig{Level: types.Level(level), IncludeDetail: types.IncludeDetail(detail)}
		}
		must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, in))
		putRule(t, c, name, "r", `{"source":["app"]}`, types.RuleStateEnabled, target("t", sqsARN(customerAcct, name)))
		waitRules(t, tb, customerAcct, name, 1)
		for deadline := time.Now().Add(testWait); m.busLog.Enabled(customerAcct, name) != (level != ""); {
			if time.Now().After(deadline) {
				t.Fatalf("bus logger has not seen bus %s", name)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	logged("quiet", "", "")
	logged("errors", "ERROR", "NONE")
	logged("traced", "TRACE", "FULL")
	// One bus after the other: a bus's records are written in the order
	// they were made, so when the last bus's are there, so are the others'.
	var ids []string
	for _, bus := range []string{"quiet", "errors", "traced"} {
		ids = append(ids, putEvent(t, c, bus, "app", `{"order":"A-1"}`))
		p.waitFor(t, sqsARN(customerAcct, bus), 2)
	}

	logs := must[*jetstream.BusLogs](t)(m.conn.OpenBusLogs(ctx, jetstream.BusLogConfig{}))
	traced := readRecords(t, logs, "traced", func(r []buslog.Record) bool {
		return len(r) > 0 && r[len(r)-1].MessageType == buslog.InvocationSuccess
	})
	var kinds []string
	for _, r := range traced {
		kinds = append(kinds, r.MessageType)
		if r.EventID != ids[2] || r.ResourceArn != "arn:aws:events:us-east-1:"+customerAcct+":event-bus/traced" {
			t.Errorf("record %+v: want event %s of bus traced", r, ids[2])
		}
	}
	// EVENT_INGEST_SUCCESS is written once the append returns, by which
	// time routing may have started: it comes after EVENT_RECEIPT, and
	// everything else in order.
	i := slices.Index(kinds, buslog.EventIngestSuccess)
	if i < 1 {
		t.Fatalf("record types %v: want EVENT_INGEST_SUCCESS after EVENT_RECEIPT", kinds)
	}
	rest := slices.Delete(slices.Clone(kinds), i, i+1)
	want := []string{buslog.EventReceipt, buslog.RuleMatchStart, buslog.RuleMatch, buslog.InvocationStart,
		buslog.InvocationAttemptStart, buslog.InvocationAttemptRetryableFailure,
		buslog.InvocationAttemptStart, buslog.InvocationAttemptSuccess, buslog.InvocationSuccess}
	if !slices.Equal(rest, want) {
		t.Fatalf("record types %v, want %v with EVENT_INGEST_SUCCESS after EVENT_RECEIPT", kinds, want)
	}
	byType := map[string]buslog.Record{}
	for _, r := range traced {
		byType[r.MessageType] = r
	}
	if r := byType[buslog.EventReceipt]; r.LogLevel != "TRACE" || r.Details.Source != "app" || r.Details.CallerAccountID != customerAcct || len(r.Details.Event) == 0 {
		t.Errorf("EVENT_RECEIPT %+v", r)
	}
	// The request's id (its x-amzn-RequestId) on both ingest records.
	if rcpt, ing := byType[buslog.EventReceipt], byType[buslog.EventIngestSuccess]; len(rcpt.RequestID) != 36 || ing.RequestID != rcpt.RequestID {
		t.Errorf("request_id %q on EVENT_RECEIPT, %q on EVENT_INGEST_SUCCESS: want the request's id on both", rcpt.RequestID, ing.RequestID)
	}
	if r := byType[buslog.RuleMatch]; r.LogLevel != "INFO" || r.Details.RuleArn != ruleARN(customerAcct, "traced", "r") {
		t.Errorf("RULE_MATCH %+v", r)
	}
	fail, ok := byType[buslog.InvocationAttemptRetryableFailure], byType[buslog.InvocationAttemptSuccess]
	if fail.LogLevel != "ERROR" || fail.Error == nil || fail.Error.ErrorMessage != "THROTTLING: slow down" || fail.Details.AttemptCount != 1 {
		t.Errorf("INVOCATION_ATTEMPT_RETRYABLE_FAILURE %+v", fail)
	}
	if ok.InvocationID == "" || ok.InvocationID != fail.InvocationID || ok.Details.AttemptCount != 2 ||
		ok.Details.TargetArn != sqsARN(customerAcct, "traced") || len(ok.Details.TargetInput) == 0 {
		t.Errorf("INVOCATION_ATTEMPT_SUCCESS %+v (failure's invocation %s)", ok, fail.InvocationID)
	}

	errs := readRecords(t, logs, "errors", func(r []buslog.Record) bool { return len(r) > 0 })
	if len(errs) != 1 || errs[0].MessageType != buslog.InvocationAttemptRetryableFailure || errs[0].EventID != ids[1] ||
		errs[0].LogLevel != "ERROR" || errs[0].Details.Event != nil {
		t.Fatalf("bus at ERROR/NONE wrote %+v, want its one failed attempt without the event", errs)
	}
	// switchyard tail --logs prints the same records, one per line.
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out := &lockedLines{}
	done := make(chan error, 1)
	go func() {
		done <- runTail(tctx, []string{"--logs", "--since", "1h", "--bus", "traced", "--data-dir", m.Config.DataDir}, noEnv, out, io.Discard)
	}()
	for out.count() < len(traced) && tctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("tail --logs: %v", err)
	}
	if lines := out.lines(t); len(lines) != len(traced) || !bytes.Contains(lines[0], []byte(`"message_type":"EVENT_RECEIPT"`)) {
		t.Fatalf("tail --logs printed %d lines, want %d starting with EVENT_RECEIPT: %s", len(lines), len(traced), out.buf)
	}

	st := must[natsjs.Stream](t)(m.conn.JetStream().Stream(ctx, jetstream.DefaultBusLogStream))
	if n := st.CachedInfo().State.Msgs; n != uint64(len(traced)+len(errs)) {
		t.Fatalf("bus log stream holds %d records, want %d: the bus at OFF wrote some", n, len(traced)+len(errs))
	}
}

// readRecords follows the records of customerAcct's bus from the start of
// the stream until done says it has them all.
func readRecords(t *testing.T, logs *jetstream.BusLogs, bus string, done func([]buslog.Record) bool) []buslog.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []buslog.Record
	err := logs.Follow(ctx, customerAcct, bus, time.Hour, nil, func(data []byte) error {
		var r buslog.Record
		if err := json.Unmarshal(data, &r); err != nil {
			t.Errorf("record %s: %v", data, err)
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
		if done(got) {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !done(got) {
		t.Fatalf("bus %s: records so far %+v", bus, got)
	}
	return got
}

// lockedLines is a jsonLines written from another goroutine.
type lockedLines struct {
	mu sync.Mutex
	jsonLines
}

func (l *lockedLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.jsonLines.Write(p)
}

func (l *lockedLines) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Count(l.buf, []byte("\n"))
}
