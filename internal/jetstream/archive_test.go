package jetstream

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestArchives walks one archive through the archive log: open with a
// retention the stream enforces, appends (alone, and at the same time,
// sharing messages), totals, scans of a range, a retention change, a
// reopen after restart, and drop.
func TestArchives(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := openTest(t, dir)
	a := c.Archives()
	ctx := t.Context()
	if err := a.Append(ctx, "missing", []eventbus.Event{{ID: "x"}}); !errors.Is(err, eventbus.ErrNoArchive) {
		t.Fatalf("Append to a missing archive: %v", err)
	}
	if _, err := a.Stats(ctx, "missing"); !errors.Is(err, eventbus.ErrNoArchive) {
		t.Fatalf("Stats of a missing archive: %v", err)
	}
	if err := a.Open(ctx, "a1", 7*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	maxAge := func() time.Duration {
		s, err := c.JetStream().Stream(ctx, archiveStream("a1"))
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().Config.MaxAge
	}
	if got := maxAge(); got != 7*24*time.Hour {
		t.Fatalf("stream MaxAge %v, want the retention", got)
	}
	var events []eventbus.Event
	for i := range 10 {
		events = append(events, eventbus.Event{ID: fmt.Sprintf("e%d", i), Envelope: fmt.Appendf(nil, `{"i":%d}`, i), IngestedAt: time.Unix(int64(i), 0)})
	}
	for _, ev := range events { // one at a time: one position each
		if err := a.Append(ctx, "a1", []eventbus.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := a.Stats(ctx, "a1")
	if err != nil || st.Events != 10 || st.LastSeq != 10 || st.Bytes == 0 {
		t.Fatalf("Stats: %+v %v", st, err)
	}
	// Appends at the same time share messages; every event is counted.
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if err := a.Append(ctx, "a1", []eventbus.Event{{ID: fmt.Sprintf("c%d", i), Envelope: []byte(`{}`)}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := a.Append(ctx, "a1", events[:3]); err != nil { // three at once: one position
		t.Fatal(err)
	}
	st, err = a.Stats(ctx, "a1")
	if err != nil || st.Events != 63 {
		t.Fatalf("Stats after concurrent appends: %+v %v", st, err)
	}
	t.Logf("50 concurrent appends took %d messages", st.LastSeq-11)
	scanned := 0
	if err := a.Scan(ctx, "a1", st.LastSeq, st.LastSeq, func(ae eventbus.ArchivedEvent) error {
		if ae.Seq != st.LastSeq || ae.Event.ID != events[scanned].ID {
			t.Errorf("last position: %d %s", ae.Seq, ae.Event.ID)
		}
		scanned++
		return nil
	}); err != nil || scanned != 3 {
		t.Fatalf("Scan of the last position: %d events, %v", scanned, err)
	}
	var got []string
	if err := a.Scan(ctx, "a1", 4, 7, func(ae eventbus.ArchivedEvent) error {
		got = append(got, fmt.Sprintf("%d:%s:%s", ae.Seq, ae.Event.ID, ae.Event.Envelope))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{`4:e3:{"i":3}`, `5:e4:{"i":4}`, `6:e5:{"i":5}`, `7:e6:{"i":6}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Scan 4..7: %v, want %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	if err := a.Scan(ctx, "a1", 1, 10, func(eventbus.ArchivedEvent) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Scan stopped by fn: %v after %d", err, n)
	}
	if err := a.Scan(ctx, "a1", st.LastSeq+1, st.LastSeq+10, func(eventbus.ArchivedEvent) error { t.Fatal("event past the end"); return nil }); err != nil {
		t.Fatal(err)
	}

	if err := a.Open(ctx, "a1", 0); err != nil { // retention changed to forever
		t.Fatal(err)
	}
	if got := maxAge(); got != 0 {
		t.Fatalf("stream MaxAge %v after retention 0", got)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	c = openTest(t, dir)
	a = c.Archives()
	if st, err := a.Stats(ctx, "a1"); err != nil || st.Events != 63 {
		t.Fatalf("after restart: %+v %v", st, err)
	}
	if err := a.Drop(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Drop(ctx, "a1"); err != nil {
		t.Fatalf("second Drop: %v", err)
	}
	if err := a.Scan(ctx, "a1", 1, 10, func(eventbus.ArchivedEvent) error { return nil }); !errors.Is(err, eventbus.ErrNoArchive) {
		t.Fatalf("Scan of a dropped archive: %v", err)
	}
}
