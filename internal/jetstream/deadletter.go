package jetstream

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Defaults applied to zero DeadLetterConfig fields.
const (
	DefaultDeadLetterStream  = "SWITCHYARD_DEADLETTERS"
	DefaultDeadLetterSubject = "switchyard.deadletters"
	// DefaultDeadLetterMaxAge matches the longest retention of an SQS queue,
	// where AWS puts dead letters.
	DefaultDeadLetterMaxAge = 14 * 24 * time.Hour
	DefaultDeadLetterDupes  = 2 * time.Minute
)

// ErrNoDeadLetters is returned by OpenDeadLetters when the stream does not
// exist (no server has created it yet).
var ErrNoDeadLetters = errors.New("jetstream: no dead-letter stream")

// DeadLetterConfig shapes the dead-letter stream.
type DeadLetterConfig struct {
	// Stream name: DefaultDeadLetterStream if empty.
	Stream string
	// Subject prefix; each dead letter is stored under Subject.<account>:
	// DefaultDeadLetterSubject if empty.
	Subject string
	// MaxAge of a dead letter before the stream drops it:
	// DefaultDeadLetterMaxAge if zero, forever if negative.
	MaxAge time.Duration
	// MaxBytes the stream may hold; 0: no limit. When full, Put fails and
	// the job stays queued: stored dead letters are never dropped for room.
	MaxBytes int64
	// Duplicates is the de-duplication window: DefaultDeadLetterDupes if zero.
	Duplicates time.Duration
	// PublishTimeout bounds one Put: DefaultPublishTimeout if zero.
	PublishTimeout time.Duration
}

func (cfg DeadLetterConfig) withDefaults() DeadLetterConfig {
	if cfg.Stream == "" {
		cfg.Stream = DefaultDeadLetterStream
	}
	if cfg.Subject == "" {
		cfg.Subject = DefaultDeadLetterSubject
	}
	switch {
	case cfg.MaxAge == 0:
		cfg.MaxAge = DefaultDeadLetterMaxAge
	case cfg.MaxAge < 0:
		cfg.MaxAge = 0 // JetStream: no limit
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = DefaultDeadLetterDupes
	}
	if cfg.MaxAge > 0 && cfg.Duplicates > cfg.MaxAge {
		cfg.Duplicates = cfg.MaxAge
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = DefaultPublishTimeout
	}
	return cfg
}

// A DeadLetter is one stored dead letter: the event (Body) with its
// attributes (Headers) under the account it belongs to.
type DeadLetter = eventbus.DeadLetterRecord

var _ eventbus.DeadLetters = (*DeadLetters)(nil)

// DeadLetters is the durable store of dead letters: a limits stream with
// one subject per account, so one account's can be listed alone. Safe for
// concurrent use.
type DeadLetters struct {
	cfg DeadLetterConfig
	js  jetstream.JetStream
}

// DeadLetters creates the stream cfg describes, or binds to it and updates
// its limits.
func (c *Conn) DeadLetters(ctx context.Context, cfg DeadLetterConfig) (*DeadLetters, error) {
	cfg = cfg.withDefaults()
	maxBytes := cfg.MaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	_, err := c.ensure(ctx, c.js, jetstream.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{cfg.Subject + ".>"},
		Storage:    jetstream.FileStorage,
		Replicas:   c.cfg.Replicas,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     cfg.MaxAge,
		MaxBytes:   maxBytes,
		Discard:    jetstream.DiscardNew,
		Duplicates: cfg.Duplicates,
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: dead-letter stream %q: %w", cfg.Stream, err)
	}
	return &DeadLetters{cfg: cfg, js: c.js}, nil
}

// OpenDeadLetters binds to an existing dead-letter stream without changing
// it (for readers such as the CLI); ErrNoDeadLetters if there is none.
func (c *Conn) OpenDeadLetters(ctx context.Context, cfg DeadLetterConfig) (*DeadLetters, error) {
	cfg = cfg.withDefaults()
	if _, err := c.js.Stream(ctx, cfg.Stream); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, ErrNoDeadLetters
		}
		return nil, fmt.Errorf("jetstream: dead-letter stream %q: %w", cfg.Stream, err)
	}
	return &DeadLetters{cfg: cfg, js: c.js}, nil
}

// Put stores d and returns nil once it is durable (or was already stored
// under d.ID within the de-duplication window). Header values must not hold
// line breaks.
func (d *DeadLetters) Put(ctx context.Context, dl DeadLetter) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.PublishTimeout)
	defer cancel()
	msg := &nats.Msg{Subject: d.cfg.Subject + "." + subjectToken(dl.Account), Data: dl.Body, Header: nats.Header{}}
	for k, v := range dl.Headers {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("jetstream: dead letter header %s holds a line break", k)
		}
		msg.Header.Set(k, v)
	}
	var opts []jetstream.PublishOpt
	if dl.ID != "" {
		opts = append(opts, jetstream.WithMsgID(dl.ID))
	}
	if _, err := d.js.PublishMsg(ctx, msg, opts...); err != nil {
		return fmt.Errorf("jetstream: store dead letter: %w", err)
	}
	return nil
}

// listFetch is how many dead letters List fetches at a time.
const listFetch = 256

// List calls fn for every stored dead letter of account (every account if
// empty), oldest first, until fn returns an error (which List returns) or
// the letters stored when List started are all seen.
func (d *DeadLetters) List(ctx context.Context, account string, fn func(DeadLetter) error) error {
	filter := d.cfg.Subject + ".>"
	if account != "" {
		filter = d.cfg.Subject + "." + subjectToken(account)
	}
	cons, err := d.js.OrderedConsumer(ctx, d.cfg.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return fmt.Errorf("jetstream: list dead letters: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("jetstream: list dead letters: %w", err)
	}
	for pending := info.NumPending; pending > 0; {
		batch, err := cons.Fetch(int(min(pending, listFetch)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return fmt.Errorf("jetstream: list dead letters: %w", err)
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			md, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("jetstream: list dead letters: %w", err)
			}
			pending = md.NumPending
			if err := fn(toDeadLetter(d.cfg.Subject, msg, md)); err != nil {
				return err
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("jetstream: list dead letters: %w", err)
		}
		if got == 0 {
			return fmt.Errorf("jetstream: list dead letters: %d pending but none delivered", pending)
		}
	}
	return nil
}

func toDeadLetter(prefix string, msg jetstream.Msg, md *jetstream.MsgMetadata) DeadLetter {
	dl := DeadLetter{
		Account: unSubjectToken(strings.TrimPrefix(msg.Subject(), prefix+".")),
		Headers: make(map[string]string, len(msg.Headers())),
		Body:    msg.Data(),
		Seq:     md.Sequence.Stream,
		Stored:  md.Timestamp.UTC(),
	}
	for k, v := range msg.Headers() {
		if k == jetstream.MsgIDHeader || len(v) == 0 {
			continue
		}
		dl.Headers[k] = v[0]
	}
	return dl
}

// subjectToken makes s one subject token: itself when it is plain
// ([A-Za-z0-9_-]+, as account ids are), else "x" and its hex encoding.
func subjectToken(s string) string {
	plainToken := s != ""
	for i := 0; i < len(s) && plainToken; i++ {
		c := s[i]
		plainToken = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
	}
	if plainToken && s[0] != 'x' {
		return s
	}
	return "x" + hex.EncodeToString([]byte(s))
}

func unSubjectToken(t string) string {
	if h, ok := strings.CutPrefix(t, "x"); ok {
		if b, err := hex.DecodeString(h); err == nil {
			return string(b)
		}
	}
	return t
}

// ErrNoSuchDeadLetter is returned by Get and Delete for a sequence that
// holds no dead letter (never did, or it was deleted or expired).
var ErrNoSuchDeadLetter = errors.New("jetstream: no such dead letter")

// Get returns the dead letter stored at seq.
func (d *DeadLetters) Get(ctx context.Context, seq uint64) (DeadLetter, error) {
	s, err := d.js.Stream(ctx, d.cfg.Stream)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("jetstream: dead letters: %w", err)
	}
	msg, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return DeadLetter{}, ErrNoSuchDeadLetter
	}
	if err != nil {
		return DeadLetter{}, fmt.Errorf("jetstream: dead letter %d: %w", seq, err)
	}
	dl := DeadLetter{
		Account: unSubjectToken(strings.TrimPrefix(msg.Subject, d.cfg.Subject+".")),
		Headers: make(map[string]string, len(msg.Header)),
		Body:    msg.Data,
		Seq:     msg.Sequence,
		Stored:  msg.Time.UTC(),
	}
	for k, v := range msg.Header {
		if k == jetstream.MsgIDHeader || len(v) == 0 {
			continue
		}
		dl.Headers[k] = v[0]
	}
	return dl, nil
}

// Delete removes the dead letter stored at seq (once it was redriven).
func (d *DeadLetters) Delete(ctx context.Context, seq uint64) error {
	s, err := d.js.Stream(ctx, d.cfg.Stream)
	if err != nil {
		return fmt.Errorf("jetstream: dead letters: %w", err)
	}
	if err := s.DeleteMsg(ctx, seq); err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) || strings.Contains(err.Error(), "no message found") {
			return ErrNoSuchDeadLetter
		}
		return fmt.Errorf("jetstream: delete dead letter %d: %w", seq, err)
	}
	return nil
}
