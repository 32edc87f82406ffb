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

	"github.com/switchyard/switchyard/internal/awsfake"
	"github.com/switchyard/switchyard/internal/router"
)

// TestAWSTargetSQS routes a partner event through the real program to AWS
// service targets on a local SigV4-checking server (awsfake): a FIFO
// queue gets the transformed event in its message group; a missing queue
// dead-letters the event at once into the target's DeadLetterConfig queue
// with AWS's message attributes, and into switchyard's own store; a
// Kinesis stream that throttles twice gets the event on the third attempt;
// an ECS target, accepted but not delivered, is dead-lettered with an error
// naming the kind.
func TestAWSTargetSQS(t *testing.T) {
	parallel(t)
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders.fifo", "dlq")
	fake.Create("kinesis", "clicks")
	fake.Fail("kinesis", "PutRecord", "ProvisionedThroughputExceededException", 400, 2)
	base := fake.Config()
	var table *router.Table
	m, _ := startServer(t, t.TempDir(), func(c *Config) {
		c.Routing.BackoffBase = 10 * time.Millisecond
		c.Routing.BackoffMax = 50 * time.Millisecond
		c.Routing.AWS = &base
		c.Routing.Observe = func(tb *router.Table) { table = tb }
	})
	ctx := context.Background()
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx,
		&eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx,
		&eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))

	arn := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:" + awsfake.Account + ":" + res }
	fifo := target("fifo", arn("sqs", "orders.fifo"))
	fifo.SqsParameters = &types.SqsParameters{MessageGroupId: aws.String("orders")}
	fifo.InputTransformer = &types.InputTransformer{InputPathsMap: map[string]string{"o": "$.detail.order"},
		InputTemplate: aws.String(`{"order": <o>, "rule": <aws.events.rule-name>}`)}
	gone := target("gone", arn("sqs", "gone"))
	gone.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(arn("sqs", "dlq"))}
	putRule(t, customer, srcName, "to-aws", `{"detail-type":["OrderPlaced"]}`, types.RuleStateEnabled,
		fifo, gone, target("clicks", arn("kinesis", "stream/clicks")),
		target("ecs", "arn:aws:ecs:us-east-1:"+customerAcct+":cluster/jobs"))
	waitRules(t, table, customerAcct, srcName, 1)

	out := must[*eventbridge.PutPartnerEventsOutput](t)(partner.PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{
		Entries: []types.PutPartnerEventsRequestEntry{{Source: aws.String(srcName), DetailType: aws.String("OrderPlaced"),
			Detail: aws.String(`{"order":{"n":7}}`)}}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutPartnerEvents: %+v", out.Entries)
	}
	id := aws.ToString(out.Entries[0].EventId)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	msg := fake.Wait(wctx, t, 1, func(r awsfake.Record) bool { return r.Resource == "orders.fifo" })[0]
	if msg.GroupID != "orders" || msg.Body != `{"order": {"n":7}, "rule": "to-aws"}` {
		t.Errorf("FIFO message %+v", msg)
	}
	dl := fake.Wait(wctx, t, 1, func(r awsfake.Record) bool { return r.Resource == "dlq" })[0]
	var ev struct{ ID string }
	if err := json.Unmarshal([]byte(dl.Body), &ev); err != nil || ev.ID != id {
		t.Errorf("DLQ body %q: want the event %s (%v)", dl.Body, id, err)
	}
	want := map[string]string{
		"RULE_ARN": ruleARN(customerAcct, srcName, "to-aws"), "TARGET_ARN": arn("sqs", "gone"),
		"ERROR_CODE": "NO_RESOURCE", "RETRY_ATTEMPTS": "0",
	}
	for k, v := range want {
		if dl.Attributes[k] != v {
			t.Errorf("DLQ attribute %s = %q, want %q", k, dl.Attributes[k], v)
		}
	}
	if dl.Attributes["ERROR_MESSAGE"] == "" || dl.Attributes["EXHAUSTED_RETRY_CONDITION"] != "" {
		t.Errorf("DLQ attributes %v: want an ERROR_MESSAGE and no EXHAUSTED_RETRY_CONDITION", dl.Attributes)
	}
	rec := fake.Wait(wctx, t, 1, func(r awsfake.Record) bool { return r.Resource == "clicks" })[0]
	if rec.PartitionKey != id || fake.FaultsLeft("kinesis", "PutRecord") != 0 {
		t.Errorf("Kinesis record %+v after %d throttles left: want partition key %s after both", rec, fake.FaultsLeft("kinesis", "PutRecord"), id)
	}

	dls := waitDeadLetters(t, m, 2)
	for _, d := range dls {
		switch d.Headers["TARGET_ARN"] {
		case arn("sqs", "gone"):
			wantAttrs(t, d, map[string]string{"RULE_ARN": "*", "TARGET_ARN": "*", "ERROR_CODE": "NO_RESOURCE", "ERROR_MESSAGE": "*", "RETRY_ATTEMPTS": "0"})
		case "arn:aws:ecs:us-east-1:" + customerAcct + ":cluster/jobs":
			wantAttrs(t, d, map[string]string{"RULE_ARN": "*", "TARGET_ARN": "*", "ERROR_CODE": "INVALID_PARAMETER", "ERROR_MESSAGE": "*", "RETRY_ATTEMPTS": "0"})
			if !strings.Contains(d.Headers["ERROR_MESSAGE"], "ECS") {
				t.Errorf("ECS dead letter: %q does not name the kind", d.Headers["ERROR_MESSAGE"])
			}
		default:
			t.Errorf("unexpected dead letter %v", d.Headers)
		}
	}
}
