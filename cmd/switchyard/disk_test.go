package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/nats-io/nats.go/jetstream"

	sjs "github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// streamState returns the messages and bytes stream holds on m's JetStream.
func streamState(t *testing.T, m *Main, stream string) (msgs, bytes uint64) {
	t.Helper()
	s, err := m.conn.JetStream().Stream(context.Background(), stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	st := s.CachedInfo().State
	return st.Msgs, st.Bytes
}

// waitStreamEmpty waits until stream holds no message.
func waitStreamEmpty(t *testing.T, m *Main, stream string) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		msgs, bytes := streamState(t, m, stream)
		if msgs == 0 && bytes == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds %d messages (%d bytes) after every event was routed and delivered", stream, msgs, bytes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventLogKeepsOnlyUnrouted: the event log holds an event only until
// the router has routed it; once routed and delivered, neither the log nor
// the delivery queue holds anything, and the router's consumer existed
// before the first put.
func TestEventLogKeepsOnlyUnrouted(t *testing.T) {
	parallel(t)
	p := &probe{}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	if _, err := m.conn.JetStream().Consumer(context.Background(), sjs.DefaultLogStream, router.DefaultDurable); err != nil {
		t.Errorf("the router's consumer does not exist once the server runs: %v", err)
	}
	if s, err := m.conn.JetStream().Stream(context.Background(), sjs.DefaultLogStream); err != nil {
		t.Fatal(err)
	} else if r := s.CachedInfo().Config.Retention; r != jetstream.InterestPolicy {
		t.Errorf("event log retention %v, want interest", r)
	}
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	putRule(t, c, "orders", "all", `{"source":["shop"]}`, types.RuleStateEnabled, target("probe", sqsARN(customerAcct, "q")))
	waitRules(t, tb, customerAcct, "orders", 1)

	const n = 50
	detail := `{"pad":"` + strings.Repeat("x", 1000) + `"}`
	for range n {
		putEvent(t, c, "orders", "shop", detail)
		putEvent(t, c, "orders", "unmatched", detail) // routed to no target: leaves too
	}
	p.waitFor(t, sqsARN(customerAcct, "q"), n)
	waitIdle(t, m)
	waitStreamEmpty(t, m, sjs.DefaultLogStream)
	waitStreamEmpty(t, m, sjs.DefaultQueueStream)
}

// mountTmpfs mounts a tmpfs of size (mount(8) syntax) on a new directory
// and unmounts it when the test ends, after everything registered later
// (the server) has stopped. It skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestEventLogStorageFull (internal/jetstream) covers a full disk with a simulated filesystem", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// freeBytes is the space free on dir's filesystem.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// putBatch puts ten events of about 1 KB on bus and returns their ids.
func putBatch(c *eventbridge.Client, bus string) ([]string, error) {
	detail := `{"pad":"` + strings.Repeat("x", 1000) + `"}`
	entries := make([]types.PutEventsRequestEntry, 10)
	for i := range entries {
		entries[i] = types.PutEventsRequestEntry{EventBusName: aws.String(bus), Source: aws.String("shop"),
			DetailType: aws.String("Test"), Detail: aws.String(detail)}
	}
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return nil, err
	}
	if out.FailedEntryCount != 0 {
		return nil, fmt.Errorf("%d entries failed: %+v", out.FailedEntryCount, out.Entries)
	}
	ids := make([]string, len(out.Entries))
	for i, e := range out.Entries {
		ids[i] = aws.ToString(e.EventId)
	}
	return ids, nil
}

// wantStorageFull fails the test unless err is the retryable answer to a
// put on a full disk: HTTP 503 ServiceUnavailable saying storage is full.
func wantStorageFull(t *testing.T, err error) {
	t.Helper()
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &apiErr) || !errors.As(err, &respErr) {
		t.Fatalf("put on a full disk: %v, want an API error", err)
	}
	if apiErr.ErrorCode() != "ServiceUnavailable" || respErr.HTTPStatusCode() != 503 || !strings.Contains(apiErr.ErrorMessage(), "Storage is full") {
		t.Fatalf("put on a full disk: %d %s %q, want 503 ServiceUnavailable saying storage is full",
			respErr.HTTPStatusCode(), apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

// waitStoreLimitBelow waits until JetStream's store limit no longer counts
// space that is not free on mnt: the disk guard has measured the space
// since the test took it. (A program filling the disk faster than the guard
// measures can still meet a full disk first: see README.)
func waitStoreLimitBelow(t *testing.T, m *Main, mnt string) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		info, err := m.conn.JetStream().AccountInfo(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.Limits.MaxStore > 0 && info.Limits.MaxStore <= int64(info.Store)+freeBytes(t, mnt) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("store limit %d after %v, %d stored, %d free", info.Limits.MaxStore, testWait, info.Store, freeBytes(t, mnt))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFullDisk runs the server on a 20 MB tmpfs, fills the filesystem while
// deliveries are held, and checks that puts get a retryable 503 while reads
// go on; that once space is freed puts succeed again without a restart;
// and that every acknowledged event is then delivered.
func TestFullDisk(t *testing.T) {
	parallel(t)
	mnt := mountTmpfs(t, "20m")
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseAll) // before the server stops (cleanups run last first)
	p := &probe{fail: func(probeHit) error { <-release; return nil }}
	m, _, tb := routedServer(t, filepath.Join(mnt, "data"), p, func(c *Config) {
		c.Routing.SendTimeout = 5 * time.Minute // held sends keep their jobs queued
	})
	t.Cleanup(releaseAll)
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	putRule(t, c, "orders", "all", `{"source":["shop"]}`, types.RuleStateEnabled, target("probe", sqsARN(customerAcct, "q")))
	waitRules(t, tb, customerAcct, "orders", 1)

	// Leave 4 MB free for the data directory.
	ballast := filepath.Join(mnt, "ballast")
	if err := os.WriteFile(ballast, make([]byte, freeBytes(t, mnt)-4<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	waitStoreLimitBelow(t, m, mnt)
	acked := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ids, err := putBatch(c, "orders")
		if err != nil {
			wantStorageFull(t, err)
			break
		}
		for _, id := range ids {
			acked[id] = true
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events accepted and puts still succeed on a full disk", len(acked))
		}
	}
	t.Logf("%d events acknowledged before the disk was full (%d bytes free)", len(acked), freeBytes(t, mnt))
	must[*eventbridge.DescribeEventBusOutput](t)(c.DescribeEventBus(context.Background(), &eventbridge.DescribeEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.ListRulesOutput](t)(c.ListRules(context.Background(), &eventbridge.ListRulesInput{EventBusName: aws.String("orders")}))

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	for {
		ids, err := putBatch(c, "orders")
		if err == nil {
			for _, id := range ids {
				acked[id] = true
			}
			break
		}
		wantStorageFull(t, err)
		if time.Since(freed) > 10*time.Second {
			t.Fatal("puts still refused 10 s after space was freed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("puts resumed %v after space was freed", time.Since(freed).Round(time.Millisecond))

	releaseAll()
	p.waitDelivered(t, sqsARN(customerAcct, "q"), slices.Collect(maps.Keys(acked)), 2*time.Minute)
}

// TestFullDiskSuddenFill fills the filesystem faster than the disk guard
// measures it, so that JetStream itself meets the full disk (a write error
// nats-server keeps until the stream is reloaded): once space is freed,
// puts must still succeed again without a restart, and every acknowledged
// event be delivered.
func TestFullDiskSuddenFill(t *testing.T) {
	parallel(t)
	mnt := mountTmpfs(t, "20m")
	p := &probe{}
	m, _, tb := routedServer(t, filepath.Join(mnt, "data"), p, nil)
	c := clientFor(m, customerAcct)
	createBus(t, c, "orders")
	putRule(t, c, "orders", "all", `{"source":["shop"]}`, types.RuleStateEnabled, target("probe", sqsARN(customerAcct, "q")))
	waitRules(t, tb, customerAcct, "orders", 1)
	acked := map[string]string{} // id: when it was put
	ids, err := putBatch(c, "orders")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		acked[id] = "before the fill"
	}

	// Leave 8 KB free at once, and put until a put fails.
	ballast := filepath.Join(mnt, "ballast")
	if err := os.WriteFile(ballast, make([]byte, freeBytes(t, mnt)-8<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ids, err := putBatch(c, "orders")
		if err != nil {
			t.Logf("put on the full disk: %v", err)
			break
		}
		for _, id := range ids {
			acked[id] = "filling"
		}
		if time.Now().After(deadline) {
			t.Fatal("puts still succeed on a full disk")
		}
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	for {
		ids, err := putBatch(c, "orders")
		if err == nil {
			for _, id := range ids {
				acked[id] = "after space was freed"
			}
			break
		}
		if time.Since(freed) > 30*time.Second {
			t.Fatalf("puts still fail 30 s after space was freed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("puts resumed %v after space was freed", time.Since(freed).Round(time.Millisecond))
	if missing := p.undelivered(sqsARN(customerAcct, "q"), slices.Collect(maps.Keys(acked)), 2*time.Minute); len(missing) > 0 {
		for _, id := range missing {
			t.Logf("undelivered %s, put %s", id, acked[id])
		}
		logStreams(t, m.conn.NATS(), missing)
		t.Fatalf("%d of %d acknowledged events not delivered", len(missing), len(acked))
	}
}
