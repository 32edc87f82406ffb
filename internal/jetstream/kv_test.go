package jetstream

import (
	"fmt"
	"testing"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/eventbus/kvtest"
)

func TestKV(t *testing.T) {
	t.Parallel()
	c := openTest(t, t.TempDir())
	n := 0
	kvtest.Run(t, func(t *testing.T) eventbus.KV {
		t.Helper()
		n++
		kv, err := c.KV(t.Context(), fmt.Sprintf("suite%d", n))
		if err != nil {
			t.Fatalf("KV: %v", err)
		}
		return kv
	})
}

func mustCreate(t testing.TB, kv eventbus.KV, value string, key ...string) uint64 {
	t.Helper()
	rev, err := kv.Create(t.Context(), []byte(value), key...)
	if err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
	return rev
}

func TestKVPersistsAcrossRestart(t *testing.T) {
	t.Parallel()
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
	if e, err := kv2.Get(t.Context(), "a", "b"); err != nil || string(e.Value) != "kept" || e.Revision != rev {
		t.Fatalf("after reopen Get = %+v, %v; want kept at %d", e, err, rev)
	}
	l, err := kv2.List(t.Context(), "a")
	if err != nil || len(l) != 1 {
		t.Fatalf("after reopen List = %v, %v; want one entry", l, err)
	}
	if _, err := kv2.Update(t.Context(), []byte("v2"), rev, "a", "b"); err != nil {
		t.Fatalf("Update after reopen: %v", err)
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

// BenchmarkKVCommit compares a plain Create with Commit of one write and of
// two (a record and its scope's count, as eventbus.Records writes them).
func BenchmarkKVCommit(b *testing.B) {
	c := openTest(b, b.TempDir())
	kv, err := c.KV(b.Context(), "bench")
	if err != nil {
		b.Fatalf("KV: %v", err)
	}
	value := make([]byte, 512)
	b.Run("create", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := kv.Create(b.Context(), value, "create", fmt.Sprint(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("commit1", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := kv.Commit(b.Context(), eventbus.Write{Key: []string{"commit1", fmt.Sprint(i)}, Value: value}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("commit2", func(b *testing.B) {
		var rev uint64
		for i := 0; b.Loop(); i++ {
			revs, err := kv.Commit(b.Context(),
				eventbus.Write{Key: []string{"commit2", fmt.Sprint(i)}, Value: value},
				eventbus.Write{Key: []string{"count"}, Value: fmt.Append(nil, i), Revision: rev})
			if err != nil {
				b.Fatal(err)
			}
			rev = revs[1]
		}
	})
}
