package jetstream

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestCopyStreams copies a single server's buckets (written with Create and
// with atomic Commits), its delivery queue and a stream the target lacks
// into another server, checks what arrived, and that copying again within
// the de-duplication window stores nothing twice.
func TestCopyStreams(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src, dst := openTest(t, t.TempDir()), openTest(t, t.TempDir())

	kv, err := src.KV(ctx, "rules")
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, kv, "one", "acct", "r1")
	if _, err := kv.Commit(ctx, eventbus.Write{Key: []string{"acct", "r2"}, Value: []byte("two")},
		eventbus.Write{Key: []string{"acct", "count"}, Value: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	gone := mustCreate(t, kv, "deleted", "acct", "r3")
	if err := kv.Delete(ctx, gone, "acct", "r3"); err != nil {
		t.Fatal(err)
	}
	srcQ, err := src.Queue(ctx, QueueConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srcQ.Enqueue(ctx, []QueueJob{{ID: "a", Data: []byte("job a")}, {ID: "b", Data: []byte("job b")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.js.CreateStream(ctx, jetstream.StreamConfig{Name: "SWITCHYARD_ARCHIVE_X", Subjects: []string{"switchyard.archive.x.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.js.Publish(ctx, "switchyard.archive.x.1", []byte("archived")); err != nil {
		t.Fatal(err)
	}

	// The target's switchyard has not opened its queue yet: nothing is copied.
	if _, err := CopyStreams(ctx, src, dst, 1, nil); err == nil || !strings.Contains(err.Error(), DefaultQueueStream) {
		t.Fatalf("CopyStreams into a target without the queue: %v, want an error naming %s", err, DefaultQueueStream)
	}
	if names, _ := streamNames(ctx, dst.js); len(names) != 0 {
		t.Fatalf("the refused copy created %v", names)
	}

	dstQ, err := dst.Queue(ctx, QueueConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		copied, err := CopyStreams(ctx, src, dst, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]CopiedStream{}
		for _, c := range copied {
			got[c.Name] = c
		}
		if c := got["SWITCHYARD_ARCHIVE_X"]; c.Msgs != 1 || c.Created != (round == 0) {
			t.Errorf("round %d: archive copy %+v", round, c)
		}
		if c := got[DefaultQueueStream]; c.Msgs != 2 || c.Created {
			t.Errorf("round %d: queue copy %+v", round, c)
		}
		if n, err := dstQ.Len(ctx); err != nil || n != 2 {
			t.Errorf("round %d: target queue holds %d (%v), want 2", round, n, err)
		}
	}

	dkv, err := dst.KV(ctx, "rules")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"r1": "one", "r2": "two", "count": "2"} {
		e, err := dkv.Get(ctx, "acct", key)
		if err != nil || string(e.Value) != want {
			t.Errorf("target %s = %q, %v; want %q", key, e.Value, err, want)
		}
	}
	if _, err := dkv.Get(ctx, "acct", "r3"); !errors.Is(err, eventbus.ErrNotFound) {
		t.Errorf("deleted key in the target: %v, want ErrNotFound", err)
	}
	// The target's key-value writes go on from the copied revisions.
	e, err := dkv.Get(ctx, "acct", "r1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dkv.Update(ctx, []byte("one'"), e.Revision, "acct", "r1"); err != nil {
		t.Errorf("update after the copy: %v", err)
	}
}

// TestOpenRefusesStandaloneDataInACluster: a cluster node started on a
// single server's data directory would have nats-server delete its
// streams; Open refuses before the server starts, and leaves them.
func TestOpenRefusesStandaloneDataInACluster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := openTest(t, dir)
	if _, err := c.KV(t.Context(), "buses"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), Config{DataDir: dir, Replicas: 3, Cluster: ClusterConfig{Name: "sy", Listen: "127.0.0.1:0"}}, testLogger())
	if !errors.Is(err, ErrStandaloneData) {
		t.Fatalf("Open: %v, want ErrStandaloneData", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DefaultStoreSubdir, "jetstream", "$G", "streams", "KV_buses")); err != nil {
		t.Fatalf("the bucket's files: %v", err)
	}
	alone, err := standaloneData(t.TempDir())
	if err != nil || alone {
		t.Fatalf("an empty directory: standaloneData = %v, %v", alone, err)
	}
}
