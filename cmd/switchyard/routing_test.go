package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// A probeHit is one delivery a probe received.
type probeHit struct {
	Target, RuleArn, EventID, Input, Envelope string
	Attempt                                   int
	DeadLetter                                map[string]string
}

// A probe is a target kind standing in for a real service: it accepts SQS
// ARNs, records every delivery, and fails as its fail function says. It is
// the tests' window on what switchyard delivers.
type probe struct {
	mu   sync.Mutex
	hits []probeHit
	fail func(h probeHit) error // nil: every delivery succeeds
}

func (p *probe) Send(_ context.Context, d delivery.Delivery) error {
	h := probeHit{Target: d.Job.Target.Arn, RuleArn: d.Job.RuleArn, EventID: d.Job.Event.ID, Input: string(d.Input),
		Envelope: string(d.Job.Event.Envelope), Attempt: d.Attempt, DeadLetter: d.Job.DeadLetter}
	p.mu.Lock()
	p.hits = append(p.hits, h)
	fail := p.fail
	p.mu.Unlock()
	if fail != nil {
		return fail(h)
	}
	return nil
}

func (p *probe) kind() delivery.Kind {
	return delivery.Kind{Name: "probe", Accepts: func(a eventbus.ARN) bool { return a.Service == "sqs" }, Sender: p}
}

// to returns the deliveries to target so far.
func (p *probe) to(target string) []probeHit {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []probeHit
	for _, h := range p.hits {
		if h.Target == target {
			out = append(out, h)
		}
	}
	return out
}

// waitDelivered waits until target has had a delivery of every event in
// ids, failing the test with the number missing when within doesn't see
// them all.
func (p *probe) waitDelivered(t *testing.T, target string, ids []string, within time.Duration) {
	t.Helper()
	if missing := p.undelivered(target, ids, within); len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged events not delivered to %s", len(missing), len(ids), target)
	}
}

// undelivered waits until every one of ids was delivered to target, for
// at most within, and returns those that were not.
func (p *probe) undelivered(target string, ids []string, within time.Duration) []string {
	deadline := time.Now().Add(within)
	for {
		seen := map[string]bool{}
		for _, h := range p.to(target) {
			seen[h.EventID] = true
		}
		var missing []string
		for _, id := range ids {
			if !seen[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			return missing
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor waits until target has had n deliveries and returns them.
func (p *probe) waitFor(t *testing.T, target string, n int) []probeHit {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		if got := p.to(target); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d deliveries after %v, want %d", target, len(p.to(target)), testWait, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sqsARN(account, name string) string { return "arn:aws:sqs:us-east-1:" + account + ":" + name }

// routedServer starts a server whose retries are fast and whose SQS targets
// go to p; it returns the router's table so a test can wait for its rules.
func routedServer(t *testing.T, dir string, p *probe, configure func(*Config)) (*Main, func(), *router.Table) {
	t.Helper()
	var table *router.Table
	m, stop := startServer(t, dir, func(c *Config) {
		c.Routing.BackoffBase = 10 * time.Millisecond
		c.Routing.BackoffMax = 50 * time.Millisecond
		c.Routing.ExtraKinds = delivery.Kinds{p.kind()}
		c.Routing.Observe = func(tb *router.Table) { table = tb }
		if configure != nil {
			configure(c)
		}
	})
	return m, stop, table
}

// waitRules waits until the router routes n rules of account's bus.
func waitRules(t *testing.T, tb *router.Table, account, bus string, n int) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for tb.Rules(account, bus) != n {
		if time.Now().After(deadline) {
			t.Fatalf("router has %d rules on %s/%s, want %d", tb.Rules(account, bus), account, bus, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitIdle waits until routing and delivery are idle, so that a negative
// check made after it ("nothing more arrived") is final: see routingIdle.
func waitIdle(t *testing.T, m *Main) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		busy, err := routingIdle(context.Background(), m.conn.JetStream())
		if err != nil {
			t.Fatal(err)
		}
		if busy == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("routing not idle after %v: %s", testWait, busy)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// routingIdle returns "" when every consumer of the event log (the
// router's, and any test's tap) has acknowledged every event, so each was
// routed and its jobs queued; the delivery queue is empty, so every job was
// delivered or dead-lettered (a job waiting for a retry is still queued);
// and the log did not grow meanwhile. Otherwise it says what is still busy.
func routingIdle(ctx context.Context, js natsjs.JetStream) (busy string, err error) {
	// js.Stream reads the stream's info: CachedInfo is as of that call.
	events, err := js.Stream(ctx, jetstream.DefaultLogStream)
	if err != nil {
		return "", err
	}
	consumers := events.ListConsumers(ctx)
	for ci := range consumers.Info() {
		if ci.NumPending > 0 || ci.NumAckPending > 0 {
			busy = fmt.Sprintf("log consumer %s has %d events to read, %d unacknowledged", ci.Name, ci.NumPending, ci.NumAckPending)
		}
	}
	if err := consumers.Err(); err != nil || busy != "" {
		return busy, err
	}
	queue, err := js.Stream(ctx, jetstream.DefaultQueueStream)
	if err != nil {
		return "", err
	}
	if n := queue.CachedInfo().State.Msgs; n > 0 {
		return fmt.Sprintf("%d batches queued for delivery", n), nil
	}
	again, err := js.Stream(ctx, jetstream.DefaultLogStream)
	if err != nil {
		return "", err
	}
	if again.CachedInfo().State.LastSeq != events.CachedInfo().State.LastSeq {
		return "the event log grew", nil
	}
	return "", nil
}

// A skewClock runs ahead of time.Now by a skew a test advances.
type skewClock struct {
	mu   sync.Mutex
	skew time.Duration // guarded by mu
}

func (c *skewClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

func (c *skewClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew += d
}

// putRule creates a rule with targets through the SDK.
func putRule(t *testing.T, c *eventbridge.Client, bus, name, pattern string, state types.RuleState, targets ...types.Target) {
	t.Helper()
	ctx := context.Background()
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(name), EventBusName: aws.String(bus), EventPattern: aws.String(pattern), State: state}))
	if len(targets) == 0 {
		return
	}
	out := must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String(name), EventBusName: aws.String(bus), Targets: targets}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %+v", out.FailedEntries)
	}
}

func target(id, arn string) types.Target {
	return types.Target{Id: aws.String(id), Arn: aws.String(arn)}
}

// putEvent puts one event on bus and returns its id.
func putEvent(t *testing.T, c *eventbridge.Client, bus, source, detail string) string {
	t.Helper()
	out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{EventBusName: aws.String(bus), Source: aws.String(source), DetailType: aws.String("Test"), Detail: aws.String(detail)},
	}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v", out.Entries[0])
	}
	return aws.ToString(out.Entries[0].EventId)
}

func createBus(t *testing.T, c *eventbridge.Client, name string) {
	t.Helper()
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{Name: aws.String(name)}))
}

// listDeadLetters reads the dead-letter stream of a running server.
func listDeadLetters(t *testing.T, m *Main) []jetstream.DeadLetter {
	t.Helper()
	d, err := m.conn.OpenDeadLetters(context.Background(), jetstream.DeadLetterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.DeadLetter
	if err := d.List(context.Background(), "", func(dl jetstream.DeadLetter) error {
		out = append(out, dl)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitDeadLetters waits until the server holds n dead letters.
func waitDeadLetters(t *testing.T, m *Main, n int) []jetstream.DeadLetter {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		got := listDeadLetters(t, m)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d dead letters after %v, want %d", len(got), testWait, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantAttrs checks a dead letter's AWS attributes; a missing key in want
// must be absent.
func wantAttrs(t *testing.T, dl jetstream.DeadLetter, want map[string]string) {
	t.Helper()
	for _, k := range []string{"RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE", "EXHAUSTED_RETRY_CONDITION", "RETRY_ATTEMPTS"} {
		got, ok := dl.Headers[k]
		w, expected := want[k]
		switch {
		case expected && w == "*" && (!ok || got == ""):
			t.Errorf("dead letter lacks %s: %v", k, dl.Headers)
		case expected && w != "*" && got != w:
			t.Errorf("dead letter %s = %q, want %q", k, got, w)
		case !expected && ok:
			t.Errorf("dead letter has %s = %q, want none", k, got)
		}
	}
}

// TestRoutingBusToBus puts an event on a bus whose rule forwards it to
// another bus, whose own rule sends it on to a probe: the event arrives on
// the second bus with its id, one hop further, and is routed there. A
// disabled rule delivers nothing; a target's InputPath shapes what it gets.
func TestRoutingBusToBus(t *testing.T) {
	parallel(t)
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	c := clientFor(m, customerAcct)
	tap := tapLog(t, m)
	createBus(t, c, "orders")
	createBus(t, c, "audit")
	auditARN := eventbus.BusARN("us-east-1", customerAcct, "audit")
	shaped := target("shaped", sqsARN(customerAcct, "shaped"))
	shaped.InputPath = aws.String("$.detail.order")
	templated := target("templated", sqsARN(customerAcct, "templated"))
	templated.InputTransformer = &types.InputTransformer{InputPathsMap: map[string]string{"n": "$.detail.order.n"},
		InputTemplate: aws.String(`{"count": <n>, "rule": <aws.events.rule-name>}`)}
	putRule(t, c, "orders", "to-audit", `{"source":["shop"]}`, types.RuleStateEnabled,
		target("bus", auditARN), shaped, templated)
	putRule(t, c, "orders", "off", `{"source":["shop"]}`, types.RuleStateDisabled, target("off", sqsARN(customerAcct, "off")))
	putRule(t, c, "audit", "watch", `{"source":["shop"]}`, types.RuleStateEnabled, target("probe", sqsARN(customerAcct, "audit-probe")))
	waitRules(t, tb, customerAcct, "orders", 1)
	waitRules(t, tb, customerAcct, "audit", 1)

	id := putEvent(t, c, "orders", "shop", `{"order":{"n":7}}`)
	putEvent(t, c, "orders", "elsewhere", `{}`)
	hits := p.waitFor(t, sqsARN(customerAcct, "audit-probe"), 1)
	if h := hits[0]; h.EventID != id || h.RuleArn != ruleARN(customerAcct, "audit", "watch") {
		t.Fatalf("audit probe got %+v", h)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(hits[0].Input), &env); err != nil || env["id"] != id || env["account"] != customerAcct {
		t.Fatalf("audit probe input %s (%v): want the original envelope", hits[0].Input, err)
	}
	if got := p.waitFor(t, sqsARN(customerAcct, "shaped"), 1); got[0].Input != `{"n":7}` {
		t.Fatalf("InputPath target got %q", got[0].Input)
	}
	if got := p.waitFor(t, sqsARN(customerAcct, "templated"), 1); got[0].Input != `{"count": 7, "rule": "to-audit"}` {
		t.Fatalf("InputTransformer target got %q", got[0].Input)
	}
	var onAudit []storedEvent
	for _, e := range tap.until(id) {
		if e.Bus == "audit" {
			onAudit = append(onAudit, e)
		}
	}
	for len(onAudit) == 0 {
		select {
		case e := <-tap.ch:
			if e.Bus == "audit" {
				onAudit = append(onAudit, e)
			}
		case <-time.After(testWait):
			t.Fatal("the event never reached the audit bus's log")
		}
	}
	if e := onAudit[0]; e.Event.ID != id || e.Event.Hops != 1 || e.Account != customerAcct {
		t.Fatalf("on the audit bus: %+v", e)
	}

	// The other event matched nothing; the disabled rule delivered nothing.
	waitIdle(t, m)
	if n := len(p.to(sqsARN(customerAcct, "audit-probe"))); n != 1 {
		t.Errorf("audit probe has %d deliveries, want 1", n)
	}
	if got := p.to(sqsARN(customerAcct, "off")); len(got) != 0 {
		t.Errorf("disabled rule delivered %+v", got)
	}

	// Enabling the rule takes effect for the next event.
	must[*eventbridge.EnableRuleOutput](t)(c.EnableRule(context.Background(), &eventbridge.EnableRuleInput{Name: aws.String("off"), EventBusName: aws.String("orders")}))
	waitRules(t, tb, customerAcct, "orders", 2)
	id2 := putEvent(t, c, "orders", "shop", `{}`)
	if got := p.waitFor(t, sqsARN(customerAcct, "off"), 1); got[0].EventID != id2 {
		t.Fatalf("enabled rule delivered %+v", got)
	}
}

// TestRoutingCrossAccount forwards to another account's bus: refused (a
// dead letter, NO_PERMISSIONS, no retry) until that account's policy allows
// the sender, delivered after.
func TestRoutingCrossAccount(t *testing.T) {
	parallel(t)
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	ctx := context.Background()
	sender, receiver := clientFor(m, customerAcct), clientFor(m, otherAcct)
	createBus(t, receiver, "inbox")
	inboxARN := eventbus.BusARN("us-east-1", otherAcct, "inbox")
	putRule(t, receiver, "inbox", "seen", `{"source":["shop"]}`, types.RuleStateEnabled, target("p", sqsARN(otherAcct, "inbox-probe")))
	putRule(t, sender, "default", "share", `{"source":["shop"]}`, types.RuleStateEnabled, target("remote", inboxARN))
	waitRules(t, tb, otherAcct, "inbox", 1)
	waitRules(t, tb, customerAcct, "default", 1)

	refused := putEvent(t, sender, "default", "shop", `{}`)
	dead := waitDeadLetters(t, m, 1)
	wantAttrs(t, dead[0], map[string]string{
		"RULE_ARN": ruleARN(customerAcct, "default", "share"), "TARGET_ARN": inboxARN,
		"ERROR_CODE": "NO_PERMISSIONS", "ERROR_MESSAGE": "*", "RETRY_ATTEMPTS": "0",
	})
	if dead[0].Account != customerAcct || dead[0].Headers["Switchyard-Event-Id"] != refused {
		t.Errorf("dead letter %+v", dead[0])
	}

	must[*eventbridge.PutPermissionOutput](t)(receiver.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("inbox"),
		Action: aws.String("events:PutEvents"), Principal: aws.String(customerAcct), StatementId: aws.String("sender")}))
	id := putEvent(t, sender, "default", "shop", `{"k":1}`)
	hits := p.waitFor(t, sqsARN(otherAcct, "inbox-probe"), 1)
	var env map[string]any
	if err := json.Unmarshal([]byte(hits[0].Envelope), &env); err != nil || hits[0].EventID != id || env["account"] != customerAcct {
		t.Fatalf("receiver got %+v: want the sender's event, unchanged", hits[0])
	}
	if n := len(listDeadLetters(t, m)); n != 1 {
		t.Errorf("%d dead letters, want still 1", n)
	}
	if got := p.to(sqsARN(otherAcct, "inbox-probe")); len(got) != 1 {
		t.Errorf("the refused event reached the receiver: %+v", got)
	}
}

// TestRoutingHopLimit forwards an event around a cycle of two buses: it is
// forwarded eventbus.MaxHops times, then refused with a dead letter.
func TestRoutingHopLimit(t *testing.T) {
	parallel(t)
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	c := clientFor(m, customerAcct)
	tap := tapLog(t, m)
	createBus(t, c, "ping")
	createBus(t, c, "pong")
	putRule(t, c, "ping", "fwd", `{"source":["loop"]}`, types.RuleStateEnabled, target("t", eventbus.BusARN("us-east-1", customerAcct, "pong")))
	putRule(t, c, "pong", "fwd", `{"source":["loop"]}`, types.RuleStateEnabled, target("t", eventbus.BusARN("us-east-1", customerAcct, "ping")))
	waitRules(t, tb, customerAcct, "ping", 1)
	waitRules(t, tb, customerAcct, "pong", 1)

	id := putEvent(t, c, "ping", "loop", `{}`)
	dead := waitDeadLetters(t, m, 1)
	wantAttrs(t, dead[0], map[string]string{
		"RULE_ARN": "*", "TARGET_ARN": "*", "ERROR_CODE": "THIRD_ACCOUNT_HOP_DETECTED", "ERROR_MESSAGE": "*", "RETRY_ATTEMPTS": "0",
	})
	var hops []uint8
	for len(hops) < eventbus.MaxHops+1 {
		select {
		case e := <-tap.ch:
			if e.Event.ID == id {
				hops = append(hops, e.Event.Hops)
			}
		case <-time.After(testWait):
			t.Fatalf("hops seen: %v", hops)
		}
	}
	if want := []uint8{0, 1, 2, 3, 4, 5}; !slices.Equal(hops, want) {
		t.Fatalf("hops %v, want %v", hops, want)
	}
	waitIdle(t, m) // the tap's consumer too: every event the log holds is in tap.ch
	select {
	case e := <-tap.ch:
		t.Fatalf("forwarded past the limit: %+v", e)
	default:
	}
}

// TestRoutingRetriesAndDeadLetters: a target failing twice is delivered on
// the third attempt; one that keeps failing is dead-lettered when its
// MaximumRetryAttempts or its MaximumEventAgeInSeconds runs out, with AWS's
// attributes, and handed to its DeadLetterArn when switchyard can deliver
// there.
func TestRoutingRetriesAndDeadLetters(t *testing.T) {
	parallel(t)
	clock := &skewClock{} // the delivery clock
	p := &probe{}
	flaky, broken, aging, dlq := sqsARN(customerAcct, "flaky"), sqsARN(customerAcct, "broken"), sqsARN(customerAcct, "aging"), sqsARN(customerAcct, "dlq")
	p.fail = func(h probeHit) error {
		switch {
		case h.Target == flaky && h.Attempt <= 2:
			return delivery.Retryable(delivery.CodeThrottling, "slow down (attempt %d)", h.Attempt)
		case h.Target == broken:
			return fmt.Errorf("connection reset (attempt %d)", h.Attempt)
		case h.Target == aging:
			clock.Advance(61 * time.Second) // each try takes a minute: past the 60 s age after one
			return delivery.Retryable(delivery.CodeErrorFromTarget, "500")
		}
		return nil
	}
	m, _, tb := routedServer(t, t.TempDir(), p, func(c *Config) { c.Routing.Now = clock.Now })
	c := clientFor(m, customerAcct)
	retries := func(n, age int32) *types.RetryPolicy {
		return &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(n), MaximumEventAgeInSeconds: aws.Int32(age)}
	}
	tFlaky, tBroken, tAging := target("flaky", flaky), target("broken", broken), target("aging", aging)
	tFlaky.RetryPolicy = retries(5, 3600)
	tBroken.RetryPolicy = retries(1, 3600)
	tBroken.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(dlq)}
	tAging.RetryPolicy = retries(185, 60)
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, tFlaky, tBroken, tAging)
	waitRules(t, tb, customerAcct, "default", 1)
	id := putEvent(t, c, "default", "app", `{"x":1}`)

	if got := p.waitFor(t, flaky, 3); got[2].Attempt != 3 || got[2].EventID != id {
		t.Fatalf("flaky target: %+v", got)
	}
	dead := waitDeadLetters(t, m, 2)
	byTarget := map[string]jetstream.DeadLetter{}
	for _, dl := range dead {
		byTarget[dl.Headers["TARGET_ARN"]] = dl
		if string(dl.Body) == "" || dl.Headers["Switchyard-Event-Id"] != id {
			t.Errorf("dead letter %+v does not carry the event", dl)
		}
	}
	wantAttrs(t, byTarget[broken], map[string]string{
		"RULE_ARN": ruleARN(customerAcct, "default", "r"), "TARGET_ARN": broken, "ERROR_CODE": "UNKNOWN",
		"ERROR_MESSAGE": "connection reset (attempt 2)", "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts", "RETRY_ATTEMPTS": "1",
	})
	wantAttrs(t, byTarget[aging], map[string]string{
		"RULE_ARN": "*", "TARGET_ARN": aging, "ERROR_CODE": "ERROR_FROM_TARGET", "ERROR_MESSAGE": "500",
		"EXHAUSTED_RETRY_CONDITION": "MaximumEventAgeInSeconds", "RETRY_ATTEMPTS": "0",
	})
	if n := len(p.to(broken)); n != 2 {
		t.Errorf("broken target tried %d times, want 2 (one retry)", n)
	}
	// The broken target's DeadLetterArn is deliverable: it gets the event
	// with the dead-letter attributes.
	got := p.waitFor(t, dlq, 1)
	if got[0].EventID != id || got[0].DeadLetter["ERROR_CODE"] != "UNKNOWN" || got[0].DeadLetter["EXHAUSTED_RETRY_CONDITION"] != "MaximumRetryAttempts" {
		t.Fatalf("DLQ got %+v", got[0])
	}
	waitIdle(t, m)
	if n := len(p.to(flaky)); n != 3 {
		t.Errorf("flaky target delivered %d times after success, want 3", n)
	}
}

// TestDeadLettersCommand lists a server's dead letters as JSON lines,
// running (through the URL it advertises in the data directory) and
// stopped (from its files), and refuses a running server's directory that
// advertises no URL (--nats-listen "").
func TestDeadLettersCommand(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	p := &probe{fail: func(probeHit) error { return delivery.Permanent(delivery.CodeNoResource, "Queue gone does not exist.") }}
	m, stop, tb := routedServer(t, dir, p, nil)
	c := clientFor(m, customerAcct)
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, target("gone", sqsARN(customerAcct, "gone")))
	waitRules(t, tb, customerAcct, "default", 1)
	id := putEvent(t, c, "default", "app", `{"x":1}`)
	waitDeadLetters(t, m, 1)

	var running jsonLines // through the running server's advertised URL
	if err := runDeadLetters(context.Background(), []string{"--data-dir", dir}, noEnv, &running); err != nil {
		t.Fatalf("deadletters on a running server: %v", err)
	}
	stop()
	var out jsonLines
	if err := runDeadLetters(context.Background(), []string{"--data-dir", dir, "--account", customerAcct}, noEnv, &out); err != nil {
		t.Fatal(err)
	}
	lines := out.lines(t)
	if len(lines) != 1 || string(running.buf) != string(out.buf) {
		t.Fatalf("%d lines: %s; while running: %s", len(lines), out.buf, running.buf)
	}
	var line deadLetterLine
	if err := json.Unmarshal(lines[0], &line); err != nil {
		t.Fatal(err)
	}
	ev, _ := line.Event.(map[string]any)
	if line.Account != customerAcct || line.Attributes["ERROR_CODE"] != "NO_RESOURCE" || line.Attributes["RETRY_ATTEMPTS"] != "0" ||
		line.Attributes["TARGET_ARN"] != sqsARN(customerAcct, "gone") || line.Switchyard["Event-Id"] != id || ev["id"] != id || line.Seq != 1 {
		t.Fatalf("line %s", lines[0])
	}
	out = jsonLines{}
	if err := runDeadLetters(context.Background(), []string{"--data-dir", dir, "--account", otherAcct}, noEnv, &out); err != nil || len(out.buf) != 0 {
		t.Fatalf("another account: %v %s", err, out.buf)
	}
	if err := runDeadLetters(context.Background(), []string{"--data-dir", t.TempDir()}, noEnv, &out); err == nil {
		t.Fatal("deadletters accepted a directory without data")
	}
}

func noEnv(string) string { return "" }

// jsonLines collects a command's output.
type jsonLines struct{ buf []byte }

func (j *jsonLines) Write(p []byte) (int, error) {
	j.buf = append(j.buf, p...)
	return len(p), nil
}

func (j *jsonLines) lines(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, l := range splitLines(j.buf) {
		if !json.Valid(l) {
			t.Fatalf("not a JSON line: %s", l)
		}
		out = append(out, l)
	}
	return out
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := slices.Index(b, '\n')
		if i < 0 {
			return append(out, b)
		}
		if i > 0 {
			out = append(out, b[:i])
		}
		b = b[i+1:]
	}
	return out
}

// TestRoutingSharedByProcesses runs two switchyard processes on one NATS
// server: they share the event log's and the queue's durable consumers, so
// every event is routed and delivered once, by one of them.
func TestRoutingSharedByProcesses(t *testing.T) {
	parallel(t)
	srv := startNATS(t, 0, t.TempDir())
	probes := []*probe{{}, {}}
	var mains []*Main
	var tables []*router.Table
	for _, p := range probes {
		m, _, tb := routedServer(t, t.TempDir(), p, func(c *Config) { c.NATSURL = srv.ClientURL() })
		mains, tables = append(mains, m), append(tables, tb)
	}
	c := clientFor(mains[0], customerAcct)
	sink := sqsARN(customerAcct, "sink")
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, target("s", sink))
	for _, tb := range tables {
		waitRules(t, tb, customerAcct, "default", 1)
	}
	ids := putEvents(t, clientFor(mains[1], customerAcct), "default", "app", 60)
	deadline := time.Now().Add(testWait)
	for len(probes[0].to(sink))+len(probes[1].to(sink)) < len(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d + %d of %d", len(probes[0].to(sink)), len(probes[1].to(sink)), len(ids))
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitIdle(t, mains[0]) // the streams are shared: idle for both processes
	seen := map[string]int{}
	for _, p := range probes {
		for _, h := range p.to(sink) {
			seen[h.EventID]++
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("event %s delivered %d times", id, seen[id])
		}
	}
	t.Logf("process 1 delivered %d, process 2 delivered %d", len(probes[0].to(sink)), len(probes[1].to(sink)))
}
