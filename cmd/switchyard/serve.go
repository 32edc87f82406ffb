package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/secrets"
	"github.com/switchyard/switchyard/internal/sigv4"
)

// Config is everything `switchyard serve` can be told.
type Config struct {
	Listen          string
	DataDir         string
	NATSURL         string
	Region          string
	Auth            string // "dev" or "sigv4"
	CredentialsFile string
	SecretKeyFile   string // key of connection secrets; "" generates one in DataDir
	LogLevel        string
	MaxBodyBytes    int64
	// EventLogMaxBytes and EventLogMaxAge bound the event log: events
	// not yet routed are kept until routed, within these bounds (0: no
	// byte bound; 24 h).
	EventLogMaxBytes int64
	EventLogMaxAge   time.Duration
	// API configures the service; its Region is always Region.
	API     api.Config
	Routing RoutingConfig
}

// DefaultConfig returns the configuration of a plain `switchyard serve`.
func DefaultConfig() Config {
	return Config{
		Listen:   "127.0.0.1:4010",
		DataDir:  "switchyard-data",
		Region:   "us-east-1",
		Auth:     "dev",
		LogLevel: "info",
		API:      api.DefaultConfig(),
	}
}

// Main is the switchyard server program: ParseFlags, then Run (or Serve),
// then Close. Tests run it on 127.0.0.1:0 and read Addr.
type Main struct {
	Config Config
	Log    *slog.Logger

	conn   *jetstream.Conn
	unlock func() error // releases the data directory's lock; nil with --nats-url
	stores api.Stores
	// closers stop what Run started, in reverse order (see Close).
	closers  []func(context.Context) error
	listener net.Listener
	server   *http.Server
	service  *api.Service
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main { return &Main{Config: DefaultConfig()} }

// ParseFlags reads flags, falling back to SWITCHYARD_<FLAG> variables
// (looked up with getenv) for flags not given.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	c := &m.Config
	fs := flag.NewFlagSet("switchyard serve", flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", c.Listen, "`HOST:PORT` to serve the EventBridge API on")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`DIR` holding all state of the embedded JetStream")
	fs.StringVar(&c.NATSURL, "nats-url", c.NATSURL, "`URL` of an external NATS cluster to use instead of the embedded server")
	fs.StringVar(&c.Region, "region", c.Region, "AWS `region` this server answers as")
	fs.StringVar(&c.Auth, "auth", c.Auth, "authentication: dev (any signature, loopback only) or sigv4")
	fs.StringVar(&c.CredentialsFile, "credentials", c.CredentialsFile, "credentials `FILE` for --auth sigv4")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted (0: default)")
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
	fs.Int64Var(&c.EventLogMaxBytes, "event-log-max-bytes", c.EventLogMaxBytes, "`bytes` of events not yet routed the event log may hold; when full, puts fail with a retryable error (0: no bound but the disk)")
	fs.DurationVar(&c.EventLogMaxAge, "event-log-max-age", c.EventLogMaxAge, "how long an event not yet routed is kept (0: default 24h)")
	c.Routing.addFlags(fs)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "SWITCHYARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// Run opens storage and starts serving in the background; it returns once the
// listener is bound (see Addr).
func (m *Main) Run(ctx context.Context) (err error) {
	c := m.Config
	if m.Log == nil {
		m.Log = newLogger(c.LogLevel)
	}
	auth, err := m.authenticator()
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
	m.conn, err = jetstream.Open(ctx, jetstream.Config{URL: c.NATSURL, DataDir: c.DataDir}, m.Log)
	if err != nil {
		return fmt.Errorf("open JetStream: %w", err)
	}
	if m.stores.Stores, err = openStores(ctx, m.conn); err != nil {
		return err
	}
	if m.stores.Secrets, err = openSecrets(c, m.Log); err != nil {
		return err
	}
	if err := m.startIngest(ctx); err != nil {
		return err
	}
	apiCfg := c.API
	apiCfg.Region = c.Region
	if m.service, err = api.New(apiCfg, m.stores); err != nil {
		return err
	}
	if err := m.startRouting(ctx); err != nil {
		return err
	}
	dispatch := func(ctx context.Context, op string, body []byte) (any, error) {
		return apimodel.Dispatch(ctx, m.service, op, body)
	}
	handler := awsjson.NewHandler(dispatch, auth, m.Log, c.MaxBodyBytes)
	m.listener, err = net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	m.server = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := m.server.Serve(m.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("serve", "err", err)
		}
	}()
	m.Log.Info("switchyard serving", "addr", m.Addr(), "auth", c.Auth, "region", c.Region, "dataDir", absDataDir(c.DataDir), "natsURL", c.NATSURL)
	return nil
}

// Serve runs until ctx is done, then shuts down cleanly.
func (m *Main) Serve(ctx context.Context) error {
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Close(shutdownCtx)
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Close stops serving (letting calls in flight finish) and closes storage.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.server != nil {
		errs = append(errs, m.server.Shutdown(ctx))
	} else if m.listener != nil {
		errs = append(errs, m.listener.Close())
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i](ctx))
	}
	m.closers = nil
	if m.conn != nil {
		errs = append(errs, m.conn.Close(ctx))
		m.conn = nil
	}
	if m.unlock != nil {
		errs = append(errs, m.unlock())
		m.unlock = nil
	}
	return errors.Join(errs...)
}

func (m *Main) authenticator() (awsjson.Authenticator, error) {
	c := m.Config
	switch c.Auth {
	case "dev":
		if !isLoopback(c.Listen) {
			return nil, fmt.Errorf("--auth dev accepts any signature, so it is only allowed on a loopback address, not %q; use --auth sigv4 --credentials FILE", c.Listen)
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
			if c.NATSURL != "" {
				log.Warn("with --nats-url, give every switchyard process the same --secret-key-file", "generated", absDataDir(path))
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
