package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Defaults applied by EventLog to zero LogConfig fields.
const (
	DefaultLogStream       = "SWITCHYARD_EVENTS"
	DefaultLogSubject      = "switchyard.events"
	DefaultLogMaxAge       = 24 * time.Hour
	DefaultMaxBatchRecords = 1000
	DefaultMaxBatchBytes   = 512 << 10
	DefaultPublishTimeout  = 10 * time.Second
	DefaultAckWait         = 30 * time.Second
	DefaultFetchBatch      = 8
	DefaultFetchWait       = 2 * time.Second
	DefaultMaxAckPending   = 256
	DefaultRetryDelay      = time.Second
	DefaultMaxRetryDelay   = time.Minute
)

// ErrLogClosed is returned by Append after the EventLog is closed.
var ErrLogClosed = errors.New("jetstream: event log closed")

// LogConfig shapes the event log stream, its group commit and its consumers.
type LogConfig struct {
	// Stream name: DefaultLogStream if empty.
	Stream string
	// Subject the stream stores (one subject: see EventLog): DefaultLogSubject
	// if empty.
	Subject string
	// Keep names the durable consumers that must each acknowledge a record
	// before the stream may drop it. When set, the stream has interest
	// retention: a record leaves the log once every durable consumer of
	// the log (these, and any other one created with Consume) has
	// acknowledged it, or on MaxAge, whichever comes first. EventLog
	// creates these consumers when it opens the log, before any Append can
	// return, so none of them misses a record (JetStream drops at once a
	// record appended to an interest stream that has no consumer). Empty:
	// limits retention, every record is kept MaxAge.
	//
	// With Keep set, a durable consumer other than these holds records
	// too until it acknowledges them: tools and tests that read the log
	// should delete their durable when done. An existing limits stream
	// opened with Keep is switched to interest retention in place (nats-
	// server allows limits <-> interest updates), after the Keep consumers
	// exist, so records they have not acknowledged stay.
	Keep []string
	// MaxAge of a record before the stream drops it, consumed or not:
	// DefaultLogMaxAge if zero. Matches EventBridge's 24-hour retry limit.
	MaxAge time.Duration
	// MaxBytes the stream may hold; 0 means no limit. When full, Append
	// fails with eventbus.ErrStorageFull (discard new): records already
	// acknowledged are never dropped to make room.
	MaxBytes int64

	// MaxBatchRecords and MaxBatchBytes bound one group-commit message.
	// Defaults DefaultMaxBatchRecords and DefaultMaxBatchBytes; the bytes are
	// further capped below the server's max payload.
	MaxBatchRecords int
	MaxBatchBytes   int
	// Linger is how long the writer waits for more records before writing a
	// batch that is not full. Zero (the default) writes as soon as the
	// previous write is acknowledged: batches then grow on their own with
	// load, while an idle log adds no latency.
	Linger time.Duration
	// PublishTimeout bounds one write: DefaultPublishTimeout if zero.
	PublishTimeout time.Duration

	// AckWait is how long a consumer may hold a batch before JetStream
	// redelivers it (to any process sharing the durable name): DefaultAckWait
	// if zero. Consume extends it while the handler runs, so it only bounds
	// how long a crashed consumer's batches wait for redelivery.
	AckWait time.Duration
	// FetchBatch is how many messages (batches) one consumer pull asks for:
	// DefaultFetchBatch if zero.
	FetchBatch int
	// FetchWait is how long one pull waits for messages, and so how long
	// Consume takes to notice its ctx ended: DefaultFetchWait if zero.
	FetchWait time.Duration
	// MaxAckPending bounds unacknowledged messages across all processes of one
	// durable consumer: DefaultMaxAckPending if zero.
	MaxAckPending int
	// RetryDelay is the delay before redelivering a batch whose handler
	// failed, doubling per delivery up to MaxRetryDelay. Defaults
	// DefaultRetryDelay and DefaultMaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
}

func (cfg LogConfig) withDefaults() LogConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if cfg.Stream == "" {
		cfg.Stream = DefaultLogStream
	}
	if cfg.Subject == "" {
		cfg.Subject = DefaultLogSubject
	}
	defDur(&cfg.MaxAge, DefaultLogMaxAge)
	def(&cfg.MaxBatchRecords, DefaultMaxBatchRecords)
	def(&cfg.MaxBatchBytes, DefaultMaxBatchBytes)
	defDur(&cfg.PublishTimeout, DefaultPublishTimeout)
	defDur(&cfg.AckWait, DefaultAckWait)
	def(&cfg.FetchBatch, DefaultFetchBatch)
	defDur(&cfg.FetchWait, DefaultFetchWait)
	def(&cfg.MaxAckPending, DefaultMaxAckPending)
	defDur(&cfg.RetryDelay, DefaultRetryDelay)
	defDur(&cfg.MaxRetryDelay, DefaultMaxRetryDelay)
	return cfg
}

// An EventLog is the durable log ingest appends events to and routing
// consumes them from: one JetStream stream on one subject, each message a
// batch of records framed as frame.go describes.
//
// Append coalesces concurrent callers: one writer goroutine takes every
// request queued while the previous write was being stored and writes them
// as one message, so one fsync acknowledges many callers. A single subject
// (not one per account and bus) is what lets records of different buses
// share a message; routing reads every bus anyway, and Record carries the
// account and bus.
//
// Safe for concurrent use. Close it before closing its Conn.
type EventLog struct {
	cfg      LogConfig
	js       jetstream.JetStream
	stream   jetstream.Stream
	log      *slog.Logger
	maxBytes int // per batch message, after capping to the server's max payload
	// maxRecord bounds one record: a record larger than a batch message
	// travels alone in a message up to the server's max payload.
	maxRecord int
	idPrefix  string // unique per EventLog, for Nats-Msg-Id
	reqs      chan *appendReq
	closing   chan struct{} // closed by Close
	done      chan struct{} // closed when the writer has exited
	full      atomic.Bool   // the last write was refused for want of space (logged once)
}

// An appendReq is one Append call waiting for the writer.
type appendReq struct {
	records []Record
	size    int        // encoded bytes of records
	done    chan error // buffered(1): the writer never blocks on it
}

// EventLog creates the stream cfg describes, or binds to it and updates its
// limits, and starts the writer goroutine.
func (c *Conn) EventLog(ctx context.Context, cfg LogConfig) (*EventLog, error) {
	cfg = cfg.withDefaults()
	maxBytes := cfg.MaxBatchBytes
	limit := int(c.nc.MaxPayload()) - 4096 // room for headers
	if limit < maxBytes {
		maxBytes = limit
	}
	maxBytesStream := cfg.MaxBytes
	if maxBytesStream <= 0 {
		maxBytesStream = -1
	}
	retention := jetstream.LimitsPolicy
	if len(cfg.Keep) > 0 {
		retention = jetstream.InterestPolicy
	}
	var stream jetstream.Stream
	err := c.settling(ctx, func(ctx context.Context) (err error) {
		stream, err = openLogStream(ctx, c.js, cfg, jetstream.StreamConfig{
			Name:       cfg.Stream,
			Subjects:   []string{cfg.Subject},
			Storage:    jetstream.FileStorage,
			Replicas:   c.cfg.Replicas,
			Retention:  retention,
			MaxAge:     cfg.MaxAge,
			MaxBytes:   maxBytesStream,
			Discard:    jetstream.DiscardNew,
			Duplicates: 2 * time.Minute,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: event log stream %q: %w", cfg.Stream, err)
	}
	l := &EventLog{
		cfg:       cfg,
		js:        c.js,
		stream:    stream,
		log:       c.log.With("stream", cfg.Stream),
		maxBytes:  maxBytes,
		maxRecord: limit - frameHeaderMax,
		idPrefix:  nuid.Next() + "-",
		reqs:      make(chan *appendReq, 4096),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
	}
	go l.writer()
	return l, nil
}

// openLogStream binds to or creates the log's stream as want says, with
// cfg.Keep's consumers. On an existing stream they are created first: a
// stream switched to interest retention keeps only what some consumer has
// not acknowledged, and drops everything when it has no consumer at all.
// On a new stream they are created right after it, before the caller can
// append.
func openLogStream(ctx context.Context, js jetstream.JetStream, cfg LogConfig, want jetstream.StreamConfig) (jetstream.Stream, error) {
	keep := func(s jetstream.Stream) error {
		for _, name := range cfg.Keep {
			if _, err := s.CreateOrUpdateConsumer(ctx, cfg.consumerConfig(name)); err != nil {
				return fmt.Errorf("consumer %q: %w", name, err)
			}
		}
		return nil
	}
	s, err := js.Stream(ctx, want.Name)
	switch {
	case err == nil:
		if err := keep(s); err != nil {
			return nil, err
		}
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, err
	}
	if s, err = ensureStream(ctx, js, want); err != nil {
		return nil, err
	}
	return s, keep(s) // no-ops when they existed
}

// Append stores records and returns nil only once every one of them is
// durably in the stream (acknowledged by JetStream, after fsync). When
// storage is full (the disk, see Config.DiskReserve, or MaxBytes) the error
// wraps eventbus.ErrStorageFull; the first such error of an episode is
// logged, and the next successful write logs the end. On an
// error some of the records may have been stored: retrying may duplicate
// them, which the at-least-once log allows. After Close it returns
// ErrLogClosed. A record larger than a batch message is written alone; one
// larger than the server's max payload allows is an error.
//
// Records are read, never kept: the caller may reuse them once Append has
// returned anything but ctx's error. If ctx ends first Append returns ctx's
// error while the writer may still read and store the records, so they must
// then be left unmodified. Safe for concurrent use.
func (l *EventLog) Append(ctx context.Context, records []Record) error {
	if len(records) == 0 {
		return nil
	}
	r := &appendReq{records: records, done: make(chan error, 1)}
	for i := range records {
		s := records[i].encodedSize()
		if s > l.maxRecord {
			return fmt.Errorf("jetstream: record %d is %d bytes, over the %d-byte message limit", i, s, l.maxRecord)
		}
		r.size += s
	}
	select {
	case l.reqs <- r:
	case <-l.closing:
		return ErrLogClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-l.done:
		select { // the writer may have answered just before exiting
		case err := <-r.done:
			return err
		default:
			return ErrLogClosed
		}
	}
}

// Close stops taking appends, waits for queued ones to be written (or ctx to
// end), and stops the writer. It does not close the Conn.
func (l *EventLog) Close(ctx context.Context) error {
	select {
	case <-l.closing:
	default:
		close(l.closing)
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the single goroutine that writes batches. Each round it takes
// the first waiting request, gathers every other one already queued (after
// yielding once, so callers just answered can append again; measured to
// nearly double records per message with 8 closed-loop producers), or
// arriving within Linger, up to the batch limits; writes them; and answers
// all of them with the outcome.
func (l *EventLog) writer() {
	defer close(l.done)
	var batch []*appendReq
	var next *appendReq // taken from the queue but did not fit the last batch
	buf := make([]byte, 0, l.maxBytes)
	seq := uint64(0)
	for {
		if next == nil {
			select {
			case next = <-l.reqs:
			case <-l.closing:
				select { // anything queued before Close still gets written
				case next = <-l.reqs:
				default:
					return
				}
			}
		}
		batch, next = l.gather(append(batch[:0], next))
		var err error
		buf, seq, err = l.write(buf, seq, batch)
		for _, r := range batch {
			r.done <- err
		}
		clear(batch)
	}
}

// gather adds queued requests to batch while they fit, and returns the first
// one that does not as next.
func (l *EventLog) gather(batch []*appendReq) (_ []*appendReq, next *appendReq) {
	n, size := len(batch[0].records), batch[0].size
	var linger <-chan time.Time
	if l.cfg.Linger > 0 {
		t := time.NewTimer(l.cfg.Linger)
		defer t.Stop()
		linger = t.C
	}
	yielded := false
	for n < l.cfg.MaxBatchRecords && size < l.maxBytes-frameHeaderMax {
		var r *appendReq
		select {
		case r = <-l.reqs:
		default:
			if !yielded {
				// Callers answered by the last write are runnable and
				// about to append again: let them, once, rather than
				// split them off into the next batch.
				yielded = true
				runtime.Gosched()
				continue
			}
			if linger == nil {
				return batch, nil
			}
			select {
			case r = <-l.reqs:
			case <-linger:
				return batch, nil
			}
		}
		if n+len(r.records) > l.cfg.MaxBatchRecords || size+r.size > l.maxBytes-frameHeaderMax {
			return batch, r
		}
		batch = append(batch, r)
		n += len(r.records)
		size += r.size
	}
	return batch, nil
}

// write stores the records of batch as one message, or, when a single
// request is larger than a message, as several in order. It returns the
// (possibly grown) buffer and message counter for reuse.
func (l *EventLog) write(buf []byte, seq uint64, batch []*appendReq) ([]byte, uint64, error) {
	var recs []*Record
	for _, r := range batch {
		for i := range r.records {
			recs = append(recs, &r.records[i])
		}
	}
	for len(recs) > 0 {
		n, size := 0, 0
		for n < len(recs) && n < l.cfg.MaxBatchRecords {
			s := recs[n].encodedSize()
			if n > 0 && size+s > l.maxBytes-frameHeaderMax {
				break
			}
			size += s
			n++
		}
		buf = appendHeader(buf[:0], n)
		for _, r := range recs[:n] {
			buf = appendRecord(buf, r)
		}
		seq++
		if err := l.publish(buf, seq); err != nil {
			return buf, seq, err
		}
		recs = recs[n:]
	}
	return buf, seq, nil
}

// publish writes one message and waits for its acknowledgement. The
// Nats-Msg-Id makes nats.go's retries on a leader change harmless.
func (l *EventLog) publish(data []byte, seq uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.PublishTimeout)
	defer cancel()
	msg := &nats.Msg{Subject: l.cfg.Subject, Data: data}
	_, err := l.js.PublishMsg(ctx, msg, jetstream.WithMsgID(l.idPrefix+strconv.FormatUint(seq, 10)))
	if err = storageFull(err); err != nil {
		if errors.Is(err, eventbus.ErrStorageFull) {
			if !l.full.Swap(true) {
				l.log.Warn("jetstream: event log full: refusing events until space is freed", "err", err)
			}
		}
		return fmt.Errorf("jetstream: event log append: %w", err)
	}
	if l.full.Swap(false) {
		l.log.Info("jetstream: event log takes events again")
	}
	return nil
}
