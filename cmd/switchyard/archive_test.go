package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// createArchive creates an archive of bus on account's client.
func createArchive(t *testing.T, c *eventbridge.Client, name, bus, pattern string) string {
	t.Helper()
	in := &eventbridge.CreateArchiveInput{ArchiveName: aws.String(name),
		EventSourceArn: aws.String(eventbus.BusARN("us-east-1", customerAcct, bus))}
	if pattern != "" {
		in.EventPattern = aws.String(pattern)
	}
	return aws.ToString(must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(context.Background(), in)).ArchiveArn)
}

// waitArchived waits until the archive holds n events.
func waitArchived(t *testing.T, c *eventbridge.Client, name string, n int64) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		d := must[*eventbridge.DescribeArchiveOutput](t)(c.DescribeArchive(context.Background(), &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)}))
		if d.EventCount == n {
			return
		}
		if d.EventCount > n || time.Now().After(deadline) {
			t.Fatalf("archive %s holds %d events, want %d", name, d.EventCount, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitReplay waits until the replay is in state and returns its description.
func waitReplay(t *testing.T, c *eventbridge.Client, name string, state types.ReplayState) *eventbridge.DescribeReplayOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := must[*eventbridge.DescribeReplayOutput](t)(c.DescribeReplay(context.Background(), &eventbridge.DescribeReplayInput{ReplayName: aws.String(name)}))
		if d.State == state {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay %s is %s (%s), want %s", name, d.State, aws.ToString(d.StateReason), state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestArchiveAndReplay archives a bus through a pattern, then replays a
// time range to one of two rules: only matching events are archived, the
// replay reaches only the rule in FilterArns, with "replay-name" added,
// and replayed events are not archived again.
func TestArchiveAndReplay(t *testing.T) {
	parallel(t)
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	c := clientFor(m, customerAcct)
	ctx := context.Background()
	archiveARN := createArchive(t, c, "orders", "default", `{"source":["orders"]}`)
	q1, q2 := sqsARN(customerAcct, "q1"), sqsARN(customerAcct, "q2")
	putRule(t, c, "default", "r1", `{"source":["orders"]}`, types.RuleStateEnabled, target("t1", q1))
	putRule(t, c, "default", "r2", `{"source":["orders"]}`, types.RuleStateEnabled, target("t2", q2))
	waitRules(t, tb, customerAcct, "default", 3) // two rules and the archive's

	inRange := time.Now().Add(-time.Hour).Truncate(time.Second)
	ids := putEventsAt(t, c, "default", "orders", inRange, 5)
	late := putEventsAt(t, c, "default", "orders", inRange.Add(2*time.Hour), 2)
	putEventsAt(t, c, "default", "other", inRange, 3) // not archived: the pattern
	waitArchived(t, c, "orders", 7)
	p.waitFor(t, q1, 7)
	p.waitFor(t, q2, 7)

	start := must[*eventbridge.StartReplayOutput](t)(c.StartReplay(ctx, &eventbridge.StartReplayInput{
		ReplayName: aws.String("again"), EventSourceArn: aws.String(archiveARN),
		EventStartTime: aws.Time(inRange.Add(-time.Minute)), EventEndTime: aws.Time(inRange.Add(time.Hour)),
		Destination: &types.ReplayDestination{Arn: aws.String(eventbus.BusARN("us-east-1", customerAcct, "default")),
			FilterArns: []string{ruleARN(customerAcct, "default", "r1")}},
	}))
	if start.State != types.ReplayStateStarting {
		t.Fatalf("StartReplay: %s", start.State)
	}
	d := waitReplay(t, c, "again", types.ReplayStateCompleted)
	if !aws.ToTime(d.EventLastReplayedTime).Equal(inRange) || d.ReplayEndTime == nil {
		t.Fatalf("completed replay: last replayed %v, ended %v", aws.ToTime(d.EventLastReplayedTime), d.ReplayEndTime)
	}
	hits := p.waitFor(t, q1, 12)
	replayed := map[string]bool{}
	for _, h := range hits[7:] {
		var env map[string]any
		if err := json.Unmarshal([]byte(h.Envelope), &env); err != nil {
			t.Fatal(err)
		}
		if env["replay-name"] != "again" {
			t.Fatalf("replayed event without replay-name: %s", h.Envelope)
		}
		replayed[env["id"].(string)] = true
	}
	for _, id := range ids {
		if !replayed[id] {
			t.Errorf("event %s not replayed", id)
		}
	}
	for _, id := range late {
		if replayed[id] {
			t.Errorf("event %s outside the range replayed", id)
		}
	}
	waitIdle(t, m)
	if n := len(p.to(q2)); n != 7 {
		t.Errorf("rule r2, not in FilterArns, got %d deliveries, want the 7 live ones", n)
	}
	waitArchived(t, c, "orders", 7) // replayed events are not archived again
}

// TestReplaySurvivesRestart stops the only process in the middle of a
// replay and starts it again: the replay carries on from its recorded
// position and completes, every archived event delivered at least once.
func TestReplaySurvivesRestart(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	p := &probe{}
	slow := func(c *Config) { c.Routing.ReplayBatch = 5 }
	m, stop, tb := routedServer(t, dir, p, slow)
	c := clientFor(m, customerAcct)
	ctx := context.Background()
	archiveARN := createArchive(t, c, "all", "default", "")
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	ids := putEventsAt(t, c, "default", "app", at, 200)
	waitArchived(t, c, "all", int64(len(ids)))
	sink := sqsARN(customerAcct, "sink")
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, target("s", sink))
	waitRules(t, tb, customerAcct, "default", 2)

	must[*eventbridge.StartReplayOutput](t)(c.StartReplay(ctx, &eventbridge.StartReplayInput{
		ReplayName: aws.String("long"), EventSourceArn: aws.String(archiveARN),
		EventStartTime: aws.Time(at.Add(-time.Minute)), EventEndTime: aws.Time(at.Add(time.Minute)),
		Destination: &types.ReplayDestination{Arn: aws.String(eventbus.BusARN("us-east-1", customerAcct, "default"))},
	}))
	// Stop once the replay is under way, not done.
	deadline := time.Now().Add(testWait)
	for {
		r, _, err := m.stores.Replays.Get(ctx, customerAcct, "long")
		if err != nil {
			t.Fatal(err)
		}
		if r.State == eventbus.ReplayRunning && r.Seq > 0 {
			if r.Seq >= uint64(len(ids)) {
				t.Fatal("the replay finished before the test could stop it")
			}
			t.Logf("stopping with %d of %d events replayed", r.Seq, len(ids))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay not under way: %+v", r)
		}
		time.Sleep(time.Millisecond)
	}
	stop()

	m2, _, _ := routedServer(t, dir, p, slow)
	c2 := clientFor(m2, customerAcct)
	waitReplay(t, c2, "long", types.ReplayStateCompleted)
	waitIdle(t, m2)
	seen := map[string]int{}
	for _, h := range p.to(sink) {
		var env struct {
			ID         string `json:"id"`
			ReplayName string `json:"replay-name"`
		}
		if err := json.Unmarshal([]byte(h.Envelope), &env); err != nil {
			t.Fatal(err)
		}
		if env.ReplayName == "long" {
			seen[env.ID]++
		}
	}
	doubles := 0
	for _, id := range ids {
		if seen[id] == 0 {
			t.Errorf("event %s never replayed", id)
		}
		doubles += max(seen[id]-1, 0)
	}
	t.Logf("%d events replayed, %d delivered twice", len(ids), doubles)
}

// TestScheduledRuleFires runs two processes on one NATS with an injected
// clock: a rate(1 minute) rule fires each tick once between them, with AWS's
// scheduled event through the rule's input transformer; disabling the rule
// stops it before the next tick.
func TestScheduledRuleFires(t *testing.T) {
	parallel(t)
	srv := startNATS(t, 0, t.TempDir())
	clock := &skewClock{}
	probes := []*probe{{}, {}}
	var mains []*Main
	for _, p := range probes {
		m, _, _ := routedServer(t, t.TempDir(), p, func(c *Config) {
			c.NATSURL = srv.ClientURL()
			c.Routing.Now = clock.Now
			c.Routing.SchedulePoll = 10 * time.Millisecond
		})
		mains = append(mains, m)
	}
	c := clientFor(mains[0], customerAcct)
	ctx := context.Background()
	sink := sqsARN(customerAcct, "ticks")
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(1 minute)")}))
	tgt := target("s", sink)
	tgt.InputTransformer = &types.InputTransformer{
		InputPathsMap: map[string]string{"t": "$.time", "src": "$.source", "dt": "$.detail-type", "res": "$.resources[0]"},
		InputTemplate: aws.String(`{"at":<t>,"from":<src>,"kind":<dt>,"rule":<res>}`),
	}
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("tick"), Targets: []types.Target{tgt}}))
	for _, m := range mains {
		waitScheduled(t, m, "tick", eventbus.RuleEnabled)
	}

	count := func() int { return len(probes[0].to(sink)) + len(probes[1].to(sink)) }
	for i := 1; i <= 5; i++ {
		clock.Advance(time.Minute)
		deadline := time.Now().Add(testWait)
		for count() < i {
			if time.Now().After(deadline) {
				t.Fatalf("tick %d: %d deliveries", i, count())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitIdle(t, mains[0])
	if n := count(); n != 5 {
		t.Fatalf("5 ticks delivered %d times", n)
	}
	var got struct{ At, From, Kind, Rule string }
	if err := json.Unmarshal([]byte(probes[0].to(sink)[0].Input+""), &got); err != nil {
		if err := json.Unmarshal([]byte(probes[1].to(sink)[0].Input), &got); err != nil {
			t.Fatal(err)
		}
	}
	if got.From != "aws.events" || got.Kind != "Scheduled Event" || got.Rule != ruleARN(customerAcct, "default", "tick") ||
		!strings.HasSuffix(got.At, ":00Z") {
		t.Fatalf("scheduled event as the target saw it: %+v", got)
	}
	t.Logf("process 1 fired %d ticks, process 2 fired %d", len(probes[0].to(sink)), len(probes[1].to(sink)))

	must[*eventbridge.DisableRuleOutput](t)(c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("tick")}))
	for _, m := range mains {
		waitScheduled(t, m, "tick", eventbus.RuleDisabled)
	}
	clock.Advance(3 * time.Minute)
	for _, m := range mains {
		m.scheduler.Fire(ctx) // a poll at the new time, on each process
	}
	waitIdle(t, mains[0])
	if n := count(); n != 5 {
		t.Fatalf("a disabled rule fired: %d deliveries", n)
	}
}

// waitScheduled waits until m's scheduler knows the default bus's rule
// name in state.
func waitScheduled(t *testing.T, m *Main, name, state string) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		if r, ok := m.scheduler.Rule(customerAcct, eventbus.DefaultBus, name); ok && r.State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scheduler never saw rule %s %s", name, state)
		}
		time.Sleep(time.Millisecond)
	}
}
