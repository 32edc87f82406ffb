package jetstream

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestIncarnationOf(t *testing.T) {
	const base, self = "host-6222", "host-6222-0a1b2c3d"
	for _, tc := range []struct {
		peer string
		want bool
	}{
		{"host-6222", true},            // named by a switchyard before node names were kept
		{"host-6222-deadbeef", true},   // an earlier new name
		{"host-6222-0a1b2c3d", false},  // this node
		{"host-6223", false},           // another port
		{"host-6222-2", false},         // not 8 hex digits
		{"host-6222-deadbeefa", false}, // nine
		{"host-6222-deadbeeg", false},  // not hex
		{"host-62221-deadbeef", false}, // another port that starts alike
		{"Server name unknown at this time (peerID: abc)", false},
		{"", false},
	} {
		if got := incarnationOf(tc.peer, base, self); got != tc.want {
			t.Errorf("incarnationOf(%q) = %v, want %v", tc.peer, got, tc.want)
		}
	}
}

func TestNodeName(t *testing.T) {
	const base = "host-6222"
	newName := regexp.MustCompile(`^host-6222-[0-9a-f]{8}$`)
	meta := func(dir string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, DefaultStoreSubdir, "jetstream", "$SYS", "_js_", "_meta_"), 0o700); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("empty directory: a new name, kept", func(t *testing.T) {
		dir := t.TempDir()
		name, fresh, err := nodeName(dir, base)
		if err != nil || !fresh || !newName.MatchString(name) {
			t.Fatalf("nodeName = %q, %v, %v; want a new name", name, fresh, err)
		}
		meta(dir) // the server ran and joined
		again, fresh, err := nodeName(dir, base)
		if err != nil || fresh || again != name {
			t.Fatalf("after a restart nodeName = %q, %v, %v; want %q kept", again, fresh, err, name)
		}
	})

	t.Run("cluster state lost: a new name every time", func(t *testing.T) {
		dir := t.TempDir()
		first, _, err := nodeName(dir, base)
		if err != nil {
			t.Fatal(err)
		}
		second, fresh, err := nodeName(dir, base) // the store is still (or again) empty
		if err != nil || !fresh || second == first || !newName.MatchString(second) {
			t.Fatalf("nodeName = %q, %v, %v; want a new name other than %q", second, fresh, err, first)
		}
	})

	t.Run("state of an older switchyard: the old name", func(t *testing.T) {
		dir := t.TempDir()
		meta(dir)
		name, fresh, err := nodeName(dir, base)
		if err != nil || fresh || name != base {
			t.Fatalf("nodeName = %q, %v, %v; want %q", name, fresh, err, base)
		}
		b, err := os.ReadFile(filepath.Join(dir, nodeNameFile))
		if err != nil || string(b) != base+"\n" {
			t.Fatalf("%s holds %q, %v; want the name kept", nodeNameFile, b, err)
		}
		if name, _, _ := nodeName(dir, "renamed-host-6222"); name != base {
			t.Fatalf("after the host was renamed nodeName = %q, want %q", name, base)
		}
	})
}
