package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestStatePersistsAcrossRestart(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	dir := t.TempDir()
	m, stop := startServer(t, dir, nil)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(clientFor(m, partnerAcct).CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(clientFor(m, customerAcct).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	must[*eventbridge.CreateEventBusOutput](t)(clientFor(m, customerAcct).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	stop()

	m2, _ := startServer(t, dir, nil)
	c := clientFor(m2, customerAcct)
	if d := describeState(t, c, srcName); d.State != types.EventSourceStateActive {
		t.Fatalf("after restart the source is %s", d.State)
	}
	l := must[*eventbridge.ListEventBusesOutput](t)(c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{}))
	if len(l.EventBuses) != 3 {
		t.Fatalf("after restart %d buses, want 3: %+v", len(l.EventBuses), l.EventBuses)
	}
	tags := must[*eventbridge.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders")}))
	if len(tags.Tags) != 1 {
		t.Fatalf("after restart tags %+v", tags.Tags)
	}
}
