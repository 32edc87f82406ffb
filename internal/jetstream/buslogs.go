package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Bus log defaults.
const (
	DefaultBusLogStream   = "SWITCHYARD_BUSLOGS"
	DefaultBusLogSubject  = "switchyard.buslogs"
	DefaultBusLogMaxAge   = 24 * time.Hour
	DefaultBusLogMaxBytes = 1 << 30
)

// BusLogConfig describes the stream of bus log records.
type BusLogConfig struct {
	// Stream and Subject: DefaultBusLogStream and DefaultBusLogSubject if
	// empty. A bus's records go to Subject.ACCOUNT.BUS (both encoded as KV
	// key segments are).
	Stream, Subject string
	// MaxAge and MaxBytes bound the stream; the oldest records go first.
	// DefaultBusLogMaxAge if zero; MaxBytes, if zero, is
	// DefaultBusLogMaxBytes or a tenth of the account's store limit (the
	// disk guard's) when that is less: JetStream reserves a stream's
	// MaxBytes from the limit, which the event log needs more.
	MaxAge   time.Duration
	MaxBytes int64
}

func (c BusLogConfig) withDefaults() BusLogConfig {
	if c.Stream == "" {
		c.Stream = DefaultBusLogStream
	}
	if c.Subject == "" {
		c.Subject = DefaultBusLogSubject
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultBusLogMaxAge
	}
	return c
}

// subject is the subject of the records of account's bus, or of every
// account's bus of that name when account is "".
func (c BusLogConfig) subject(account, bus string) string {
	var sb strings.Builder
	sb.WriteString(c.Subject)
	sb.WriteByte('.')
	if account == "" {
		sb.WriteByte('*')
	} else {
		appendSegment(&sb, account)
	}
	sb.WriteByte('.')
	appendSegment(&sb, bus)
	return sb.String()
}

// BusLogs is the stream of bus log records: written best effort, read by
// `switchyard tail --logs`.
type BusLogs struct {
	cfg BusLogConfig
	c   *Conn
}

// BusLogs creates the stream cfg describes, or binds to it and updates its
// limits.
func (c *Conn) BusLogs(ctx context.Context, cfg BusLogConfig) (*BusLogs, error) {
	cfg = cfg.withDefaults()
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultBusLogMaxBytes
		info, err := c.js.AccountInfo(ctx)
		if err != nil {
			return nil, fmt.Errorf("jetstream: bus log stream %q: %w", cfg.Stream, err)
		}
		if limit := info.Limits.MaxStore; limit > 0 {
			cfg.MaxBytes = min(cfg.MaxBytes, limit/10)
		}
	}
	_, err := c.ensure(ctx, c.js, jetstream.StreamConfig{
		Name:      cfg.Stream,
		Subjects:  []string{cfg.Subject + ".>"},
		Storage:   jetstream.FileStorage,
		Replicas:  c.cfg.Replicas,
		Retention: jetstream.LimitsPolicy,
		MaxAge:    cfg.MaxAge,
		MaxBytes:  cfg.MaxBytes,
		Discard:   jetstream.DiscardOld,
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: bus log stream %q: %w", cfg.Stream, err)
	}
	return &BusLogs{cfg: cfg, c: c}, nil
}

// OpenBusLogs binds to the stream of bus log records without changing it
// (for readers such as the CLI).
func (c *Conn) OpenBusLogs(ctx context.Context, cfg BusLogConfig) (*BusLogs, error) {
	cfg = cfg.withDefaults()
	if _, err := c.js.Stream(ctx, cfg.Stream); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("jetstream: no bus log stream %q: no server with bus logging has run here", cfg.Stream)
		}
		return nil, fmt.Errorf("jetstream: bus log stream %q: %w", cfg.Stream, err)
	}
	return &BusLogs{cfg: cfg, c: c}, nil
}

// Write publishes one record of account's bus without waiting for
// JetStream to store it: records are best effort, and a write never waits
// on the stream. It fails only when the connection does.
func (b *BusLogs) Write(account, bus string, record []byte) error {
	return b.c.nc.Publish(b.cfg.subject(account, bus), record)
}

// Follow calls fn, from one goroutine, with each record of the bus (of
// account, or of every account when "") stored from now on, or from since
// ago when since is positive, until ctx ends (nil) or fn fails (its
// error). It reads through an ordered consumer the server removes 5 s
// after a dead follower. ready, if set, is called once the consumer is in
// place.
func (b *BusLogs) Follow(ctx context.Context, account, bus string, since time.Duration, ready func(), fn func([]byte) error) error {
	occ := jetstream.OrderedConsumerConfig{FilterSubjects: []string{b.cfg.subject(account, bus)},
		DeliverPolicy: jetstream.DeliverNewPolicy, InactiveThreshold: 5 * time.Second}
	if since > 0 {
		start := time.Now().Add(-since)
		occ.DeliverPolicy, occ.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	cons, err := b.c.js.OrderedConsumer(ctx, b.cfg.Stream, occ)
	if err != nil {
		return fmt.Errorf("jetstream: follow bus log: %w", err)
	}
	it, err := cons.Messages() // creates the consumer on the server
	if err != nil {
		return fmt.Errorf("jetstream: follow bus log: %w", err)
	}
	if ready != nil {
		ready()
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("jetstream: follow bus log: %w", err)
		}
		if err := fn(m.Data()); err != nil {
			return err
		}
	}
}
