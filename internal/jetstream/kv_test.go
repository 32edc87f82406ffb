package jetstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// kvSuite is the behavioural contract of eventbus.KV, written against the
// interface so any implementation can run it. newKV returns an empty bucket.
func kvSuite(t *testing.T, newKV func(t *testing.T) eventbus.KV) {
	t.Run("CRUD", func(t *testing.T) { testCRUD(t, newKV(t)) })
	t.Run("CreateRace", func(t *testing.T) { testCreateRace(t, newKV(t)) })
	t.Run("UpdateRace", func(t *testing.T) { testUpdateRace(t, newKV(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newKV(t)) })
	t.Run("HostileKeys", func(t *testing.T) { testHostileKeys(t, newKV(t)) })
	t.Run("ListPrefix", func(t *testing.T) { testListPrefix(t, newKV(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, newKV(t)) })
}

func TestKV(t *testing.T) {
	c := openTest(t, t.TempDir())
	n := 0
	kvSuite(t, func(t *testing.T) eventbus.KV {
		t.Helper()
		n++
		kv, err := c.KV(t.Context(), fmt.Sprintf("suite%d", n))
		if err != nil {
			t.Fatalf("KV: %v", err)
		}
		return kv
	})
}

func mustGet(t *testing.T, kv eventbus.KV, key ...string) eventbus.Entry {
	t.Helper()
	e, err := kv.Get(t.Context(), key...)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return e
}

func mustCreate(t *testing.T, kv eventbus.KV, value string, key ...string) uint64 {
	t.Helper()
	rev, err := kv.Create(t.Context(), []byte(value), key...)
	if err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
	return rev
}

func wantErr(t *testing.T, op string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", op, err, want)
	}
}

func testCRUD(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	_, err := kv.Get(ctx, "acct", "bus")
	wantErr(t, "Get absent", err, eventbus.ErrNotFound)

	rev1 := mustCreate(t, kv, "v1", "acct", "bus")
	e := mustGet(t, kv, "acct", "bus")
	if string(e.Value) != "v1" || e.Revision != rev1 || !slices.Equal(e.Key, []string{"acct", "bus"}) {
		t.Fatalf("Get = %+v, want v1 at %d", e, rev1)
	}
	_, err = kv.Create(ctx, []byte("again"), "acct", "bus")
	wantErr(t, "Create existing", err, eventbus.ErrExists)

	rev2, err := kv.Update(ctx, []byte("v2"), rev1, "acct", "bus")
	if err != nil || rev2 <= rev1 {
		t.Fatalf("Update = %d, %v; want a revision > %d", rev2, err, rev1)
	}
	_, err = kv.Update(ctx, []byte("stale"), rev1, "acct", "bus")
	wantErr(t, "Update stale", err, eventbus.ErrConflict)
	_, err = kv.Update(ctx, []byte("zero"), 0, "acct", "bus")
	wantErr(t, "Update rev 0", err, eventbus.ErrConflict)
	_, err = kv.Update(ctx, []byte("x"), rev2, "acct", "nobus")
	wantErr(t, "Update absent", err, eventbus.ErrNotFound)
	_, err = kv.Update(ctx, []byte("x"), 0, "acct", "nobus")
	wantErr(t, "Update absent rev 0", err, eventbus.ErrNotFound)

	if e := mustGet(t, kv, "acct", "bus"); string(e.Value) != "v2" || e.Revision != rev2 {
		t.Fatalf("Get after Update = %+v", e)
	}
	// Empty values are values.
	mustCreate(t, kv, "", "empty")
	if e := mustGet(t, kv, "empty"); len(e.Value) != 0 {
		t.Fatalf("Get empty = %q", e.Value)
	}
}

func testDelete(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	err := kv.Delete(ctx, 1, "k")
	wantErr(t, "Delete absent", err, eventbus.ErrNotFound)

	rev := mustCreate(t, kv, "v", "k")
	wantErr(t, "Delete stale", kv.Delete(ctx, rev+100, "k"), eventbus.ErrConflict)
	if err := kv.Delete(ctx, rev, "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = kv.Get(ctx, "k")
	wantErr(t, "Get deleted", err, eventbus.ErrNotFound)
	wantErr(t, "Delete deleted", kv.Delete(ctx, rev, "k"), eventbus.ErrNotFound)
	wantErr(t, "Delete deleted at marker", kv.Delete(ctx, rev+1, "k"), eventbus.ErrNotFound)
	_, err = kv.Update(ctx, []byte("x"), rev, "k")
	wantErr(t, "Update deleted", err, eventbus.ErrNotFound)
	if l, err := kv.List(ctx); err != nil || len(l) != 0 {
		t.Fatalf("List after delete = %v, %v; want empty", l, err)
	}

	// A deleted key is absent to Create, and comes back with a new revision.
	rev2 := mustCreate(t, kv, "again", "k")
	if rev2 <= rev {
		t.Fatalf("re-created at %d, not after %d", rev2, rev)
	}
	if e := mustGet(t, kv, "k"); string(e.Value) != "again" || e.Revision != rev2 {
		t.Fatalf("Get re-created = %+v", e)
	}
	_, err = kv.Create(ctx, []byte("x"), "k")
	wantErr(t, "Create re-created", err, eventbus.ErrExists)
}

// race runs f(i) on n goroutines started together and returns their errors.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Go(func() {
			start.Wait()
			errs[i] = f(i)
		})
	}
	start.Done()
	wg.Wait()
	return errs
}

func checkOneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("goroutines %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loser):
			t.Fatalf("goroutine %d: %v, want %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatal("nobody won")
	}
	return winner
}

func testCreateRace(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	const n = 16
	for round := range 3 { // round 1 and 2 race over a delete marker
		errs := race(n, func(i int) error {
			_, err := kv.Create(ctx, fmt.Appendf(nil, "%d", i), "race")
			return err
		})
		w := checkOneWinner(t, errs, eventbus.ErrExists)
		e := mustGet(t, kv, "race")
		if string(e.Value) != fmt.Sprint(w) {
			t.Fatalf("round %d: value %q, winner %d", round, e.Value, w)
		}
		if err := kv.Delete(ctx, e.Revision, "race"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
}

func testUpdateRace(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	rev := mustCreate(t, kv, "start", "counter")
	const n = 16
	for round := range 5 {
		var mu sync.Mutex
		var newRev uint64
		errs := race(n, func(i int) error {
			r, err := kv.Update(ctx, fmt.Appendf(nil, "%d-%d", round, i), rev, "counter")
			if err == nil {
				mu.Lock()
				newRev = r
				mu.Unlock()
			}
			return err
		})
		w := checkOneWinner(t, errs, eventbus.ErrConflict)
		e := mustGet(t, kv, "counter")
		if e.Revision != newRev || string(e.Value) != fmt.Sprintf("%d-%d", round, w) {
			t.Fatalf("round %d: Get = %+v, winner %d at %d", round, e, w, newRev)
		}
		rev = newRev
	}
	// Delete races the same way.
	errs := race(n, func(int) error { return kv.Delete(ctx, rev, "counter") })
	for i, err := range errs {
		if err != nil && !errors.Is(err, eventbus.ErrConflict) && !errors.Is(err, eventbus.ErrNotFound) {
			t.Fatalf("Delete %d: %v", i, err)
		}
	}
	if slices.IndexFunc(errs, func(err error) bool { return err == nil }) < 0 {
		t.Fatal("no Delete won")
	}
}

func testHostileKeys(t *testing.T, kv eventbus.KV) {
	var keys [][]string
	for _, tc := range hostileSegments {
		keys = append(keys, []string{tc.seg}, []string{"acct", tc.seg, "x"})
	}
	for i, key := range keys {
		mustCreate(t, kv, fmt.Sprint(i), key...)
	}
	for i, key := range keys {
		if e := mustGet(t, kv, key...); string(e.Value) != fmt.Sprint(i) || !slices.Equal(e.Key, key) {
			t.Fatalf("Get(%q) = %+v, want value %d", key, e, i)
		}
	}
	all, err := kv.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(all) != len(keys) {
		t.Fatalf("List: %d entries, want %d", len(all), len(keys))
	}
	for _, e := range all {
		if !slices.ContainsFunc(keys, func(k []string) bool { return slices.Equal(k, e.Key) }) {
			t.Fatalf("List returned unknown key %q", e.Key)
		}
	}
	// The key "*" is a literal, not a wildcard.
	star, err := kv.List(t.Context(), "*")
	if err != nil || len(star) != 1 || star[0].Key[0] != "*" {
		t.Fatalf("List(*) = %v, %v", star, err)
	}
}

func testListPrefix(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	keys := [][]string{{"a"}, {"a", "x"}, {"a", "y", "z"}, {"ab"}, {"ab", "x"}, {"b"}, {"a.b"}, {"a", "b"}}
	for _, k := range keys {
		mustCreate(t, kv, "v", k...)
	}
	gone := mustCreate(t, kv, "v", "a", "gone")
	if err := kv.Delete(ctx, gone, "a", "gone"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	tests := []struct {
		prefix []string
		want   [][]string
	}{
		{nil, [][]string{{"a"}, {"a", "b"}, {"a", "x"}, {"a", "y", "z"}, {"a.b"}, {"ab"}, {"ab", "x"}, {"b"}}},
		{[]string{"a"}, [][]string{{"a"}, {"a", "b"}, {"a", "x"}, {"a", "y", "z"}}},
		{[]string{"a", "y"}, [][]string{{"a", "y", "z"}}},
		{[]string{"ab"}, [][]string{{"ab"}, {"ab", "x"}}},
		{[]string{"a.b"}, [][]string{{"a.b"}}},
		{[]string{"c"}, nil},
		{[]string{"a", "gone"}, nil},
	}
	for _, tc := range tests {
		got, err := kv.List(ctx, tc.prefix...)
		if err != nil {
			t.Fatalf("List(%q): %v", tc.prefix, err)
		}
		var gotKeys [][]string
		for _, e := range got {
			gotKeys = append(gotKeys, e.Key)
		}
		if !slices.EqualFunc(gotKeys, tc.want, slices.Equal) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, gotKeys, tc.want)
		}
	}
}

func testInvalidKeys(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	if _, err := kv.Get(ctx); err == nil {
		t.Error("Get(): want an error")
	}
	if _, err := kv.Create(ctx, nil, "a", ""); err == nil {
		t.Error("Create(a, \"\"): want an error")
	}
	if _, err := kv.List(ctx, ""); err == nil {
		t.Error("List(\"\"): want an error")
	}
}

func TestKVPersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(t.Context(), Config{DataDir: dir}, testLogger())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	kv, err := c.KV(t.Context(), "persist")
	if err != nil {
		t.Fatalf("KV: %v", err)
	}
	rev := mustCreate(t, kv, "kept", "a", "b")
	gone := mustCreate(t, kv, "gone", "a", "c")
	if err := kv.Delete(t.Context(), gone, "a", "c"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	c2 := openTest(t, dir)
	kv2, err := c2.KV(t.Context(), "persist")
	if err != nil {
		t.Fatalf("KV after reopen: %v", err)
	}
	if e := mustGet(t, kv2, "a", "b"); string(e.Value) != "kept" || e.Revision != rev {
		t.Fatalf("after reopen Get = %+v, want kept at %d", e, rev)
	}
	l, err := kv2.List(t.Context(), "a")
	if err != nil || len(l) != 1 {
		t.Fatalf("after reopen List = %v, %v; want one entry", l, err)
	}
	if _, err := kv2.Update(t.Context(), []byte("v2"), rev, "a", "b"); err != nil {
		t.Fatalf("Update after reopen: %v", err)
	}
}

func TestWatch(t *testing.T) {
	c := openTest(t, t.TempDir())
	kv, err := c.KV(t.Context(), "watch")
	if err != nil {
		t.Fatalf("KV: %v", err)
	}
	ctx := t.Context()
	r1 := mustCreate(t, kv, "1", "rules", "r1")
	mustCreate(t, kv, "other", "rulesx", "r")
	r2 := mustCreate(t, kv, "2", "rules", "r2")
	if err := kv.Delete(ctx, r2, "rules", "r2"); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	wctx, cancel := context.WithCancel(ctx)
	ch, err := kv.Watch(wctx, "rules")
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	next := func() Change {
		t.Helper()
		select {
		case c, ok := <-ch:
			if !ok {
				t.Fatal("watch channel closed early")
			}
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("no change within 10s")
		}
		return Change{}
	}
	// Initial values: the live key; the deleted one may show as a delete.
	var initial []Change
	for c := next(); c.Op != OpSynced; c = next() {
		initial = append(initial, c)
	}
	puts := slices.DeleteFunc(slices.Clone(initial), func(c Change) bool { return c.Op != OpPut })
	if len(puts) != 1 || !slices.Equal(puts[0].Entry.Key, []string{"rules", "r1"}) || puts[0].Entry.Revision != r1 {
		t.Fatalf("initial puts = %+v", puts)
	}

	r1b, err := kv.Update(ctx, []byte("1b"), r1, "rules", "r1")
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	mustCreate(t, kv, "ignored", "rulesx", "s")
	if err := kv.Delete(ctx, r1b, "rules", "r1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if c := next(); c.Op != OpPut || string(c.Entry.Value) != "1b" || c.Entry.Revision != r1b {
		t.Fatalf("after Update: %+v", c)
	}
	if c := next(); c.Op != OpDelete || !slices.Equal(c.Entry.Key, []string{"rules", "r1"}) {
		t.Fatalf("after Delete: %+v", c)
	}
	cancel()
	for range ch { // must close after cancel
	}
}

func TestWatchEmptyBucketSyncs(t *testing.T) {
	c := openTest(t, t.TempDir())
	kv, err := c.KV(t.Context(), "empty")
	if err != nil {
		t.Fatalf("KV: %v", err)
	}
	ch, err := kv.Watch(t.Context())
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	select {
	case c := <-ch:
		if c.Op != OpSynced {
			t.Fatalf("first change %+v, want OpSynced", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no OpSynced within 10s")
	}
}

func BenchmarkKVCreate(b *testing.B) {
	c := openTest(b, b.TempDir())
	kv, err := c.KV(b.Context(), "bench")
	if err != nil {
		b.Fatalf("KV: %v", err)
	}
	value := make([]byte, 512)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := kv.Create(b.Context(), value, "acct", "rules", fmt.Sprint(i)); err != nil {
			b.Fatalf("Create: %v", err)
		}
		i++
	}
}

func BenchmarkKVGet(b *testing.B) {
	c := openTest(b, b.TempDir())
	kv, err := c.KV(b.Context(), "bench")
	if err != nil {
		b.Fatalf("KV: %v", err)
	}
	if _, err := kv.Create(b.Context(), make([]byte, 512), "acct", "bus"); err != nil {
		b.Fatalf("Create: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kv.Get(b.Context(), "acct", "bus"); err != nil {
			b.Fatalf("Get: %v", err)
		}
	}
}

func BenchmarkKVList(b *testing.B) {
	for _, n := range []int{100, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := openTest(b, b.TempDir())
			kv, err := c.KV(b.Context(), "bench")
			if err != nil {
				b.Fatalf("KV: %v", err)
			}
			value := make([]byte, 512)
			for i := range n {
				if _, err := kv.Create(b.Context(), value, "acct", "rules", fmt.Sprint(i)); err != nil {
					b.Fatalf("Create: %v", err)
				}
				// Noise outside the prefix.
				if _, err := kv.Create(b.Context(), value, "acct", "rulesx", fmt.Sprint(i)); err != nil {
					b.Fatalf("Create: %v", err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				l, err := kv.List(b.Context(), "acct", "rules")
				if err != nil || len(l) != n {
					b.Fatalf("List = %d entries, %v", len(l), err)
				}
			}
		})
	}
}
