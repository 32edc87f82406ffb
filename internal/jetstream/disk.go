package jetstream

import (
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Defaults of the disk guard (Config.DiskReserve, Config.DiskCheckInterval).
const (
	// DefaultDiskCheckInterval is how often the guard measures free space.
	DefaultDiskCheckInterval = time.Second
	// minDiskReserve and maxDiskReserve bound the default reserve, a tenth
	// of the filesystem.
	minDiskReserve = 1 << 20
	maxDiskReserve = 64 << 20
	// embeddedMaxStore is the embedded server's own store limit: in effect
	// none, so that the guard's limit, which follows the disk, is the one
	// that applies (nats-server otherwise fixes it at start to 75% of the
	// space free then, and cannot lower it while running).
	embeddedMaxStore = 1 << 60
	// limitMargin: while more than the reserve and this much is free the
	// guard sets no limit at all. nats-server refuses to create or update
	// a stream whose MaxBytes exceeds a concrete account limit, so a
	// configured bound larger than the space left (--event-log-max-bytes,
	// --delivery-queue-max-bytes) only fails to apply when the disk is
	// within this margin of the reserve. Writes faster than this per
	// interval would pass the limit before it is set.
	limitMargin = 1 << 30
)

// A DiskSpace reports the bytes free (to an unprivileged writer) and the
// total size of the filesystem holding dir.
type DiskSpace func(dir string) (free, size int64, err error)

// A diskGuard keeps the embedded server's JetStream store limit at what the
// filesystem holding its files can still take, less a reserve: every
// interval, when less than limitMargin above the reserve is free, it sets
// the limit of the account switchyard uses to the bytes JetStream stores
// now plus the bytes free, less the reserve (otherwise no limit). JetStream
// then refuses a write that would pass it (an error the event log reports
// as eventbus.ErrStorageFull) instead of writing until the disk is full,
// where nats-server disables JetStream until a restart; and takes writes
// again at the next measurement after space is freed. Space freed or taken
// by anything else on the filesystem counts too.
//
// Only its own goroutine touches its fields after start.
type diskGuard struct {
	dir      string
	reserve  int64 // 0: a tenth of the filesystem, within [minDiskReserve, maxDiskReserve]
	interval time.Duration
	space    DiskSpace
	srv      *server.Server
	jsCfg    *server.JetStreamConfig // as started, to start it again; nil: never restart
	acc      *server.Account
	log      *slog.Logger

	limit  int64 // the limit last set; 0 before the first
	full   bool  // free space is under the reserve (logged on change)
	failed bool  // the last measurement failed (logged on change)
	stop   chan struct{}
	done   chan struct{}
}

// startDiskGuard sets the first limit and starts the guard's goroutine.
// It returns nil, having done nothing, when cfg.DiskSpace is nil (a
// platform where free space is not measured).
func startDiskGuard(srv *server.Server, cfg Config, dir string, log *slog.Logger) *diskGuard {
	if cfg.DiskSpace == nil {
		return nil
	}
	g := &diskGuard{
		dir: dir, reserve: cfg.DiskReserve, interval: cfg.DiskCheckInterval, space: cfg.DiskSpace,
		srv: srv, jsCfg: srv.JetStreamConfig(), acc: srv.GlobalAccount(), log: log.With("component", "disk-guard", "dir", dir),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	g.check()
	go g.run()
	return g
}

func (g *diskGuard) run() {
	defer close(g.done)
	t := time.NewTicker(g.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			g.check()
		case <-g.stop:
			return
		}
	}
}

// close stops the guard and waits for its goroutine to end.
func (g *diskGuard) close() {
	if g == nil {
		return
	}
	close(g.stop)
	<-g.done
}

// check measures the space and sets the store limit it allows.
func (g *diskGuard) check() {
	free, size, err := g.space(g.dir)
	if err != nil {
		if !g.failed {
			g.log.Error("jetstream: cannot measure free space; the store limit stays as it is", "err", err)
		}
		g.failed = true
		return
	}
	g.failed = false
	reserve := g.reserve
	if reserve <= 0 {
		reserve = min(max(size/10, minDiskReserve), maxDiskReserve)
	}
	if free >= reserve && g.recoverWriteError() {
		g.limit = 0 // JetStream restarted with default account limits
	}
	used := int64(g.acc.JetStreamUsage().Store)
	limit := int64(-1) // none
	if free < reserve+limitMargin {
		limit = max(used+free-reserve, 1) // 0 would read as "not set"
	}
	if limit != g.limit {
		err := g.acc.UpdateJetStreamLimits(map[string]server.JetStreamAccountLimits{"": {
			MaxMemory: -1, MaxStore: limit, MaxStreams: -1, MaxConsumers: -1, MaxAckPending: -1,
			MemoryMaxStreamBytes: -1, StoreMaxStreamBytes: -1,
		}})
		if err != nil {
			g.log.Error("jetstream: cannot set the store limit", "limit", limit, "err", err)
			return
		}
		g.limit = limit
	}
	switch full := free < reserve; {
	case full && !g.full:
		g.log.Warn("jetstream: storage full: refusing writes until space is freed",
			"freeBytes", free, "reserveBytes", reserve, "storedBytes", used)
	case !full && g.full:
		g.log.Info("jetstream: space freed: taking writes again", "freeBytes", free, "reserveBytes", reserve)
	}
	g.full = free < reserve
}

// recoverWriteError restarts the embedded JetStream (not the server: client
// connections stay) when it is disabled, or when one of its streams has met
// a write error, such as
// a full disk reached between two measurements, after which nats-server
// refuses every write to that stream until it is loaded again. It reports
// whether it restarted JetStream. Streams and consumers are reloaded from
// their files; what they had acknowledged is there.
func (g *diskGuard) recoverWriteError() bool {
	if g.jsCfg == nil {
		return false
	}
	if g.srv.JetStreamEnabled() {
		h := g.srv.Healthz(&server.HealthzOptions{})
		if h == nil || !strings.Contains(h.Error, "write error") {
			return false
		}
		g.log.Warn("jetstream: a stream met a write error; restarting JetStream now that space is free", "err", h.Error)
		if err := g.srv.ShutdownJetStream(); err != nil {
			g.log.Error("jetstream: restart: shutdown", "err", err)
			return false
		}
	} else {
		// nats-server disables JetStream itself on some out-of-space paths.
		g.log.Warn("jetstream: JetStream is disabled; enabling it again now that space is free")
	}
	restart := *g.jsCfg
	restart.StoreDir = filepath.Dir(g.jsCfg.StoreDir) // EnableJetStream appends its own subdirectory again
	if err := g.srv.EnableJetStream(&restart); err != nil {
		g.log.Error("jetstream: restart: JetStream stays down until switchyard is restarted", "err", err)
		return false
	}
	g.acc = g.srv.GlobalAccount()
	g.log.Info("jetstream: restarted after a write error")
	return true
}
