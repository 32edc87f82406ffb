// Package kvtest is the behavioural contract of eventbus.KV as a test
// suite: every implementation (internal/jetstream, internal/memstore) runs
// Run against itself, so they cannot drift apart.
//
// It holds test code only; nothing in the server imports it.
package kvtest

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

// Run runs the suite; newKV returns a new empty bucket for each subtest.
func Run(t *testing.T, newKV func(t *testing.T) eventbus.KV) {
	t.Run("CRUD", func(t *testing.T) { testCRUD(t, newKV(t)) })
	t.Run("CreateRace", func(t *testing.T) { testCreateRace(t, newKV(t)) })
	t.Run("UpdateRace", func(t *testing.T) { testUpdateRace(t, newKV(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newKV(t)) })
	t.Run("HostileKeys", func(t *testing.T) { testHostileKeys(t, newKV(t)) })
	t.Run("ListPrefix", func(t *testing.T) { testListPrefix(t, newKV(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, newKV(t)) })
	t.Run("Commit", func(t *testing.T) { testCommit(t, newKV(t)) })
	t.Run("CommitRace", func(t *testing.T) { testCommitRace(t, newKV(t)) })
	t.Run("Watch", func(t *testing.T) { testWatch(t, newKV(t)) })
	t.Run("WatchEmptySyncs", func(t *testing.T) { testWatchEmpty(t, newKV(t)) })
}

// hostileSegments are key segments that a key syntax may have to escape.
var hostileSegments = []string{
	"orders", "a/b", "a.b", "*", ">", "my rule", "arn:aws:events:eu-west-1:123:rule/x", "a=b", "=2E",
	"é", "\xff", "\x00", "$KV", "..", "\t\n",
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
	for _, seg := range hostileSegments {
		keys = append(keys, []string{seg}, []string{"acct", seg, "x"})
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

func testCommit(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	a := mustCreate(t, kv, "a1", "a")
	gone := mustCreate(t, kv, "g", "gone")
	if err := kv.Delete(ctx, gone, "gone"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	// Update a, create b, re-create the deleted key, all at once.
	revs, err := kv.Commit(ctx,
		eventbus.Write{Key: []string{"a"}, Value: []byte("a2"), Revision: a},
		eventbus.Write{Key: []string{"b", "x"}, Value: []byte("b1")},
		eventbus.Write{Key: []string{"gone"}, Value: []byte("back")})
	if err != nil || len(revs) != 3 {
		t.Fatalf("Commit = %v, %v", revs, err)
	}
	if !(a < revs[0] && revs[0] < revs[1] && revs[1] < revs[2]) {
		t.Fatalf("Commit revisions %v do not follow %d in order", revs, a)
	}
	for i, want := range []struct {
		key   []string
		value string
	}{{[]string{"a"}, "a2"}, {[]string{"b", "x"}, "b1"}, {[]string{"gone"}, "back"}} {
		if e := mustGet(t, kv, want.key...); string(e.Value) != want.value || e.Revision != revs[i] {
			t.Fatalf("Get(%q) = %+v, want %q at %d", want.key, e, want.value, revs[i])
		}
	}

	// One stale revision: nothing changes.
	_, err = kv.Commit(ctx,
		eventbus.Write{Key: []string{"a"}, Value: []byte("a3"), Revision: revs[0]},
		eventbus.Write{Key: []string{"b", "x"}, Value: []byte("b2"), Revision: revs[0]})
	wantErr(t, "Commit with a stale revision", err, eventbus.ErrConflict)
	_, err = kv.Commit(ctx,
		eventbus.Write{Key: []string{"new"}, Value: []byte("n")},
		eventbus.Write{Key: []string{"a"}, Value: []byte("a3")}) // a exists
	wantErr(t, "Commit creating an existing key", err, eventbus.ErrConflict)
	if e := mustGet(t, kv, "a"); string(e.Value) != "a2" {
		t.Fatalf("a after failed commits = %q", e.Value)
	}
	if _, err := kv.Get(ctx, "new"); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("a failed commit created a key: %v", err)
	}

	// Delete in a commit, beside a write.
	revs2, err := kv.Commit(ctx,
		eventbus.Write{Key: []string{"a"}, Delete: true, Revision: revs[0]},
		eventbus.Write{Key: []string{"b", "x"}, Value: []byte("b2"), Revision: revs[1]})
	if err != nil {
		t.Fatalf("Commit with a delete: %v", err)
	}
	if _, err := kv.Get(ctx, "a"); !errors.Is(err, eventbus.ErrNotFound) {
		t.Fatalf("Get deleted a: %v", err)
	}
	if e := mustGet(t, kv, "b", "x"); string(e.Value) != "b2" || e.Revision != revs2[1] {
		t.Fatalf("b after delete commit = %+v", e)
	}
	_, err = kv.Commit(ctx, eventbus.Write{Key: []string{"a"}, Delete: true, Revision: revs[0]})
	wantErr(t, "Commit deleting a deleted key", err, eventbus.ErrConflict)
	_, err = kv.Commit(ctx, eventbus.Write{Key: []string{"a"}, Value: []byte("back"), Revision: revs[0]})
	wantErr(t, "Commit writing a deleted key at its last live revision", err, eventbus.ErrConflict)

	if _, err := kv.Commit(ctx, eventbus.Write{Key: []string{"a", ""}, Value: []byte("x")}); err == nil {
		t.Error("Commit with an empty segment: want an error")
	}
}

// testCommitRace is the pattern typed stores count with: each goroutine
// creates its own key and moves a shared counter in one commit. Every
// loser must lose entirely, so the counter ends equal to the keys created.
func testCommitRace(t *testing.T, kv eventbus.KV) {
	ctx := t.Context()
	const n = 8
	errs := race(n, func(i int) error {
		for {
			var have int
			var rev uint64
			e, err := kv.Get(ctx, "count")
			switch {
			case err == nil:
				if _, err := fmt.Sscan(string(e.Value), &have); err != nil {
					return err
				}
				rev = e.Revision
			case !errors.Is(err, eventbus.ErrNotFound):
				return err
			}
			_, err = kv.Commit(ctx,
				eventbus.Write{Key: []string{"item", fmt.Sprint(i)}, Value: []byte("x")},
				eventbus.Write{Key: []string{"count"}, Value: fmt.Append(nil, have+1), Revision: rev})
			if !errors.Is(err, eventbus.ErrConflict) {
				return err
			}
			if _, err := kv.Get(ctx, "item", fmt.Sprint(i)); err == nil {
				return fmt.Errorf("item %d exists after its commit lost", i)
			}
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}
	items, err := kv.List(ctx, "item")
	if err != nil {
		t.Fatal(err)
	}
	if e := mustGet(t, kv, "count"); string(e.Value) != fmt.Sprint(n) || len(items) != n {
		t.Fatalf("count %s, %d items; want %d of both", e.Value, len(items), n)
	}
}

func testWatch(t *testing.T, kv eventbus.KV) {
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
	next := func() eventbus.Change {
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
		return eventbus.Change{}
	}
	// Initial values: the live key; the deleted one may show as a delete.
	var initial []eventbus.Change
	for c := next(); c.Op != eventbus.OpSynced; c = next() {
		initial = append(initial, c)
	}
	puts := slices.DeleteFunc(slices.Clone(initial), func(c eventbus.Change) bool { return c.Op != eventbus.OpPut })
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
	revs, err := kv.Commit(ctx,
		eventbus.Write{Key: []string{"rules", "r3"}, Value: []byte("3")},
		eventbus.Write{Key: []string{"rulesx", "t"}, Value: []byte("ignored")})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if c := next(); c.Op != eventbus.OpPut || string(c.Entry.Value) != "1b" || c.Entry.Revision != r1b {
		t.Fatalf("after Update: %+v", c)
	}
	if c := next(); c.Op != eventbus.OpDelete || !slices.Equal(c.Entry.Key, []string{"rules", "r1"}) {
		t.Fatalf("after Delete: %+v", c)
	}
	if c := next(); c.Op != eventbus.OpPut || !slices.Equal(c.Entry.Key, []string{"rules", "r3"}) || c.Entry.Revision != revs[0] {
		t.Fatalf("after Commit: %+v", c)
	}
	cancel()
	for range ch { // must close after cancel
	}
}

func testWatchEmpty(t *testing.T, kv eventbus.KV) {
	ch, err := kv.Watch(t.Context())
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	select {
	case c := <-ch:
		if c.Op != eventbus.OpSynced {
			t.Fatalf("first change %+v, want OpSynced", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no OpSynced within 10s")
	}
}
