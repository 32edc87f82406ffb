package jetstream

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// fakeDisk is a filesystem of capacity bytes holding only the directory it
// is asked about: free space is the capacity less the files under it.
type fakeDisk struct{ capacity atomic.Int64 }

func (d *fakeDisk) space(dir string) (free, size int64, err error) {
	var used int64
	err = filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed while walking
		}
		if info, err := e.Info(); err == nil && !e.IsDir() {
			used += (info.Size() + 4095) &^ 4095
		}
		return nil
	})
	c := d.capacity.Load()
	return max(c-used, 0), c, err
}

// TestEventLogStorageFull: when the disk guard sees less free space than its
// reserve, Append fails with ErrStorageFull, reads go on, and once space is
// freed Append succeeds again without a restart; every record acknowledged
// before, during and after is consumed.
func TestEventLogStorageFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	disk := &fakeDisk{}
	disk.capacity.Store(1 << 40)
	c, err := Open(t.Context(), Config{DataDir: dir, DiskReserve: 1 << 20, DiskCheckInterval: 20 * time.Millisecond, DiskSpace: disk.space}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// Not t.Context(): it is canceled before cleanups run, and Close
	// then returns at once, leaving the server writing into the TempDir
	// being removed (a flake: "TempDir RemoveAll cleanup: directory not
	// empty").
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	cfg := testLogConfig()
	cfg.Keep = []string{"router"}
	l := openLog(t, c, cfg)
	appendN(t, l, 1, 5, 10)
	acked := 50

	// Leave 3 MiB over what is used now: 2 MiB above the reserve.
	used, _, _ := (&fakeDisk{}).space(filepath.Join(dir, DefaultStoreSubdir))
	disk.capacity.Store(used + 3<<20)
	data := make([]byte, 1024)
	deadline := time.Now().Add(20 * time.Second)
	for {
		recs := make([]Record, 10)
		for i := range recs {
			recs[i] = Record{Account: "a", Bus: "b", Data: append([]byte{byte(acked >> 16), byte(acked >> 8), byte(acked)}, data...)}
			acked++
		}
		err := l.Append(t.Context(), recs)
		if err == nil {
			if time.Now().After(deadline) {
				t.Fatal("Append still succeeds on a full disk")
			}
			continue
		}
		acked -= len(recs)
		if !errors.Is(err, eventbus.ErrStorageFull) {
			t.Fatalf("Append on a full disk = %v, want ErrStorageFull", err)
		}
		break
	}
	if _, err := l.stream.Info(t.Context()); err != nil {
		t.Fatalf("reading the stream while full: %v", err)
	}

	disk.capacity.Store(1 << 40) // space freed
	deadline = time.Now().Add(5 * time.Second)
	for {
		err := l.Append(t.Context(), []Record{{Account: "a", Bus: "b", Data: []byte("after")}})
		if err == nil {
			acked++
			break
		}
		if !errors.Is(err, eventbus.ErrStorageFull) || time.Now().After(deadline) {
			t.Fatalf("Append after space was freed = %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	consumeUntil(t, l, "router", acked)
	waitLogMsgs(t, l, 0)
}
