package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/archive"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/buslog"
	"github.com/switchyard/switchyard/internal/console"
	"github.com/switchyard/switchyard/internal/delivery/awstarget"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/schedule"
	"github.com/switchyard/switchyard/internal/secrets"
	"github.com/switchyard/switchyard/internal/shutdown"
	"github.com/switchyard/switchyard/internal/sigv4"
)

// Config is everything `switchyard serve` can be told.
type Config struct {
	Listen  string
	DataDir string
	NATSURL string
	// Replicas of every stream and bucket (1, 3 or 5; more than 1 needs
	// a NATS cluster: --nats-url, or the Cluster* settings).
	Replicas int
	// ClusterName, ClusterListen, ClusterRoutes (comma-separated) and
	// ClusterSecret make the embedded NATS server a node of a cluster of
	// switchyard processes.
	ClusterName   string
	ClusterListen string
	ClusterRoutes string
	ClusterSecret string
	Region        string
	Auth          string // "dev" or "sigv4"
	// DevAnyAddress allows --auth dev on a non-loopback address: for a
	// container's own network, published to the host's loopback only.
	DevAnyAddress   bool
	CredentialsFile string
	SecretKeyFile   string // key of connection secrets; "" generates one in DataDir
	LogLevel        string
	MaxBodyBytes    int64
	// TLSCert and TLSKey are PEM files; with both, the API is served over
	// HTTPS only (see serverTLS).
	TLSCert string
	TLSKey  string
	// MaxUnverifiedBytes bounds the body bytes read at once before their
	// signature is verified (0: awsjson's default).
	MaxUnverifiedBytes int64
	// ReadTimeout bounds reading a request's headers (at most 10 s) and,
	// once they passed authentication, its body.
	ReadTimeout time.Duration
	// EventLogMaxBytes and EventLogMaxAge bound the event log: events
	// not yet routed are kept until routed, within these bounds (0: no
	// byte bound; 24 h).
	EventLogMaxBytes int64
	EventLogMaxAge   time.Duration
	// API configures the service; its Region is always Region.
	API     api.Config
	Routing RoutingConfig
	// Shutdown budgets the phases of Close; --shutdown-timeout sets them
	// all from one total.
	Shutdown ShutdownBudgets
	// Metrics serves Prometheus metrics at /metrics (default true).
	Metrics bool
	// NATSListen, if set, opens a loopback client listener on the
	// embedded server, token-guarded, advertised in the data directory for
	// the tools (see clientURLFile).
	NATSListen string
	// NATSLog passes the embedded NATS server's notices to the log (at
	// debug); its warnings and errors are logged regardless.
	NATSLog bool
	// AccessLogInterval is how often the summary of the requests answered
	// is logged at info (0: never).
	AccessLogInterval time.Duration
	// MetricsListen, if set, serves /metrics there instead of on Listen,
	// with /healthz and /readyz (and nothing else).
	MetricsListen string
	// BusLogs writes the log records of buses whose LogConfig sets a level
	// to the stream of bus logs (default true); BusLogStdout also writes
	// them to stdout as JSON lines. BusLogMaxAge and BusLogMaxBytes bound
	// the stream (0: 24 h; 1 GiB or a tenth of the store limit).
	BusLogs        bool
	BusLogStdout   bool
	BusLogMaxAge   time.Duration
	BusLogMaxBytes int64
	// Console serves the web console at /console/ on Listen and counts
	// partner events for its dashboard (default true).
	Console bool
}

// DefaultReadTimeout bounds reading a request's headers (at most 10 s of
// it) and, separately, its body.
const DefaultReadTimeout = awsjson.DefaultBodyTimeout

// DefaultAccessLogInterval is the default --access-log-interval.
const DefaultAccessLogInterval = time.Minute

// DefaultConfig returns the configuration of a plain `switchyard serve`.
func DefaultConfig() Config {
	return Config{
		Listen:            "127.0.0.1:4010",
		DataDir:           "switchyard-data",
		Region:            "us-east-1",
		Auth:              "dev",
		LogLevel:          "info",
		ReadTimeout:       DefaultReadTimeout,
		API:               api.DefaultConfig(),
		Shutdown:          SplitShutdown(DefaultShutdownTimeout),
		Metrics:           true,
		BusLogs:           true,
		Console:           true,
		NATSListen:        "127.0.0.1:0",
		AccessLogInterval: DefaultAccessLogInterval,
	}
}

// Main is the switchyard server program: ParseFlags, then Run (or Serve),
// then Close. Tests run it on 127.0.0.1:0 and read Addr.
type Main struct {
	Config Config
	Log    *slog.Logger
	// Listener, if set before Run, is served instead of listening on
	// Config.Listen (tests hand in one that fails); Close closes it.
	Listener net.Listener
	// Stdout is where --bus-logs-stdout writes (nil: os.Stdout).
	Stdout io.Writer

	conn   *jetstream.Conn
	unlock func() error // releases the data directory's lock; nil with --nats-url
	stores api.Stores
	// closers stop what Run started, newest first, after HTTP and before
	// JetStream (see onClose and closeSteps).
	closers  []shutdown.Step
	listener net.Listener
	server   *http.Server
	serveErr chan error // receives the error that ended serving, if any; buffered
	service  *api.Service
	replays  *jetstream.Queue // replays to run, shared by every process
	// scheduler fires scheduled rules; tests read its view of the rules.
	scheduler *schedule.Scheduler
	// awsTargets delivers to AWS-service targets; built before the API,
	// which tells it of each target put.
	awsTargets *awstarget.Targets
	obs        observed
	// busLog writes bus log records; nil with --bus-logs=false.
	busLog *buslog.Logger
	// metricsAddr is the --metrics-listen address bound ("" without).
	metricsAddr string
	// counters and console are the web console's (nil with
	// --console=false); dead is the dead letter store it reads.
	counters *console.Counters
	console  *console.Handler
	dead     *jetstream.DeadLetters
}

// replayQueue is the work queue of replays: a replay's job is acknowledged
// when it ends, and a process that dies running one leaves it to another
// after ackWait.
func replayQueue(ackWait time.Duration) jetstream.QueueConfig {
	return jetstream.QueueConfig{
		Stream: "SWITCHYARD_REPLAYS", Subject: "switchyard.replays", Durable: "switchyard-replay",
		AckWait: ackWait, MaxAckPending: 1000,
	}
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main { return &Main{Config: DefaultConfig()} }

// ParseFlags reads flags, falling back to SWITCHYARD_<FLAG> variables
// (looked up with getenv) for flags not given, and to the --config file
// (or SWITCHYARD_CONFIG) for flags given neither way.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	c := &m.Config
	fs := flag.NewFlagSet("switchyard serve", flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", c.Listen, "`HOST:PORT` to serve the EventBridge API on")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`DIR` holding all state of the embedded JetStream")
	fs.StringVar(&c.NATSURL, "nats-url", c.NATSURL, "`URL` of an external NATS cluster to use instead of the embedded server (several: comma-separated)")
	fs.IntVar(&c.Replicas, "replicas", c.Replicas, "copies of every stream and bucket JetStream keeps: 1, 3 or 5; more than 1 needs a JetStream cluster of at least that many servers (--nats-url, or --cluster-*)")
	fs.StringVar(&c.ClusterName, "cluster-name", c.ClusterName, "make the embedded NATS server a node of the cluster of this `name` (the same on every node)")
	fs.StringVar(&c.ClusterListen, "cluster-listen", c.ClusterListen, "`HOST:PORT` this node takes the other nodes' route connections on")
	fs.StringVar(&c.ClusterRoutes, "cluster-routes", c.ClusterRoutes, "`HOST:PORT,...` of the other nodes' --cluster-listen (listing this node's own is fine)")
	fs.StringVar(&c.ClusterSecret, "cluster-secret", c.ClusterSecret, "`secret` every node presents and requires on routes (better from SWITCHYARD_CLUSTER_SECRET)")
	fs.StringVar(&c.Region, "region", c.Region, "AWS `region` this server answers as")
	fs.StringVar(&c.Auth, "auth", c.Auth, "authentication: dev (any signature, loopback only) or sigv4")
	fs.BoolVar(&c.DevAnyAddress, "dev-any-address", c.DevAnyAddress, "allow --auth dev on a non-loopback --listen address (a container network published to the host's loopback only): anyone reaching it can act as any account")
	fs.StringVar(&c.CredentialsFile, "credentials", c.CredentialsFile, "credentials `FILE` for --auth sigv4")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "PEM `FILE` of the certificate chain to serve HTTPS with (needs --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM `FILE` of the private key of --tls-cert")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted (0: default)")
	fs.Int64Var(&c.MaxUnverifiedBytes, "max-unverified-bytes", c.MaxUnverifiedBytes, "request body `bytes` read at once before their signature is verified; beyond, requests wait, then get ThrottlingException (0: 16 x the default body limit)")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", c.ReadTimeout, "longest time to read a request's headers (at most 10s), and again its body; a stalled request is answered and closed after it")
	fs.BoolVar(&c.API.PartnerOperations, "partner-operations", c.API.PartnerOperations, "allow the SaaS partner operations")
	fs.IntVar(&c.API.MaxBusesPerAccount, "max-buses", c.API.MaxBusesPerAccount, "event buses per account")
	fs.IntVar(&c.API.MaxSourcesPerPartnerAccount, "max-partner-sources", c.API.MaxSourcesPerPartnerAccount, "partner event sources per partner account")
	fs.DurationVar(&c.API.SourceExpiry, "source-expiry", c.API.SourceExpiry, "how long a partner event source may stay PENDING")
	fs.IntVar(&c.API.MaxEntriesSize, "max-entries-size", c.API.MaxEntriesSize, "total entry `bytes` of one PutEvents or PutPartnerEvents request (0: no limit)")
	fs.Float64Var(&c.API.Throttle.PutEvents.PerSecond, "put-events-rate", c.API.Throttle.PutEvents.PerSecond, "PutEvents requests per second per account (0: unlimited)")
	fs.IntVar(&c.API.Throttle.PutEvents.Burst, "put-events-burst", c.API.Throttle.PutEvents.Burst, "PutEvents burst per account")
	fs.Float64Var(&c.API.Throttle.PutPartnerEvents.PerSecond, "put-partner-events-rate", c.API.Throttle.PutPartnerEvents.PerSecond, "PutPartnerEvents requests per second per account (0: unlimited)")
	fs.IntVar(&c.API.Throttle.PutPartnerEvents.Burst, "put-partner-events-burst", c.API.Throttle.PutPartnerEvents.Burst, "PutPartnerEvents burst per account")
	fs.IntVar(&c.API.MaxRulesPerBus, "max-rules-per-bus", c.API.MaxRulesPerBus, "rules per event bus (0: no limit)")
	fs.IntVar(&c.API.MaxTargetsPerRule, "max-targets-per-rule", c.API.MaxTargetsPerRule, "targets per rule (0: no limit)")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", c.SecretKeyFile, "`FILE` holding the 32-byte key (raw or base64) that encrypts connection secrets at rest (default: generated once as "+secretKeyFile+" in the data dir)")
	fs.IntVar(&c.API.MaxConnections, "max-connections", c.API.MaxConnections, "connections per account (0: no limit)")
	fs.IntVar(&c.API.MaxAPIDestinations, "max-api-destinations", c.API.MaxAPIDestinations, "API destinations per account (0: no limit)")
	fs.BoolVar(&c.API.HTTPLoopbackEndpoints, "http-loopback-endpoints", c.API.HTTPLoopbackEndpoints, "accept http:// API destination and OAuth endpoints on localhost and loopback addresses (AWS: https only)")
	fs.Var(shutdownFlag{&c.Shutdown}, "shutdown-timeout", "longest a clean shutdown takes, split between its phases (HTTP 1/3, delivery and JetStream 8/30 each, router 2/30, each event log 1/30)")
	fs.Int64Var(&c.EventLogMaxBytes, "event-log-max-bytes", c.EventLogMaxBytes, "`bytes` of events not yet routed the event log may hold; when full, puts fail with a retryable error (0: no bound but the disk)")
	fs.DurationVar(&c.EventLogMaxAge, "event-log-max-age", c.EventLogMaxAge, "how long an event not yet routed is kept (0: default 24h)")
	fs.StringVar(&c.NATSListen, "nats-listen", c.NATSListen, "`HOST:PORT` where the embedded NATS server takes client connections with a token written to DATA-DIR/"+clientURLFile+" (mode 0600), so `switchyard deadletters` and `tail` reach a running server; empty: none")
	fs.BoolVar(&c.NATSLog, "nats-log", c.NATSLog, "log the embedded NATS server's notices (at debug level; its warnings and errors are always logged)")
	fs.DurationVar(&c.AccessLogInterval, "access-log-interval", c.AccessLogInterval, "log a summary of the requests answered (counts by operation and outcome) at info this often; 0: never")
	fs.BoolVar(&c.Metrics, "metrics", c.Metrics, "serve Prometheus metrics at GET /metrics (false: no collectors at all)")
	fs.BoolVar(&c.BusLogs, "bus-logs", c.BusLogs, "write the log records of buses whose LogConfig sets a level to the SWITCHYARD_BUSLOGS stream (read with switchyard tail --logs)")
	fs.BoolVar(&c.BusLogStdout, "bus-logs-stdout", c.BusLogStdout, "also write bus log records to stdout, one JSON record per line")
	fs.DurationVar(&c.BusLogMaxAge, "bus-logs-max-age", c.BusLogMaxAge, "how long bus log records are kept (0: 24h)")
	fs.Int64Var(&c.BusLogMaxBytes, "bus-logs-max-bytes", c.BusLogMaxBytes, "size bound of the bus log stream, reserved from JetStream's store limit; the oldest records go first (0: 1 GiB, or a tenth of the store limit if less)")
	fs.BoolVar(&c.Console, "console", c.Console, "serve the web console at /console/ on --listen, and count each partner event source's events for its dashboard (in memory, per node)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "`HOST:PORT` to serve /metrics on instead of --listen, with /healthz and /readyz (unauthenticated)")
	c.Routing.addFlags(fs)
	fs.String("config", "", "`FILE` of flags, one `name = value` a line (# comments); SWITCHYARD_* variables and flags override it")
	if path := configArg(args, getenv); path != "" {
		if err := applyConfigFile(fs, path); err != nil {
			return err
		}
	}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch {
	case c.Replicas != 0 && c.Replicas != 1 && c.Replicas != 3 && c.Replicas != 5:
		return fmt.Errorf("--replicas must be 1, 3 or 5, not %d", c.Replicas)
	case c.Replicas > 1 && c.NATSURL == "" && c.ClusterName == "":
		return fmt.Errorf("--replicas %d needs a NATS cluster (--nats-url, or --cluster-name with --cluster-listen and --cluster-routes): one embedded server is one server", c.Replicas)
	case c.ClusterName != "" && c.NATSURL != "":
		return errors.New("--cluster-name clusters the embedded NATS server; it does not go with --nats-url")
	case c.ClusterName != "" && (c.ClusterListen == "" || c.ClusterRoutes == ""):
		return errors.New("--cluster-name needs --cluster-listen and --cluster-routes")
	}
	return nil
}

// Run opens storage and starts serving in the background; it returns once the
// listener is bound (see Addr). If serving fails later (the listener breaks),
// Serve returns that error; with Run alone, nothing more is served.
func (m *Main) Run(ctx context.Context) (err error) {
	c := m.Config
	if m.Log == nil {
		m.Log = newLogger(c.LogLevel)
	}
	m.listener = m.Listener // nil unless given; closed by Close from here on
	auth, err := m.authenticator()
	if err != nil {
		return err
	}
	tlsConfig, err := serverTLS(c.TLSCert, c.TLSKey)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = m.Close(context.Background())
		}
	}()
	if c.NATSURL == "" { // one process per data directory: the embedded store is not shareable
		if m.unlock, err = lockDataDir(c.DataDir); err != nil {
			return err
		}
	}
	jsCfg := jetstream.Config{URL: c.NATSURL, DataDir: c.DataDir, Replicas: c.Replicas, ServerNotices: c.NATSLog,
		Cluster: jetstream.ClusterConfig{Name: c.ClusterName, Listen: c.ClusterListen, Routes: splitList(c.ClusterRoutes), Secret: c.ClusterSecret}}
	if c.NATSURL == "" && c.NATSListen != "" {
		jsCfg.ClientListen = c.NATSListen // with a token jetstream.Open makes
		if !isLoopback(c.NATSListen) {
			m.Log.Warn("--nats-listen is not a loopback address: the embedded NATS server takes token-guarded (on a cluster node, also system-account), unencrypted client connections there", "addr", c.NATSListen)
		}
	}
	m.conn, err = jetstream.Open(ctx, jsCfg, m.Log)
	if errors.Is(err, jetstream.ErrStandaloneData) {
		return fmt.Errorf("open JetStream: %w; start this node on a new --data-dir and, once the cluster serves, copy them in with: switchyard migrate --from %s --data-dir NEW_DIR", err, c.DataDir)
	}
	if err != nil {
		return fmt.Errorf("open JetStream: %w", err)
	}
	if err := m.advertiseClientURL(); err != nil {
		return err
	}
	if m.stores.Stores, err = openStores(ctx, m.conn); err != nil {
		return err
	}
	if m.stores.Secrets, err = openSecrets(c, m.Log); err != nil {
		return err
	}
	m.stores.ArchiveLog = m.conn.Archives()
	if m.replays, err = m.conn.Queue(ctx, replayQueue(c.Routing.AckWait)); err != nil {
		return fmt.Errorf("open replay queue: %w", err)
	}
	m.stores.Replayer = archive.Starter{Queue: m.replays}
	if err := m.startObserving(); err != nil {
		return err
	}
	if err := m.startIngest(ctx); err != nil {
		return err
	}
	m.awsTargets = awstarget.New(c.Routing.awsConfig(m.Log.With("component", "aws-targets")))
	apiCfg := c.API
	apiCfg.Region = c.Region
	apiCfg.Log = m.Log.With("component", "api")
	apiCfg.TargetPut = m.awsTargets.Notice
	apiCfg.Observer = m.obs.ingestObserver()
	if c.Console {
		m.counters = console.NewCounters(nil, 0)
	}
	apiCfg.Partner = m.partnerObserver()
	if err := m.startBusLog(ctx); err != nil {
		return err
	}
	apiCfg.BusLog, _, _ = m.busLogHooks()
	if m.service, err = api.New(apiCfg, m.stores); err != nil {
		return err
	}
	if err := m.startRouting(ctx); err != nil {
		return err
	}
	if err := m.startMetricsListener(); err != nil {
		return err
	}
	m.startConsole(auth)
	dispatch := func(ctx context.Context, op string, body []byte) (any, error) {
		return apimodel.Dispatch(ctx, m.service, op, body)
	}
	readTimeout := c.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	// The headers are bounded by the server, the body by the handler, which
	// clears its deadline once the body is read: http.Server's ReadTimeout
	// would also cancel a request still running when it passes.
	handler := awsjson.NewHandler(dispatch, auth, m.Log, awsjson.Limits{
		MaxBodyBytes: c.MaxBodyBytes, MaxUnverifiedBytes: c.MaxUnverifiedBytes, BodyTimeout: readTimeout})
	handler.Observe(m.requestObservers())
	if m.listener == nil {
		if m.listener, err = net.Listen("tcp", c.Listen); err != nil {
			return err
		}
	}
	// Accept errors (EMFILE, ENFILE: out of descriptors) are temporary to
	// net/http, which retries after a backoff of 5 ms doubling to 1 s and
	// logs each through ErrorLog; serving resumes by itself once accept
	// works again.
	m.server = &http.Server{Handler: m.front(m.withConsole(handler)), ReadHeaderTimeout: min(10*time.Second, readTimeout), IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(m.Log.With("component", "http").Handler(), slog.LevelWarn), TLSConfig: tlsConfig}
	if m.console != nil { // open live event streams must not hold up shutdown
		m.server.RegisterOnShutdown(m.console.Shutdown)
	}
	srv, ln, serveErr := m.server, m.listener, make(chan error, 1)
	m.serveErr = serveErr
	go func() {
		var err error
		if tlsConfig != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	}()
	m.Log.Info("switchyard serving", "addr", m.Addr(), "tls", tlsConfig != nil, "auth", c.Auth, "region", c.Region, "dataDir", absDataDir(c.DataDir), "natsURL", c.NATSURL)
	if tlsConfig == nil && !isLoopback(c.Listen) {
		m.Log.Warn("serving plain HTTP on a non-loopback address: request bodies, connection secrets included, travel in clear; give --tls-cert and --tls-key or put a TLS-terminating proxy in front")
	}
	return nil
}

// Serve runs until ctx is done or serving fails, then shuts down (see
// Close). It returns the error that stopped serving, if any, joined with
// Close's, so `switchyard serve` exits non-zero when it could not serve.
func (m *Main) Serve(ctx context.Context) error {
	if err := m.Run(ctx); err != nil {
		return err
	}
	var serveErr error
	select {
	case <-ctx.Done():
		m.Log.Info("shutting down")
	case err := <-m.serveErr:
		m.Log.Error("serving failed; shutting down", "err", err)
		serveErr = fmt.Errorf("serve: %w", err)
	}
	return errors.Join(serveErr, m.Close(context.WithoutCancel(ctx)))
}

// MetricsAddr returns the address --metrics-listen bound ("" without it).
func (m *Main) MetricsAddr() string { return m.metricsAddr }

// Addr returns the address the server listens on.
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Close stops serving (letting calls in flight finish) and closes storage,
// phase by phase (see closeSteps), each within its budget in
// Config.Shutdown counted from when that phase starts; ctx's deadline and
// cancellation are not used, so Close returns within Shutdown.Total(). The
// data directory's lock is released only once the embedded server has shut
// down: if it is still stopping when its budget ends, Close returns an error
// and the lock is released when it has stopped. Every phase runs even when
// one fails; the errors come back joined. Close does nothing the second
// time.
func (m *Main) Close(ctx context.Context) error {
	steps := m.closeSteps()
	m.server, m.listener, m.closers, m.conn, m.unlock = nil, nil, nil, nil, nil
	return shutdown.Run(ctx, steps)
}

func (m *Main) authenticator() (awsjson.Authenticator, error) {
	c := m.Config
	switch c.Auth {
	case "dev":
		if !isLoopback(c.Listen) {
			if !c.DevAnyAddress {
				return nil, fmt.Errorf("--auth dev accepts any signature, so it is only allowed on a loopback address, not %q; use --auth sigv4 --credentials FILE (or, in a container whose port only the host reaches, --dev-any-address)", c.Listen)
			}
			m.Log.Warn("--auth dev on a non-loopback address (--dev-any-address): any caller who reaches it can act as any account; publish the port to the host's loopback only", "listen", c.Listen)
		}
		return sigv4.Dev{}, nil
	case "sigv4":
		if c.CredentialsFile == "" {
			return nil, errors.New("--auth sigv4 needs --credentials FILE")
		}
		creds, err := sigv4.LoadCredentials(c.CredentialsFile)
		if err != nil {
			return nil, err
		}
		return sigv4.NewVerifier(sigv4.Config{Credentials: creds, Region: c.Region})
	default:
		return nil, fmt.Errorf("--auth must be dev or sigv4, not %q", c.Auth)
	}
}

// isLoopback reports whether a listen address binds only loopback interfaces.
func isLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func openStores(ctx context.Context, conn *jetstream.Conn) (eventbus.Stores, error) {
	return eventbus.OpenStores(func(bucket string) (eventbus.KV, error) { return conn.KV(ctx, bucket) })
}

// secretKeyFile is the key file generated in the data dir when no
// --secret-key-file is given.
const secretKeyFile = "secret.key"

// openSecrets returns the sealer of connection secrets, under the key of
// --secret-key-file or, without one, of a key file generated once (0600) in
// the data dir, so that restarts can decrypt. Losing that file loses every
// connection's credentials.
func openSecrets(c Config, log *slog.Logger) (eventbus.Sealer, error) {
	var key []byte
	var err error
	if c.SecretKeyFile != "" {
		key, err = secrets.LoadKeyFile(c.SecretKeyFile)
	} else {
		path := filepath.Join(c.DataDir, secretKeyFile)
		var created bool
		if key, created, err = secrets.LoadOrCreateKeyFile(path); created {
			log.Info("generated the key that encrypts connection secrets; keep it with the data", "file", absDataDir(path))
			if c.NATSURL != "" || c.ClusterName != "" {
				log.Warn("in a cluster, give every switchyard node the same --secret-key-file: connection secrets sealed on one node are unreadable on the others", "generated", absDataDir(path))
			}
		}
	}
	if err != nil {
		return nil, err
	}
	defer clear(key)
	s, err := secrets.New(key)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// absDataDir is used in logs so users see where state lives.
func absDataDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
