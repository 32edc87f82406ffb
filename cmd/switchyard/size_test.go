package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apitest"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// bigEntry returns an entry on no bus of exactly size bytes by AWS's formula
// (Source + DetailType + Detail): a Detail of one string field, padded with
// quotes and backslashes (escaped twice on the way) and plain letters.
func bigEntry(size int) types.PutEventsRequestEntry {
	const source, detailType, head, tail = "shop", "Big", `{"blob":"`, `"}`
	pad := size - len(source) - len(detailType) - len(head) - len(tail)
	escaped := strings.Repeat(`\"\\`, pad/8) // 4 bytes each, a quarter of the padding
	blob := escaped + strings.Repeat("x", pad-len(escaped))
	return types.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(head + blob + tail)}
}

// TestLargeEventEndToEnd puts an event of AWS's 1 MB entry limit through a
// global endpoint with the real SDK (SigV4a-signed) and sees it routed to the
// endpoint's bus, delivered to one target whole, and dead-lettered whole for
// another target that keeps failing, with its dead-letter queue getting it
// too, and archived whole; one byte more is refused with AWS's message. The event crosses every
// size limit on the way: the request body, the event log record, a
// delivery job, a retry batch, an archive message and a dead letter.
func TestLargeEventEndToEnd(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	p := &probe{}
	ok, broken, dlq := sqsARN(customerAcct, "big-ok"), sqsARN(customerAcct, "big-broken"), sqsARN(customerAcct, "big-dlq")
	p.fail = func(h probeHit) error {
		if h.Target == broken {
			return errors.New("refused")
		}
		return nil
	}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	if m.Config.API.MaxEntriesSize != eventbus.DefaultMaxEntriesSize || eventbus.DefaultMaxEntriesSize != 1<<20 {
		t.Fatalf("max entries size %d, want AWS's 1 MB", m.Config.API.MaxEntriesSize)
	}
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	tBroken := target("broken", broken)
	tBroken.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(1), MaximumEventAgeInSeconds: aws.Int32(3600)}
	tBroken.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(dlq)}
	putRule(t, c, "orders", "big", `{"detail-type":["Big"]}`, types.RuleStateEnabled, target("ok", ok), tBroken)
	must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("big"), EventSourceArn: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders")}))
	waitRules(t, tb, customerAcct, "orders", 2) // with the archive's rule
	must[*eventbridge.CreateEndpointOutput](t)(c.CreateEndpoint(ctx, &eventbridge.CreateEndpointInput{
		Name: aws.String("orders-global"),
		RoutingConfig: &types.RoutingConfig{FailoverConfig: &types.FailoverConfig{
			Primary:   &types.Primary{HealthCheck: aws.String("arn:aws:route53:::healthcheck/0123-abcd")},
			Secondary: &types.Secondary{Route: aws.String("us-west-2")},
		}},
		ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled},
		EventBuses: []types.EndpointEventBus{
			{EventBusArn: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders")},
			{EventBusArn: aws.String("arn:aws:events:us-west-2:" + customerAcct + ":event-bus/orders")},
		},
	}))
	endpoint := must[*eventbridge.DescribeEndpointOutput](t)(c.DescribeEndpoint(ctx, &eventbridge.DescribeEndpointInput{Name: aws.String("orders-global")}))

	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{EndpointId: endpoint.EndpointId, Entries: []types.PutEventsRequestEntry{bigEntry(1<<20 + 1)}})
	apitest.WantAPIError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")

	entry := bigEntry(1 << 20)
	out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(ctx, &eventbridge.PutEventsInput{EndpointId: endpoint.EndpointId, Entries: []types.PutEventsRequestEntry{entry}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents of 1 MB: %+v", out.Entries)
	}
	id := aws.ToString(out.Entries[0].EventId)
	wantDetail := `"detail":` + aws.ToString(entry.Detail) + "}"
	for _, arn := range []string{ok, dlq} {
		h := p.waitFor(t, arn, 1)[0]
		if h.EventID != id || !strings.HasSuffix(h.Input, wantDetail) {
			t.Fatalf("%s got event %s of %d bytes, want %s with the whole detail", arn, h.EventID, len(h.Input), id)
		}
	}
	for deadline := time.Now().Add(testWait); ; time.Sleep(20 * time.Millisecond) {
		a := must[*eventbridge.DescribeArchiveOutput](t)(c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("big")}))
		if a.EventCount == 1 && a.SizeBytes > 1<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("archive holds %d events of %d bytes after %v, want the 1 MB event", a.EventCount, a.SizeBytes, testWait)
		}
	}
	dead := waitDeadLetters(t, m, 1)
	if string(dead[0].Body) != p.to(ok)[0].Envelope || dead[0].Headers["TARGET_ARN"] != broken {
		t.Fatalf("dead letter of %d bytes for %s: want the %d-byte event", len(dead[0].Body), dead[0].Headers["TARGET_ARN"], len(p.to(ok)[0].Envelope))
	}
}
