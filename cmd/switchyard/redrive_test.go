package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// TestDeadLetterRedrive dead-letters events for a target that is down,
// then, the target back, redrives one by its sequence and the rest by
// target against the running server: each is delivered again with its id,
// and leaves the dead letters. A letter whose target was removed from its
// rule is skipped and kept.
func TestDeadLetterRedrive(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	var down atomic.Bool
	down.Store(true)
	flaky, gone := sqsARN(customerAcct, "flaky"), sqsARN(customerAcct, "gone")
	p := &probe{fail: func(h probeHit) error {
		if down.Load() || h.Target == gone {
			return delivery.Permanent(delivery.CodeNoResource, "queue unavailable")
		}
		return nil
	}}
	m, _, tb := routedServer(t, dir, p, nil)
	c := clientFor(m, customerAcct)
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, target("flaky", flaky))
	putRule(t, c, "default", "r2", `{"source":["other"]}`, types.RuleStateEnabled, target("gone", gone))
	waitRules(t, tb, customerAcct, "default", 2)
	ids := []string{putEvent(t, c, "default", "app", `{"n":1}`), putEvent(t, c, "default", "app", `{"n":2}`), putEvent(t, c, "default", "app", `{"n":3}`)}
	goneID := putEvent(t, c, "default", "other", `{}`)
	dead := waitDeadLetters(t, m, 4)
	waitIdle(t, m)
	down.Store(false)
	must[*eventbridge.RemoveTargetsOutput](t)(c.RemoveTargets(context.Background(), &eventbridge.RemoveTargetsInput{
		Rule: aws.String("r2"), Ids: []string{"gone"}}))

	var first uint64
	for _, dl := range dead {
		if dl.Headers[delivery.MetaEventID] == ids[0] {
			first = dl.Seq
		}
	}
	var out jsonLines // show takes its flags after SEQ too
	if err := runDeadLetters(context.Background(), []string{"show", strconv.FormatUint(first, 10), "--data-dir", dir}, noEnv, &out); err != nil {
		t.Fatalf("show: %v", err)
	}
	var shown deadLetterLine
	if lines := out.lines(t); len(lines) != 1 || json.Unmarshal(lines[0], &shown) != nil || shown.Seq != first || shown.Switchyard["Event-Id"] != ids[0] {
		t.Fatalf("show %d: %s", first, out.buf)
	}
	out = jsonLines{}
	if err := runDeadLetters(context.Background(), []string{"redrive", "--data-dir", dir, "--seq", strconv.FormatUint(first, 10)}, noEnv, &out); err != nil {
		t.Fatalf("redrive --seq: %v: %s", err, out.buf)
	}
	p.waitDelivered(t, flaky, ids[:1], 20*time.Second)
	out = jsonLines{}
	if err := runDeadLetters(context.Background(), []string{"redrive", "--data-dir", dir, "--all", "--target", flaky}, noEnv, &out); err != nil {
		t.Fatalf("redrive --all --target: %v: %s", err, out.buf)
	}
	if n := len(out.lines(t)); n != 2 {
		t.Fatalf("redrive --all --target %s: %d lines, want 2: %s", flaky, n, out.buf)
	}
	p.waitDelivered(t, flaky, ids, 20*time.Second)
	out = jsonLines{}
	if err := runDeadLetters(context.Background(), []string{"redrive", "--data-dir", dir, "--all"}, noEnv, &out); err == nil {
		t.Fatalf("redrive of a letter whose target is gone succeeded: %s", out.buf)
	}
	var line redriveLine
	if lines := out.lines(t); len(lines) != 1 || json.Unmarshal(lines[0], &line) != nil || line.Result != "skipped" || line.EventID != goneID {
		t.Fatalf("redrive --all with the target gone: %s", out.buf)
	}
	waitIdle(t, m)
	left := listDeadLetters(t, m)
	if len(left) != 1 || left[0].Headers[delivery.MetaEventID] != goneID {
		t.Fatalf("dead letters left: %+v", left)
	}
	for _, id := range ids {
		hits := 0
		for _, h := range p.to(flaky) {
			if h.EventID == id && h.Attempt == 1 {
				hits++
			}
		}
		if hits != 2 { // the failed first delivery and the redriven one
			t.Errorf("event %s: %d first attempts, want 2", id, hits)
		}
	}
}

// TestDeadLettersWithoutClientURL: a running server started with
// --nats-listen "" advertises nothing (and removes a stale URL), and the
// tools say so rather than open its files.
func TestDeadLettersWithoutClientURL(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	// A URL left by a process killed before it could remove it.
	if err := os.WriteFile(filepath.Join(dir, clientURLFile), []byte("nats://stale@127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startServer(t, dir, func(c *Config) { c.NATSListen = "" })
	var out jsonLines
	err := runDeadLetters(context.Background(), []string{"--data-dir", dir}, noEnv, &out)
	if err == nil || !strings.Contains(err.Error(), "--nats-listen") {
		t.Fatalf("deadletters on a server without --nats-listen: %v", err)
	}
}
