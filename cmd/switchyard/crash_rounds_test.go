package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apitest"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// crashRounds is how many times TestCrashRounds kills the server under load.
const crashRounds = 10

// TestCrashRounds kills the real binary with SIGKILL while clients are
// putting events (PutPartnerEvents to a partner bus, PutEvents to a custom
// bus, both forwarded by rules to a third bus), restarts it on the same data
// directory, and repeats. Afterwards every event whose answer carried an
// EventId must reach the third bus at least once.
func TestCrashRounds(t *testing.T) {
	parallel(t)
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	run := func() (string, func()) { return runBinary(t, bin, dir) }

	// Setup, in a run of its own, so that every later run loads the rules
	// before it routes anything.
	addr, kill := run()
	partner, customer := apitest.NewClient(addr, partnerAcct, "x"), apitest.NewClient(addr, customerAcct, "x")
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(context.Background(), &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	createBus(t, customer, "orders")
	createBus(t, customer, "sink")
	sink := target("sink", eventbus.BusARN("us-east-1", customerAcct, "sink"))
	putRule(t, customer, srcName, "partner-to-sink", `{"detail-type":["crash"]}`, types.RuleStateEnabled, sink)
	putRule(t, customer, "orders", "orders-to-sink", `{"detail-type":["crash"]}`, types.RuleStateEnabled, sink)
	kill()
	// The log keeps an event only until it is routed: the tap reading the
	// sink bus at the end must exist before the first event.
	hold, stopHold := startServer(t, dir, quickTakeover)
	holdLog(t, hold, "crash-rounds-tap")
	stopHold()

	acked := map[string]bool{}
	for round := range crashRounds {
		addr, kill := run()
		ids := putUntilKilled(t, addr, time.Duration(200+rand.IntN(600))*time.Millisecond, kill)
		for _, id := range ids {
			acked[id] = true
		}
		t.Logf("round %d: %d events acknowledged before SIGKILL", round+1, len(ids))
	}
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged in any round")
	}

	m, _ := startServer(t, dir, quickTakeover)
	tap := tapLogAs(t, m, "crash-rounds-tap")
	seen := map[string]int{}
	missing := len(acked)
	timeout := time.After(2 * time.Minute)
	for missing > 0 {
		select {
		case e := <-tap.ch:
			if e.Bus != "sink" {
				continue
			}
			seen[e.Event.ID]++
			if seen[e.Event.ID] == 1 && acked[e.Event.ID] {
				missing--
			}
		case <-timeout:
			t.Fatalf("%d of %d acknowledged events never reached the target bus", missing, len(acked))
		}
	}
	duplicates := 0
	for _, n := range seen {
		duplicates += n - 1
	}
	t.Logf("crash test: %d rounds, acknowledged %d, delivered %d (all acknowledged), duplicates %d",
		crashRounds, len(acked), len(seen), duplicates)
}

// putUntilKilled runs four clients (two PutPartnerEvents, two PutEvents)
// against addr, kills the server after d, and returns the ids of every entry
// whose answer arrived with an EventId.
func putUntilKilled(t *testing.T, addr string, d time.Duration, kill func()) []string {
	t.Helper()
	var (
		mu  sync.Mutex // guards ids
		ids []string
		wg  sync.WaitGroup
	)
	stop := make(chan struct{})
	record := func(got []string) {
		mu.Lock()
		ids = append(ids, got...)
		mu.Unlock()
	}
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				got, err := putCrashBatch(addr, c, seq)
				record(got)
				if err != nil {
					var opErr interface{ Timeout() bool }
					if errors.As(err, &opErr) || isConnErr(err) {
						return // the server is gone
					}
				}
			}
		}()
	}
	time.Sleep(d)
	kill()
	close(stop)
	wg.Wait()
	return ids
}

// putCrashBatch sends one batch from client c and returns the EventIds of
// the entries it acknowledged.
func putCrashBatch(addr string, c, seq int) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	detail := fmt.Sprintf(`{"client":%d,"seq":%d}`, c, seq)
	var got []string
	if c%2 == 0 {
		var entries []types.PutPartnerEventsRequestEntry
		for range 10 {
			entries = append(entries, types.PutPartnerEventsRequestEntry{Source: aws.String(srcName), DetailType: aws.String("crash"), Detail: aws.String(detail)})
		}
		out, err := apitest.NewClient(addr, partnerAcct, "x").PutPartnerEvents(ctx, &eventbridge.PutPartnerEventsInput{Entries: entries})
		if err != nil {
			return nil, err
		}
		for _, e := range out.Entries {
			if e.EventId != nil {
				got = append(got, *e.EventId)
			}
		}
		return got, nil
	}
	var entries []types.PutEventsRequestEntry
	for range 10 {
		entries = append(entries, types.PutEventsRequestEntry{EventBusName: aws.String("orders"), Source: aws.String("app"), DetailType: aws.String("crash"), Detail: aws.String(detail)})
	}
	out, err := apitest.NewClient(addr, customerAcct, "x").PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return nil, err
	}
	for _, e := range out.Entries {
		if e.EventId != nil {
			got = append(got, *e.EventId)
		}
	}
	return got, nil
}

// isConnErr reports a connection refused or reset: the server was killed.
func isConnErr(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
