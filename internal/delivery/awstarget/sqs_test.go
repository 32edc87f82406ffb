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

// TestSQSBatches holds the first calls to a queue at the server until
// every slot is busy and more messages wait, then lets them go: the waiting
// messages go in SendMessageBatch calls, and every message arrives once,
// with its own body and FIFO group.
func TestSQSBatches(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders.fifo")
	base := fake.Config()
	s := New(Config{Base: &base}).sqs
	release := fake.Hold("sqs", "SendMessage")
	defer release()
	queue := "arn:aws:sqs:us-east-1:" + awsfake.Account + ":orders.fifo"
	const lone, waiting = batchesInFlight, 14
	errs := make(chan error, lone+waiting)
	var wg sync.WaitGroup
	send := func(i int) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		j := &delivery.Job{Target: eventbus.Target{ID: "t", Arn: queue, Spec: []byte(`{"SqsParameters":{"MessageGroupId":"g"}}`)},
			Event: eventbus.Event{ID: fmt.Sprint(i)}}
		errs <- s.Send(ctx, delivery.Delivery{Job: j, Input: []byte(fmt.Sprintf(`{"n":%d}`, i))})
	}
	for i := range lone {
		wg.Go(func() { send(i) })
	}
	waitFor(t, func() bool { return fake.Held("sqs", "SendMessage") == lone })
	for i := lone; i < lone+waiting; i++ {
		wg.Go(func() { send(i) })
	}
	waitFor(t, func() bool {
		s.batch.mu.Lock()
		defer s.batch.mu.Unlock()
		for _, d := range s.batch.dests {
			return len(d.waiting) == waiting
		}
		return false
	})
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
		if r.GroupID != "g" || bodies[r.Body] {
			t.Errorf("message %+v: wrong group or twice", r)
		}
		bodies[r.Body] = true
		if r.Op == "SendMessageBatch" {
			batched++
		}
	}
	if len(bodies) != lone+waiting || batched != waiting {
		t.Errorf("%d distinct messages, %d of them batched; want %d, %d batched: %+v", len(bodies), batched, lone+waiting, waiting, recs)
	}
}
