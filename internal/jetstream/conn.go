package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults applied by Open to zero Config fields.
const (
	// DefaultReplicas is the replica count of buckets and streams.
	DefaultReplicas = 1
	// DefaultStartTimeout bounds how long Open waits for the embedded server
	// to accept connections, or for the first connection to an external one.
	DefaultStartTimeout = 10 * time.Second
	// DefaultClusterStartTimeout is how long a cluster node waits for
	// enough other nodes to elect JetStream's leader.
	DefaultClusterStartTimeout = 2 * time.Minute
	// DefaultStoreSubdir is the directory under DataDir holding JetStream
	// files when the server is embedded.
	DefaultStoreSubdir = "jetstream"
	// DefaultServerName names the embedded server.
	DefaultServerName = "switchyard"
)

// Config says where JetStream lives.
type Config struct {
	// URL of an external NATS server or cluster (comma-separated URLs are
	// fine). Empty means: embed a nats-server in this process. Durability is
	// then that server's: run it with sync_interval: always (or replicas > 1).
	URL string
	// DataDir is where the embedded server stores its files (under
	// DataDir/DefaultStoreSubdir). Required when URL is empty, unused otherwise.
	DataDir string
	// Replicas of every bucket and stream created; DefaultReplicas if zero.
	// Only an external cluster can have more than 1.
	Replicas int
	// StartTimeout: DefaultStartTimeout if zero.
	StartTimeout time.Duration
	// ServerName of the embedded server: if empty, DefaultServerName, or
	// for a cluster node the name kept in its data directory (see
	// identity.go), which changes with a new disk.
	ServerName string
	// DiskReserve is the free space the embedded server leaves on the
	// filesystem of DataDir: JetStream refuses writes (the event log's
	// Append then fails with eventbus.ErrStorageFull) once less would be
	// free, and takes them again within DiskCheckInterval of space being
	// freed. Zero: a tenth of the filesystem, at least 1 MiB and at most
	// 64 MiB. Unused with URL (the external server manages its disk).
	DiskReserve int64
	// DiskCheckInterval is how often free space is measured:
	// DefaultDiskCheckInterval if zero.
	DiskCheckInterval time.Duration
	// DiskSpace measures free space: statfs on Linux if nil; elsewhere
	// there is no guard and nats-server's own limit applies (75% of the
	// space free at start). Tests set it. Not a flag.
	DiskSpace DiskSpace
	// ClientListen, if set, makes the embedded server also accept client
	// connections on this HOST:PORT (port 0: any free one), each
	// presenting ClientToken, so that tools can reach a running server
	// (see Conn.ClientURL). Empty: no network listener. Unused with URL.
	ClientListen string
	// ClientToken is the token connections to ClientListen must present:
	// a random one, made by Open, if empty.
	ClientToken string
	// Cluster, if its Name is set, makes the embedded server one node of a
	// NATS cluster (several switchyard processes, each with its embedded
	// server, replicating JetStream by NATS's own Raft): Replicas may then
	// be up to the number of nodes.
	Cluster ClusterConfig
	// ServerNotices passes the embedded server's notices (start-up
	// banner, listeners, stream recovery) to the log at debug level; they
	// are dropped otherwise. Its warnings and errors are always logged.
	ServerNotices bool
	// NATSOptions are extra client options (credentials, TLS, name) for the
	// connection to an external URL; they are also applied to the in-process
	// connection, where most are harmless.
	NATSOptions []nats.Option
}

// A ClusterConfig makes the embedded server a node of a NATS cluster.
type ClusterConfig struct {
	// Name is the cluster's, the same on every node.
	Name string
	// Listen is the HOST:PORT this node takes route connections on.
	Listen string
	// Routes are the HOST:PORT route addresses of the other nodes (this
	// node's own is ignored if listed).
	Routes []string
	// Secret, if set, is required of every route connection, and
	// presented to the other nodes: the same on every node.
	Secret string
}

func (cfg Config) withDefaults() Config {
	if cfg.Replicas <= 0 {
		cfg.Replicas = DefaultReplicas
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
		if cfg.Cluster.Name != "" {
			cfg.StartTimeout = DefaultClusterStartTimeout
		}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = DefaultServerName
	}
	if cfg.DiskCheckInterval <= 0 {
		cfg.DiskCheckInterval = DefaultDiskCheckInterval
	}
	if cfg.DiskSpace == nil {
		cfg.DiskSpace = defaultDiskSpace
	}
	return cfg
}

// A Conn is an open connection to JetStream, and owns the embedded server if
// there is one. Safe for concurrent use; Close once, after every KV and
// EventLog made from it is no longer used.
type Conn struct {
	cfg    Config
	log    *slog.Logger
	srv    *server.Server // nil when connected to an external URL
	guard  *diskGuard     // nil without srv, or where space is not measured
	nc     *nats.Conn
	js     jetstream.JetStream
	closed chan struct{} // closed by the nats client when nc is closed

	stopped  chan struct{} // closed by Close once nc is closed and srv has shut down
	stopOnce sync.Once     // guards close(stopped)

	// An embedded cluster node's system user's password, its connection
	// to the system account and its takeover of earlier incarnations (see
	// identity.go); zero otherwise.
	sysPassword  string
	sys          *nats.Conn
	takeover     *takeover
	stopTakeover context.CancelFunc
}

// Open connects to JetStream as cfg says: to cfg.URL, or, when it is empty,
// to a nats-server it starts in this process with JetStream file storage under
// cfg.DataDir, fsync on every write and no network listener. log receives the
// embedded server's warnings and errors; nil discards them. Open returns an
// error, having released everything it started, if the server does not start
// or the connection fails within cfg.StartTimeout.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Conn, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Conn{cfg: cfg, log: log, closed: make(chan struct{}), stopped: make(chan struct{})}
	opts := append([]nats.Option{nats.Name("switchyard"), nats.MaxReconnects(-1)}, cfg.NATSOptions...)
	// Last, so Close can rely on it whatever cfg.NATSOptions hold.
	opts = append(opts, nats.ClosedHandler(func(*nats.Conn) { close(c.closed) }))

	url := cfg.URL
	if url == "" {
		if cfg.DataDir == "" {
			return nil, errors.New("jetstream: Config.DataDir is required for the embedded server")
		}
		if cfg.Replicas != 1 && cfg.Cluster.Name == "" {
			return nil, fmt.Errorf("jetstream: %d replicas need a cluster: an external one (Config.URL) or embedded servers clustered (Config.Cluster)", cfg.Replicas)
		}
		if cfg.Cluster.Name != "" {
			switch alone, err := standaloneData(cfg.DataDir); {
			case err != nil:
				return nil, fmt.Errorf("jetstream: %w", err)
			case alone:
				return nil, fmt.Errorf("%w (%s): nats-server would delete them as orphans when it joins a cluster", ErrStandaloneData, cfg.DataDir)
			}
		}
		if cfg.ClientListen != "" && cfg.ClientToken == "" {
			var err error
			if cfg.ClientToken, err = newSecret(); err != nil {
				return nil, fmt.Errorf("jetstream: %w", err)
			}
			c.cfg.ClientToken = cfg.ClientToken
		}
		var auth *clusterAuth
		if cfg.Cluster.Name != "" {
			var err error
			if auth, err = c.clusterIdentity(); err != nil {
				return nil, err
			}
			cfg = c.cfg
		}
		srv, err := startEmbedded(cfg, log, auth)
		if err != nil {
			return nil, err
		}
		c.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
		if cfg.ClientListen != "" {
			opts = append(opts, nats.Token(cfg.ClientToken))
		}
	} else {
		opts = append(opts, nats.Timeout(cfg.StartTimeout))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		c.stopServer()
		return nil, fmt.Errorf("jetstream: connect: %w", err)
	}
	c.nc = nc
	if mp := nc.MaxPayload(); mp < MinMaxPayload {
		log.Warn("jetstream: the NATS server's max_payload is below what the largest events need; larger events will fail with InternalException",
			"max_payload", mp, "want", MinMaxPayload)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		c.stopServer()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	c.js = js
	actx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	if c.srv != nil && cfg.Cluster.Name != "" {
		// A node that rejoins (perhaps with an empty disk) answers API calls
		// before it has caught up with the cluster's metadata; opening the
		// buckets then times out. Wait until it is current.
		for !c.srv.JetStreamIsCurrent() && actx.Err() == nil {
			select {
			case <-actx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		if err := c.startTakeover(); err != nil {
			nc.Close()
			c.stopServer()
			return nil, err
		}
	}
	if err := waitJetStream(actx, js, log); err != nil {
		nc.Close()
		c.stopServer()
		return nil, fmt.Errorf("jetstream: not available: %w", err)
	}
	if cfg.Replicas > 1 {
		if err := checkReplicas(actx, js, cfg.Replicas); err != nil {
			nc.Close()
			c.stopServer()
			return nil, err
		}
		// Streams kept with fewer replicas get more now, all at once:
		// archives are opened only when used, and the others would
		// otherwise wait for their replicas one after another as they are
		// opened (buckets, which open together, are left to that).
		// Copying their data to the new replicas may take longer than
		// StartTimeout: only ctx bounds it.
		if err := c.settling(ctx, func(ctx context.Context) error { return scaleUp(ctx, js, StreamPrefix, cfg.Replicas) }); err != nil {
			nc.Close()
			c.stopServer()
			return nil, err
		}
	}
	if c.srv != nil {
		c.guard = startDiskGuard(c.srv, cfg, filepath.Join(cfg.DataDir, DefaultStoreSubdir), log)
	}
	return c, nil
}

// waitJetStream waits until JetStream answers: at once for a single
// server; for a cluster's node, once enough nodes are up to elect a leader.
func waitJetStream(ctx context.Context, js jetstream.JetStream, log *slog.Logger) error {
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a request made while the cluster forms may go unanswered
		_, err := js.AccountInfo(tctx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
		log.Debug("jetstream: waiting for JetStream", "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// settling runs op, and on a cluster node again after a timeout until the
// start timeout has passed: a node that has just joined (or rejoined empty)
// answers some API calls only once its replicas have caught up.
func (c *Conn) settling(ctx context.Context, op func(context.Context) error) error {
	if c.cfg.Cluster.Name == "" {
		return op(ctx)
	}
	deadline := time.Now().Add(c.cfg.StartTimeout)
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := op(tctx)
		cancel()
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		c.log.Debug("jetstream: waiting for this node to catch up", "err", err)
	}
}

// JetStream API error codes of a placement the cluster cannot make (yet):
// nats-server's "no suitable peers for placement" and "insufficient
// resources".
const (
	errCodeNoPeers               jetstream.ErrorCode = 10005
	errCodeInsufficientResources jetstream.ErrorCode = 10023
)

// StreamPrefix begins the names of switchyard's own streams (its default
// ones, and every archive's): Open gives those kept with fewer replicas
// than Config.Replicas more.
const StreamPrefix = "SWITCHYARD_"

// replicasCheckStream is the stream checkReplicas creates and deletes.
const replicasCheckStream = "SWITCHYARD_REPLICAS_CHECK"

// checkReplicas finds out, before any stream is opened, whether the NATS
// servers can keep n copies of a stream, by creating (and deleting) an
// empty one with n replicas: on fewer than n JetStream servers nats-server
// refuses it, and switchyard refuses to start with an error saying so,
// rather than failing later on its first stream.
func checkReplicas(ctx context.Context, js jetstream.JetStream, n int) error {
	var err error
	for { // a cluster still forming has no placement for n yet: retry until ctx ends
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a request made while the cluster forms may go unanswered
		_, err = js.CreateOrUpdateStream(tctx, jetstream.StreamConfig{
			Name: replicasCheckStream, Subjects: []string{"switchyard.replicas.check"},
			Storage: jetstream.MemoryStorage, Replicas: n, MaxMsgs: 1,
		})
		cancel()
		var apiErr *jetstream.APIError
		forming := errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil ||
			errors.As(err, &apiErr) && (apiErr.ErrorCode == errCodeNoPeers || apiErr.ErrorCode == errCodeInsufficientResources)
		if err == nil || !forming {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
			continue
		}
		break
	}
	if err != nil {
		return fmt.Errorf("jetstream: %d replicas need a JetStream cluster of at least %d servers, and the NATS servers refused a stream with %d: %w", n, n, n, err)
	}
	if err := js.DeleteStream(ctx, replicasCheckStream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("jetstream: replicas check: %w", err)
	}
	return nil
}

// EmbeddedMaxPayload is the largest message the embedded server takes
// (nats-server's default is 1 MB, its recommended ceiling 8 MB). A 1 MB
// event (AWS's PutEvents limit) is a little over 1 MB once in its envelope
// and framing, and more when its strings need JSON escaping, so an event log
// record, a delivery job or a dead letter of one needs more than the
// default; an external NATS needs max_payload of at least this much for
// such events (see MinMaxPayload).
const EmbeddedMaxPayload = 8 << 20

// MinMaxPayload is the smallest max_payload of an external NATS with which
// an event of 1 MB of entries can be stored, queued and dead-lettered in
// every case (its JSON escaping included): Open logs a warning below it.
const MinMaxPayload = 4 << 20

// startEmbedded starts a nats-server with JetStream and waits until it
// accepts in-process connections.
// auth, if not nil, authenticates its clients.
func startEmbedded(cfg Config, log *slog.Logger, auth *clusterAuth) (*server.Server, error) {
	opts := &server.Options{
		ServerName: cfg.ServerName,
		JetStream:  true,
		StoreDir:   filepath.Join(cfg.DataDir, DefaultStoreSubdir),
		// JetStream's default is to fsync every 2 minutes, losing
		// acknowledged writes on a power loss or kernel crash.
		SyncAlways: true,
		DontListen: true,
		NoSigs:     true,
		MaxPayload: EmbeddedMaxPayload,
	}
	if cfg.DiskSpace != nil {
		opts.JetStreamMaxStore = embeddedMaxStore // the disk guard's limit applies
	}
	if cfg.ClientListen != "" {
		host, port, err := net.SplitHostPort(cfg.ClientListen)
		if err != nil {
			return nil, fmt.Errorf("jetstream: client listen address: %w", err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("jetstream: client listen port: %w", err)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		opts.DontListen, opts.Host, opts.Port, opts.Authorization = false, host, p, cfg.ClientToken
	}
	if cfg.Cluster.Name != "" {
		if err := clusterOptions(opts, cfg.Cluster); err != nil {
			return nil, err
		}
	}
	if auth != nil {
		opts.CustomClientAuthentication, opts.Authorization = auth, ""
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("jetstream: embedded server: %w", err)
	}
	if auth != nil {
		auth.srv = srv
	}
	srv.SetLoggerV2(serverLogger{log: log, notices: cfg.ServerNotices}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(cfg.StartTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("jetstream: embedded server not ready after %v", cfg.StartTimeout)
	}
	return srv, nil
}

// ClientURL returns the URL tools connect to the embedded server with:
// nats://TOKEN@HOST:PORT of Config.ClientListen, the token included (keep
// it private). "" without ClientListen or with an external server.
func (c *Conn) ClientURL() string {
	if c.srv == nil || c.cfg.ClientListen == "" {
		return ""
	}
	addr, ok := c.srv.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	return (&url.URL{Scheme: "nats", User: url.User(c.cfg.ClientToken), Host: addr.String()}).String()
}

// JetStream returns the JetStream context, for streams this package does not
// wrap. Valid until Close.
func (c *Conn) JetStream() jetstream.JetStream { return c.js }

// NATS returns the underlying client connection. Valid until Close; do not
// close it directly.
func (c *Conn) NATS() *nats.Conn { return c.nc }

// Close drains the connection (in-flight messages are processed, pending
// publishes flushed), then shuts the embedded server down and waits for it to
// have stopped, so its files are closed and DataDir can be reopened. If ctx
// ends first Close returns ctx's error and leaves the rest to finish in the
// background; Stopped tells when that is done.
func (c *Conn) Close(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		err := c.nc.Drain()
		if err == nil {
			<-c.closed
		} else {
			c.nc.Close()
		}
		c.stopServer()
		c.stopOnce.Do(func() { close(c.stopped) })
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			return fmt.Errorf("jetstream: drain: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stopped returns a channel closed once a Close has finished its work,
// whether or not that Close returned before: the connection is closed and
// the embedded server, if any, has shut down (nats-server's Shutdown and
// WaitForShutdown both returned), so its files are closed and DataDir may be
// handed to another process. It is never closed before Close is called.
func (c *Conn) Stopped() <-chan struct{} { return c.stopped }

func (c *Conn) stopServer() {
	c.guard.close()
	c.guard = nil
	if c.stopTakeover != nil {
		c.stopTakeover()
	}
	if c.sys != nil {
		c.sys.Close()
	}
	if c.srv == nil {
		return
	}
	c.srv.Shutdown()
	c.srv.WaitForShutdown()
}

// serverLogger bridges the embedded server's log to slog: warnings and errors
// at their level, notices at debug when asked for, debug and trace dropped.
type serverLogger struct {
	log     *slog.Logger
	notices bool
}

func (l serverLogger) logf(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if l.log.Enabled(ctx, level) {
		l.log.Log(ctx, level, fmt.Sprintf(format, v...), "component", "nats-server")
	}
}

func (l serverLogger) Noticef(format string, v ...any) {
	if l.notices {
		l.logf(slog.LevelDebug, format, v)
	}
}
func (l serverLogger) Warnf(format string, v ...any)  { l.logf(slog.LevelWarn, format, v) }
func (l serverLogger) Fatalf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
func (l serverLogger) Errorf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
func (l serverLogger) Debugf(string, ...any)          {}
func (l serverLogger) Tracef(string, ...any)          {}

// clusterOptions makes opts those of a node of cluster c.
func clusterOptions(opts *server.Options, c ClusterConfig) error {
	host, port, err := splitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("jetstream: cluster listen address: %w", err)
	}
	if port == server.RANDOM_PORT {
		return errors.New("jetstream: a cluster node needs a fixed route port (the other nodes' routes name it)")
	}
	opts.Cluster = server.ClusterOpts{Name: c.Name, Host: host, Port: port}
	auth := ""
	if c.Secret != "" {
		opts.Cluster.Username, opts.Cluster.Password = clusterUser, c.Secret
		auth = url.UserPassword(clusterUser, c.Secret).String() + "@"
	}
	var routes []string
	for _, r := range c.Routes {
		if r == c.Listen {
			continue
		}
		routes = append(routes, "nats-route://"+auth+r)
	}
	opts.Routes = server.RoutesFromStr(strings.Join(routes, ","))
	return nil
}

// clusterUser is the user name nodes present to each other with a secret.
const clusterUser = "switchyard"

// splitHostPort splits HOST:PORT, a port of 0 meaning any.
func splitHostPort(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, err
	}
	if p == 0 {
		p = server.RANDOM_PORT
	}
	return host, p, nil
}
