package awstarget

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/awsfake"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestBatches holds the first calls to a queue or stream at the server
// until every slot is busy and more deliveries wait, then lets them go: the
// waiting ones go in batch calls (SendMessageBatch, PutRecords,
// PutRecordBatch), and every one arrives once, with its own body (and FIFO
// group, partition key).
func TestBatches(t *testing.T) {
	for _, tc := range []struct {
		service, resource, arn, op, batchOp string
		spec                                string
		batcher                             func(*Targets) func() int // entries waiting at the one destination
	}{
		{"sqs", "orders.fifo", "sqs:us-east-1:" + awsfake.Account + ":orders.fifo", "SendMessage", "SendMessageBatch",
			`{"SqsParameters":{"MessageGroupId":"g"}}`, func(tg *Targets) func() int { return waitingAt(tg.sqs.batch) }},
		{"kinesis", "clicks", "kinesis:us-east-1:" + awsfake.Account + ":stream/clicks", "PutRecord", "PutRecords",
			`{"KinesisParameters":{"PartitionKeyPath":"$.n"}}`, func(tg *Targets) func() int { return waitingAt(tg.kinesis.batch) }},
		{"firehose", "archive", "firehose:us-east-1:" + awsfake.Account + ":deliverystream/archive", "PutRecord", "PutRecordBatch",
			``, func(tg *Targets) func() int { return waitingAt(tg.firehose.batch) }},
	} {
		t.Run(tc.service, func(t *testing.T) {
			fake := awsfake.Start(t)
			fake.Create(tc.service, tc.resource)
			base := fake.Config()
			tg := New(Config{Base: &base})
			kinds := tg.Kinds()
			arn := "arn:aws:" + tc.arn
			k, ok := kinds.For(arn)
			if !ok {
				t.Fatalf("no kind for %s", arn)
			}
			release := fake.Hold(tc.service, tc.op)
			defer release()
			const lone, waiting = batchesInFlight, 14
			errs := make(chan error, lone+waiting)
			var wg sync.WaitGroup
			send := func(i int) {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				body := fmt.Sprintf(`{"n":"%d"}`, i)
				j := &delivery.Job{Target: eventbus.Target{ID: "t", Arn: arn, Spec: []byte(tc.spec)},
					Event: eventbus.Event{ID: fmt.Sprint(i), Envelope: []byte(body)}}
				errs <- k.Sender.Send(ctx, delivery.Delivery{Job: j, Input: []byte(body)})
			}
			for i := range lone {
				wg.Go(func() { send(i) })
			}
			waitFor(t, func() bool { return fake.Held(tc.service, tc.op) == lone })
			for i := lone; i < lone+waiting; i++ {
				wg.Go(func() { send(i) })
			}
			waitFor(t, func() bool { return tc.batcher(tg)() == waiting })
			release()
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			recs := fake.Records(nil)
			bodies, batched := map[string]bool{}, 0
			for _, r := range recs {
				if bodies[r.Body] || tc.service == "sqs" && r.GroupID != "g" || tc.service == "kinesis" && `{"n":"`+r.PartitionKey+`"}` != r.Body {
					t.Errorf("record %+v: twice, or wrong group or partition key", r)
				}
				bodies[r.Body] = true
				if r.Op == tc.batchOp {
					batched++
				}
			}
			if len(bodies) != lone+waiting || batched != waiting {
				t.Errorf("%d distinct records, %d of them batched; want %d, %d batched: %+v", len(bodies), batched, lone+waiting, waiting, recs)
			}
		})
	}
}

// waitingAt returns a function counting the entries waiting at b's one
// destination.
func waitingAt[E any](b *batcher[E]) func() int {
	return func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, d := range b.dests {
			return len(d.waiting)
		}
		return 0
	}
}
