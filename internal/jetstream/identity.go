package jetstream

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// A cluster node's identity.
//
// nats-server derives a server's Raft peer ID from its name. A node that
// comes back under its old name with an empty disk is the same Raft peer
// having forgotten what it acknowledged: while it catches up it may vote for
// a node that lacks entries the cluster committed with its help, and those
// entries are then lost. (Raft's safety rests on a voter's log surviving its
// restarts.) So an embedded cluster node takes a new name whenever its data
// directory holds no cluster state, and, once it has joined, asks the
// cluster to remove the peers its address had before (see takeover): their
// replicas then move to the nodes that still have room, this one included,
// as new peers that never acknowledged anything.

// nodeNameFile, under DataDir, holds the embedded cluster node's name.
const nodeNameFile = "node-name"

// nodeName returns the name of the embedded cluster node whose data lives
// in dataDir and whose default name is base, and whether it is new: a
// node without cluster state gets base, a dash and 8 random hex digits,
// written to nodeNameFile before its server starts; a node with cluster
// state keeps the name the file holds, or base if there is no file (the
// state was written by a switchyard that named nodes base).
func nodeName(dataDir, base string) (name string, fresh bool, err error) {
	file := filepath.Join(dataDir, nodeNameFile)
	switch _, err := os.Stat(metaDir(dataDir)); {
	case err == nil:
		b, err := os.ReadFile(file)
		if errors.Is(err, os.ErrNotExist) {
			return base, false, writeFileSync(file, []byte(base+"\n"))
		}
		if err != nil {
			return "", false, err
		}
		if name := strings.TrimSpace(string(b)); name != "" {
			return name, false, nil
		}
		return base, false, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", false, err
	}
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", false, err
	}
	name = base + "-" + hex.EncodeToString(suffix[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", false, err
	}
	return name, true, writeFileSync(file, []byte(name+"\n"))
}

// writeFileSync writes data to path durably: to a temporary file, synced,
// renamed over path, and the directory synced.
func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// incarnationOf reports whether a peer named peer is an earlier incarnation
// of the node whose default name is base and whose name is now self: base
// itself, or base followed by a dash and 8 hex digits.
func incarnationOf(peer, base, self string) bool {
	if peer == self {
		return false
	}
	if peer == base {
		return true
	}
	suffix, ok := strings.CutPrefix(peer, base+"-")
	if !ok || len(suffix) != 8 {
		return false
	}
	_, err := hex.DecodeString(suffix)
	return err == nil
}

// systemUser is the user of connections to the embedded server's system
// account, which alone may remove a peer. Its password is made at start;
// it leaves the process only in Conn.SystemURL.
const systemUser = "switchyard-system"

// clusterAuth authenticates the embedded cluster node's clients: the system
// user by its password into the system account, every other client into
// the global account, with the token when one is required.
type clusterAuth struct {
	srv      *server.Server // set before the server starts
	token    string         // required of non-system clients when set
	password string         // the system user's
}

// Check implements server.Authentication.
func (a *clusterAuth) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	if o.Username == systemUser {
		if subtle.ConstantTimeCompare([]byte(o.Password), []byte(a.password)) != 1 {
			return false
		}
		c.RegisterUser(&server.User{Username: systemUser, Account: a.srv.SystemAccount()})
		return true
	}
	if a.token != "" && subtle.ConstantTimeCompare([]byte(o.Token), []byte(a.token)) != 1 {
		return false
	}
	c.RegisterUser(&server.User{Username: "switchyard", Account: a.srv.GlobalAccount()})
	return true
}

// newSecret returns 24 random bytes in hex: a token or a password.
func newSecret() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// A takeover removes a node's earlier incarnations from the cluster (a new
// node's, or a node's restarted before its takeover finished) and tracks
// until their replicas have been placed again.
type takeover struct {
	base, self string
	sys        *nats.Conn
	log        *slog.Logger

	mu      sync.Mutex
	removed map[string]string // peer ID → name of the incarnations removed
	placed  bool              // every stream has its replicas again
	done    bool              // no incarnation is left in the meta group
}

// run removes earlier incarnations until none is left in the cluster's meta
// group or ctx ends. nats-server knows a dead peer's name only if it saw it
// alive (this node, new, never did), so every server is asked (the system
// account's JSZ ping), and a peer counts as an incarnation if any of them
// names it so (and it did not answer itself: see incarnations).
func (t *takeover) run(ctx context.Context) {
	warned := map[string]bool{} // peer IDs whose removal failed once
	rounds := 0
	for {
		peers, answered, all, err := metaPeers(ctx, t.sys)
		if err == nil {
			gone, twins := incarnations(peers, answered, t.base, t.self)
			for _, id := range twins {
				if !warned[id] {
					t.log.Error("jetstream: another cluster node runs under this node's host name and route port; give each node its own, or they cannot be told apart",
						"other", peers[id], "node", t.self)
					warned[id] = true
				}
			}
			for _, id := range gone {
				name := peers[id]
				if err := removePeer(ctx, t.sys, id); err != nil {
					if !warned[id] {
						t.log.Warn("jetstream: could not remove this node's earlier incarnation from the cluster yet; retrying",
							"peer", name, "err", err)
						warned[id] = true
					}
					continue
				}
				t.mu.Lock()
				if _, ok := t.removed[id]; !ok {
					t.log.Info("jetstream: removed this node's earlier incarnation (it lost its data) from the cluster; its replicas move to nodes with room",
						"peer", name, "node", t.self)
				}
				t.removed[id] = name
				t.mu.Unlock()
			}
			var unnamed []string
			for id, name := range peers {
				if name == "" {
					unnamed = append(unnamed, id)
				}
			}
			rounds++
			// Done once nothing is left to remove and every peer has a
			// name, or every online server answered, or after 60 rounds
			// (about a minute and a half: a dead peer's name dies with the
			// last server that saw it alive).
			if len(gone) == 0 && (len(unnamed) == 0 || all || rounds >= 60) {
				if len(unnamed) > 0 {
					slices.Sort(unnamed)
					t.log.Warn("jetstream: the cluster has peers whose names no server knows; if one was this node before it lost its data, remove it with switchyard cluster remove",
						"peers", unnamed, "node", t.self)
				}
				t.mu.Lock()
				t.done = true
				t.mu.Unlock()
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// incarnations sorts the meta group's peers (ID → name) named as earlier
// incarnations of the node whose default name is base and whose name is
// self: gone are those to remove; twins answered the ping, so they are
// alive, on another machine with the same host name and route port, and
// are left alone. Both are sorted by peer ID.
func incarnations(peers map[string]string, answered map[string]bool, base, self string) (gone, twins []string) {
	for id, name := range peers {
		switch {
		case !incarnationOf(name, base, self):
		case answered[name]:
			twins = append(twins, id)
		default:
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	slices.Sort(twins)
	return gone, twins
}

// metaPeers returns the meta group's peers (ID → name) as the servers that
// answer within a second know them, a name known to any one of them
// preferred to none; the names of the servers that answered (alive); and
// whether every server some answer says is online answered.
func metaPeers(ctx context.Context, sys *nats.Conn) (peers map[string]string, answered map[string]bool, all bool, err error) {
	inbox := sys.NewRespInbox()
	sub, err := sys.SubscribeSync(inbox)
	if err != nil {
		return nil, nil, false, err
	}
	defer sub.Unsubscribe()
	if err := sys.PublishRequest("$SYS.REQ.SERVER.PING.JSZ", inbox, []byte("{}")); err != nil {
		return nil, nil, false, err
	}
	peers, answered = map[string]string{}, map[string]bool{}
	online := map[string]bool{}
	deadline := time.Now().Add(time.Second)
	for {
		wait := time.Until(deadline)
		if wait <= 0 || ctx.Err() != nil {
			break
		}
		msg, err := sub.NextMsg(wait)
		if err != nil {
			break
		}
		var resp struct {
			Server struct {
				Name string `json:"name"`
			} `json:"server"`
			Data struct {
				Meta *struct {
					Replicas []struct {
						Name    string `json:"name"`
						Peer    string `json:"peer"`
						Offline bool   `json:"offline"`
					} `json:"replicas"`
				} `json:"meta_cluster"`
			} `json:"data"`
		}
		if json.Unmarshal(msg.Data, &resp) != nil || resp.Data.Meta == nil {
			continue
		}
		answered[resp.Server.Name] = true
		for _, p := range resp.Data.Meta.Replicas {
			if p.Peer == "" {
				continue
			}
			if strings.HasPrefix(p.Name, "Server name unknown") {
				p.Name = ""
			}
			if peers[p.Peer] == "" {
				peers[p.Peer] = p.Name
			}
			if !p.Offline && p.Name != "" {
				online[p.Name] = true
			}
		}
	}
	all = len(answered) > 0
	for name := range online {
		all = all && answered[name]
	}
	return peers, answered, all, nil
}

// removePeer asks the meta leader, through sys (a connection to the system
// account), to remove peer id from the cluster.
func removePeer(ctx context.Context, sys *nats.Conn, id string) error {
	req, _ := json.Marshal(map[string]string{"peer_id": id})
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg, err := sys.RequestWithContext(rctx, "$JS.API.SERVER.REMOVE", req)
	if err != nil {
		return err
	}
	var resp struct {
		Success bool `json:"success"`
		Error   *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return err
	}
	if resp.Error != nil {
		return fmt.Errorf("%s (%d)", resp.Error.Description, resp.Error.ErrCode)
	}
	if !resp.Success {
		return errors.New("not removed")
	}
	return nil
}

// pending says why this node's takeover is not finished, or nil once no
// earlier incarnation is left and, if any was removed, every stream has its
// full set of replicas without it (checked with streams, which lists each
// stream's replica count and the names of its replicas).
func (t *takeover) pending(streams func() (map[string][]string, map[string]int, error)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.placed {
		return nil
	}
	if !t.done {
		return errors.New("jetstream: this node's earlier incarnations (names its address had before it lost its data) are not removed from the cluster yet")
	}
	if len(t.removed) == 0 { // none: nothing to place again
		t.placed = true
		return nil
	}
	members, want, err := streams()
	if err != nil {
		return fmt.Errorf("jetstream: the streams' replicas since this node's earlier incarnation was removed are not known yet: %w", err)
	}
	for stream, names := range members {
		if len(names) < want[stream] {
			return fmt.Errorf("jetstream: stream %s has %d of its %d replicas since this node's earlier incarnation was removed", stream, len(names), want[stream])
		}
		for _, n := range names {
			for _, gone := range t.removed {
				if n == gone {
					return fmt.Errorf("jetstream: stream %s still has a replica on this node's earlier incarnation %s", stream, gone)
				}
			}
		}
	}
	t.placed = true
	return nil
}

// clusterBaseName is a cluster node's default name: the host's name and
// the node's route port.
func clusterBaseName(port int) string {
	name, err := os.Hostname()
	if err != nil {
		name = "switchyard"
	}
	return name + "-" + strconv.Itoa(port)
}

// clusterIdentity names this embedded cluster node (see nodeName), sets up
// its takeover, and makes the authenticator through which it reaches its
// server's system account.
func (c *Conn) clusterIdentity() (*clusterAuth, error) {
	_, port, err := splitHostPort(c.cfg.Cluster.Listen)
	if err != nil {
		return nil, fmt.Errorf("jetstream: cluster listen address: %w", err)
	}
	if c.cfg.ServerName == DefaultServerName {
		base := clusterBaseName(port)
		name, _, err := nodeName(c.cfg.DataDir, base)
		if err != nil {
			return nil, fmt.Errorf("jetstream: this node's name: %w", err)
		}
		c.cfg.ServerName = name
		// Not only when the name is new: a node restarted before its
		// takeover finished must finish it.
		c.takeover = &takeover{base: base, self: name, log: c.log, removed: map[string]string{}}
	}
	if c.sysPassword, err = newSecret(); err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &clusterAuth{token: c.cfg.ClientToken, password: c.sysPassword}, nil
}

// startTakeover connects to the system account and starts the takeover
// (cluster nodes named by this package).
func (c *Conn) startTakeover() error {
	if c.takeover == nil {
		return nil
	}
	sys, err := nats.Connect("", nats.InProcessServer(c.srv), nats.UserInfo(systemUser, c.sysPassword),
		nats.Name("switchyard-system"), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("jetstream: system account connection: %w", err)
	}
	c.sys, c.takeover.sys = sys, sys
	ctx, cancel := context.WithCancel(context.Background())
	c.stopTakeover = cancel
	go c.takeover.run(ctx)
	return nil
}

// streamMembers lists every stream's wanted replica count and the names of
// its leader and its current, online replicas.
func (c *Conn) streamMembers() (map[string][]string, map[string]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	members, want := map[string][]string{}, map[string]int{}
	names := c.js.StreamNames(ctx)
	for n := range names.Name() {
		members[n], want[n] = nil, 1
	}
	if err := names.Err(); err != nil {
		return nil, nil, err
	}
	infos := c.js.ListStreams(ctx)
	for info := range infos.Info() {
		var in []string
		if ci := info.Cluster; ci != nil {
			if ci.Leader != "" {
				in = append(in, ci.Leader)
			}
			for _, r := range ci.Replicas {
				if r.Current && !r.Offline {
					in = append(in, r.Name)
				}
			}
		}
		members[info.Config.Name], want[info.Config.Name] = in, info.Config.Replicas
	}
	return members, want, infos.Err()
}

// A Peer is a server of a cluster's JetStream meta group.
type Peer struct {
	ID   string
	Name string // "" when no server that answered knows it
	// Alive: the server answered just now. A peer that did not is down,
	// or gone for good (a machine replaced under another name or port).
	Alive bool
}

// ClusterPeers lists the meta group's peers other than the servers' own
// views of themselves, sorted by name, through sys: a connection to the
// cluster's system account (see Conn.SystemURL).
func ClusterPeers(ctx context.Context, sys *nats.Conn) ([]Peer, error) {
	peers, answered, _, err := metaPeers(ctx, sys)
	if err != nil {
		return nil, err
	}
	if len(answered) == 0 {
		return nil, errors.New("jetstream: no server of the cluster answered")
	}
	var out []Peer
	for id, name := range peers {
		out = append(out, Peer{ID: id, Name: name, Alive: name != "" && answered[name]})
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
	return out, nil
}

// RemovePeer removes the peer named name (or whose ID is name) from the
// cluster through sys, a connection to its system account; nats-server
// then moves its replicas to the servers with room. It refuses a peer
// that is alive: stop it first.
func RemovePeer(ctx context.Context, sys *nats.Conn, name string) error {
	peers, err := ClusterPeers(ctx, sys)
	if err != nil {
		return err
	}
	for _, p := range peers {
		if p.Name != name && p.ID != name {
			continue
		}
		if p.Alive {
			return fmt.Errorf("jetstream: %s is alive: stop it before removing it from the cluster", name)
		}
		return removePeer(ctx, sys, p.ID)
	}
	return fmt.Errorf("jetstream: the cluster has no peer %s", name)
}

// SystemURL returns the URL a tool reaches an embedded cluster node's
// system account with: nats://USER:PASSWORD@HOST:PORT of
// Config.ClientListen (keep it private: it may remove servers from the
// cluster). "" without a cluster, without ClientListen or with an external
// server.
func (c *Conn) SystemURL() string {
	if c.srv == nil || c.cfg.ClientListen == "" || c.sysPassword == "" {
		return ""
	}
	addr, ok := c.srv.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	return (&url.URL{Scheme: "nats", User: url.UserPassword(systemUser, c.sysPassword), Host: addr.String()}).String()
}
