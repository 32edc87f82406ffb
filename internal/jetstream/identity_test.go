package jetstream

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
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

func TestIncarnations(t *testing.T) {
	const base, self = "host-6222", "host-6222-0a1b2c3d"
	peers := map[string]string{
		"p1": "host-6222",          // named by an older switchyard, dead
		"p2": "host-6222-deadbeef", // an earlier new name, dead
		"p3": "host-6222-feedf00d", // alive on another machine called host
		"p4": "host-6223-deadbeef", // another node
		"p5": "",                   // a name no server knows
	}
	answered := map[string]bool{"host-6222-feedf00d": true, "host-6223-deadbeef": true, self: true}
	gone, twins := incarnations(peers, answered, base, self)
	if !slices.Equal(gone, []string{"p1", "p2"}) || !slices.Equal(twins, []string{"p3"}) {
		t.Fatalf("incarnations = %q to remove, %q alive; want [p1 p2], [p3]", gone, twins)
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

// TestNodeWithANewDiskTakesOver runs a three-node embedded cluster with
// replicas 3, loses one node with its data directory and starts it again
// empty on the same route port: it comes back under a new name, its old
// name is removed from the cluster, the bucket's replicas include it again,
// and nothing stored is lost.
func TestNodeWithANewDiskTakesOver(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a three-node cluster")
	}
	tc := startTestCluster(t)
	conns, dirs, routes, open, closeConn := tc.conns, tc.dirs, tc.routes, tc.open, tc.close
	ctx := t.Context()
	kv, err := conns[0].KV(ctx, "buses")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, []byte(`{"kept":true}`), "acct", "b"); err != nil {
		t.Fatal(err)
	}

	old := conns[1].srv.Name()
	closeConn(conns[1])
	if err := os.RemoveAll(dirs[1]); err != nil {
		t.Fatal(err)
	}
	conns[1] = nil
	if conns[1], err = open(1); err != nil {
		t.Fatalf("node 1 with a new disk: %v", err)
	}
	name := conns[1].srv.Name()
	if name == old || !incarnationOf(old, clusterBaseName(portOf(t, routes[1])), name) {
		t.Fatalf("node 1 came back as %q, was %q: want a new name of the same address", name, old)
	}
	waitCurrent(t, conns[1])

	jsz, err := conns[0].srv.Jsz(nil)
	if err != nil || jsz.Meta == nil {
		t.Fatalf("Jsz: %v, %+v", err, jsz)
	}
	var peers []string
	for _, p := range jsz.Meta.Replicas {
		peers = append(peers, p.Name)
	}
	if slices.Contains(peers, old) || !slices.Contains(peers, name) || len(peers) != 2 {
		t.Errorf("node 0's meta peers: %q; want node 1's new name %q and another, without %q", peers, name, old)
	}
	members, _, err := conns[1].streamMembers()
	if err != nil {
		t.Fatal(err)
	}
	if m := members["KV_buses"]; len(m) != 3 || !slices.Contains(m, name) {
		t.Errorf("KV_buses is on %q; want three replicas, one of them %q", m, name)
	}
	kv, err = conns[1].KV(ctx, "buses")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(ctx, "acct", "b"); err != nil || string(e.Value) != `{"kept":true}` {
		t.Errorf("the record through node 1: %q, %v", e.Value, err)
	}

	// Restarted on its disk, a node keeps its name and its peers.
	kept := conns[2].srv.Name()
	closeConn(conns[2])
	conns[2] = nil
	if conns[2], err = open(2); err != nil {
		t.Fatalf("node 2 restarted: %v", err)
	}
	if got := conns[2].srv.Name(); got != kept {
		t.Fatalf("node 2 restarted as %q, was %q", got, kept)
	}
	waitCurrent(t, conns[2])

	// Only the process knows the system user's password, and tools need
	// the token.
	url := conns[1].ClientURL()
	for _, wrong := range []string{strings.Replace(url, "t0ken", "guess", 1), strings.Replace(url, "t0ken", systemUser+":guess", 1)} {
		if nc, err := nats.Connect(wrong, nats.Timeout(5*time.Second)); err == nil {
			nc.Close()
			t.Errorf("%s was let in", wrong)
		}
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("a tool with the token: %v", err)
	}
	defer nc.Close()
	if _, err := nc.Request("$JS.API.INFO", nil, 5*time.Second); err != nil {
		t.Errorf("a tool with the token reaches JetStream: %v", err)
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, port, err := splitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func waitCurrent(t *testing.T, c *Conn) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for err := c.Current(); err != nil; err = c.Current() {
		if time.Now().After(deadline) {
			t.Fatalf("%s not current after a minute: %v", c.srv.Name(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A testCluster is three embedded cluster nodes on loopback, with replicas
// 3 and client listeners, closed when the test ends.
type testCluster struct {
	t      *testing.T
	routes []string // the three nodes' route addresses, and a spare
	dirs   []string
	conns  []*Conn // the node running in each slot at the end is closed
}

func startTestCluster(t *testing.T) *testCluster {
	t.Helper()
	tc := &testCluster{t: t, conns: make([]*Conn, 3)}
	for range 4 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		tc.routes = append(tc.routes, l.Addr().String())
		l.Close()
	}
	tc.dirs = []string{t.TempDir(), t.TempDir(), t.TempDir()}
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { tc.conns[i], errs[i] = tc.open(i) })
	}
	wg.Wait()
	for i := range tc.conns {
		t.Cleanup(func() { tc.close(tc.conns[i]) })
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	return tc
}

// open starts node i on its data directory and route address.
func (tc *testCluster) open(i int) (*Conn, error) { return tc.openAt(i, tc.routes[i]) }

// openAt starts node i on its data directory and the route address listen.
func (tc *testCluster) openAt(i int, listen string) (*Conn, error) {
	return Open(tc.t.Context(), Config{DataDir: tc.dirs[i], Replicas: 3, StartTimeout: time.Minute,
		ClientListen: "127.0.0.1:0", ClientToken: "t0ken",
		Cluster: ClusterConfig{Name: "sy", Listen: listen, Routes: tc.routes[:3], Secret: "s3cret"}}, testLogger())
}

func (tc *testCluster) close(c *Conn) {
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		tc.t.Errorf("Close: %v", err)
	}
}

// TestRemovePeer replaces a node under another route port: it cannot tell
// the old name is its own, so an operator removes it (switchyard cluster
// remove), and the bucket's replicas move to the new node.
func TestRemovePeer(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a three-node cluster")
	}
	tc := startTestCluster(t)
	ctx := t.Context()
	kv, err := tc.conns[0].KV(ctx, "buses")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, []byte(`{"kept":true}`), "acct", "b"); err != nil {
		t.Fatal(err)
	}
	old, alive := tc.conns[2].srv.Name(), tc.conns[1].srv.Name()
	tc.close(tc.conns[2])
	tc.conns[2] = nil
	if err := os.RemoveAll(tc.dirs[2]); err != nil {
		t.Fatal(err)
	}
	if tc.conns[2], err = tc.openAt(2, tc.routes[3]); err != nil {
		t.Fatalf("node 2 on another port: %v", err)
	}
	name := tc.conns[2].srv.Name()

	sys, err := nats.Connect(tc.conns[0].SystemURL())
	if err != nil {
		t.Fatalf("system URL: %v", err)
	}
	defer sys.Close()
	peers, err := ClusterPeers(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{old: false, alive: true, name: true, tc.conns[0].srv.Name(): true}
	for _, p := range peers {
		if a, ok := want[p.Name]; !ok || a != p.Alive {
			t.Errorf("peer %+v; want the names and aliveness %v", p, want)
		}
	}
	if len(peers) != len(want) {
		t.Errorf("peers %+v; want %v", peers, want)
	}
	if err := RemovePeer(ctx, sys, alive); err == nil || !strings.Contains(err.Error(), "is alive") {
		t.Errorf("removing a live peer: %v", err)
	}
	if err := RemovePeer(ctx, sys, "nobody"); err == nil {
		t.Error("removing an unknown peer succeeded")
	}
	if err := RemovePeer(ctx, sys, old); err != nil {
		t.Fatalf("removing %s: %v", old, err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		members, _, err := tc.conns[0].streamMembers()
		if m := members["KV_buses"]; err == nil && len(m) == 3 && slices.Contains(m, name) && !slices.Contains(m, old) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("KV_buses after a minute: %q, %v; want three replicas, %s among them", members["KV_buses"], err, name)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitCurrent(t, tc.conns[2])
	kv, err = tc.conns[2].KV(ctx, "buses")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(ctx, "acct", "b"); err != nil || string(e.Value) != `{"kept":true}` {
		t.Errorf("the record through node 2: %q, %v", e.Value, err)
	}
}
