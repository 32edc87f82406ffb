package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Archive streams: one per archive, named ArchiveStreamPrefix + the
// archive's ID. Each message holds the events of one group commit in the
// event log's framing (frame.go, with empty account and bus), under the
// subject ArchiveSubjectPrefix + ID + "." + the number of events it holds,
// so the stream's per-subject message counts give the archive's event count
// without reading it.
const (
	ArchiveStreamPrefix  = "SWITCHYARD_ARCHIVE_"
	ArchiveSubjectPrefix = "switchyard.archive."
	// maxArchiveFrame bounds the events of one archive message.
	maxArchiveFrame = 256
	// maxArchiveFrameBytes bounds its size (below the default max payload).
	maxArchiveFrameBytes = 512 << 10
)

// Archives implements eventbus.ArchiveLog with one file stream per
// archive: the archive's retention is the stream's MaxAge, so JetStream
// itself drops expired events, and every process on the NATS sees the same
// archives. Appends to one archive made at the same time share a message
// (group commit: one write and one fsync for all), as the event log's do;
// an event appended twice (a delivery retried after its append succeeded)
// is stored twice.
type Archives struct {
	conn     *Conn
	js       jetstream.JetStream
	replicas int
	timeout  time.Duration

	mu      sync.Mutex
	writers map[string]*archiveWriter // by archive id; guarded by mu
}

// An archiveWriter gathers the appends to one archive while a write is in
// flight; the caller whose append finds no write in flight writes, for
// itself and whoever joined, until nothing is pending.
type archiveWriter struct {
	pending []*archiveAppend // guarded by Archives.mu
	writing bool             // guarded by Archives.mu
}

type archiveAppend struct {
	// records are the events, encoded by their caller: the writer may
	// still be reading them after a caller whose ctx ended has returned,
	// so they must not alias the caller's memory.
	records []Record
	done    chan error
}

var _ eventbus.ArchiveLog = (*Archives)(nil)

// Archives returns the archive log on this connection.
func (c *Conn) Archives() *Archives {
	return &Archives{conn: c, js: c.js, replicas: c.cfg.Replicas, timeout: DefaultPublishTimeout, writers: map[string]*archiveWriter{}}
}

func archiveStream(id string) string  { return ArchiveStreamPrefix + id }
func archiveSubject(id string) string { return ArchiveSubjectPrefix + id + ".*" }

// archiveFrameSubject is the subject of a message of n events.
func archiveFrameSubject(id string, n int) string {
	return ArchiveSubjectPrefix + id + "." + strconv.Itoa(n)
}

// Open implements eventbus.ArchiveLog.
func (a *Archives) Open(ctx context.Context, id string, retention time.Duration) error {
	_, err := a.conn.ensure(ctx, a.js, jetstream.StreamConfig{
		Name:      archiveStream(id),
		Subjects:  []string{archiveSubject(id)},
		Storage:   jetstream.FileStorage,
		Replicas:  a.replicas,
		Retention: jetstream.LimitsPolicy,
		MaxAge:    max(retention, 0),
		MaxBytes:  -1,
		Discard:   jetstream.DiscardNew,
	})
	if err != nil {
		return fmt.Errorf("jetstream: open archive %s: %w", id, err)
	}
	return nil
}

// Drop implements eventbus.ArchiveLog.
func (a *Archives) Drop(ctx context.Context, id string) error {
	err := a.js.DeleteStream(ctx, archiveStream(id))
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("jetstream: drop archive %s: %w", id, err)
	}
	return nil
}

// Append implements eventbus.ArchiveLog: events join the archive's group
// commit, and Append returns once the message holding them is stored.
func (a *Archives) Append(ctx context.Context, id string, events []eventbus.Event) error {
	req := &archiveAppend{records: make([]Record, len(events)), done: make(chan error, 1)}
	for i := range events {
		data, err := events[i].MarshalBinary()
		if err != nil {
			return err
		}
		req.records[i] = Record{Data: data}
	}
	a.mu.Lock()
	w := a.writers[id]
	if w == nil {
		w = &archiveWriter{}
		a.writers[id] = w
	}
	w.pending = append(w.pending, req)
	if w.writing {
		a.mu.Unlock()
		select {
		case err := <-req.done:
			return err
		case <-ctx.Done():
			return fmt.Errorf("jetstream: archive: %w", ctx.Err())
		}
	}
	w.writing = true
	for {
		batch := w.pending
		w.pending = nil
		a.mu.Unlock()
		a.write(id, batch)
		a.mu.Lock()
		if len(w.pending) == 0 {
			w.writing = false
			delete(a.writers, id)
			a.mu.Unlock()
			return <-req.done
		}
	}
}

// write stores the events of batch in messages of at most maxArchiveFrame
// events, then tells each append the first error of a message holding one
// of its events, or nil.
func (a *Archives) write(id string, batch []*archiveAppend) {
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	errs := make([]error, len(batch))
	var (
		buf     []byte
		records []Record
		owners  []int // index in batch of each record's append
		size    int
	)
	flush := func() {
		if len(records) == 0 {
			return
		}
		buf = appendHeader(buf[:0], len(records))
		for i := range records {
			buf = appendRecord(buf, &records[i])
		}
		if err := a.publish(ctx, id, len(records), buf); err != nil {
			for _, o := range owners {
				if errs[o] == nil {
					errs[o] = err
				}
			}
		}
		records, owners, size = records[:0], owners[:0], 0
	}
	for i, req := range batch {
		for _, r := range req.records {
			if len(records) == maxArchiveFrame || size+r.encodedSize() > maxArchiveFrameBytes {
				flush()
			}
			records, owners = append(records, r), append(owners, i)
			size += r.encodedSize()
		}
	}
	flush()
	for i, req := range batch {
		req.done <- errs[i]
	}
}

// publish stores one message of n events.
func (a *Archives) publish(ctx context.Context, id string, n int, data []byte) error {
	_, err := a.js.PublishMsg(ctx, &nats.Msg{Subject: archiveFrameSubject(id, n), Data: data}, jetstream.WithExpectStream(archiveStream(id)))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
	}
	if err = storageFull(err); errors.Is(err, eventbus.ErrStorageFull) {
		return err
	}
	return fmt.Errorf("jetstream: archive: %w", err)
}

// Stats implements eventbus.ArchiveLog: events counted from the stream's
// per-subject message counts (each subject names its messages' event
// count); bytes are the stream's, JetStream's per-message overhead included.
func (a *Archives) Stats(ctx context.Context, id string) (eventbus.ArchiveStats, error) {
	s, err := a.js.Stream(ctx, archiveStream(id))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return eventbus.ArchiveStats{}, fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
	}
	if err != nil {
		return eventbus.ArchiveStats{}, fmt.Errorf("jetstream: archive stats: %w", err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(archiveSubject(id)))
	if err != nil {
		return eventbus.ArchiveStats{}, fmt.Errorf("jetstream: archive stats: %w", err)
	}
	st := eventbus.ArchiveStats{Bytes: int64(info.State.Bytes), LastSeq: info.State.LastSeq}
	prefix := ArchiveSubjectPrefix + id + "."
	for subject, msgs := range info.State.Subjects {
		n, err := strconv.Atoi(strings.TrimPrefix(subject, prefix))
		if err == nil {
			st.Events += int64(n) * int64(msgs)
		}
	}
	return st, nil
}

// Scan implements eventbus.ArchiveLog with an ordered consumer from
// position from: a position is a message, shared by the events of one
// group commit.
func (a *Archives) Scan(ctx context.Context, id string, from, to uint64, fn func(eventbus.ArchivedEvent) error) error {
	if from < 1 {
		from = 1
	}
	if to < from {
		return nil
	}
	cons, err := a.js.OrderedConsumer(ctx, archiveStream(id), jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{archiveSubject(id)},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    from,
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
	}
	if err != nil {
		return fmt.Errorf("jetstream: scan archive: %w", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return fmt.Errorf("jetstream: scan archive: %w", err)
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			md, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("jetstream: scan archive: %w", err)
			}
			seq := md.Sequence.Stream
			if seq > to {
				return nil
			}
			records, err := decodeFrame(msg.Data())
			if err != nil {
				records = nil // nothing could replay it; skipped
			}
			for _, r := range records {
				var ev eventbus.Event
				if ev.UnmarshalBinary(r.Data) != nil {
					continue
				}
				if err := fn(eventbus.ArchivedEvent{Seq: seq, Event: ev}); err != nil {
					return err
				}
			}
			if seq == to || md.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("jetstream: scan archive: %w", err)
		}
		if got == 0 {
			return nil // nothing at or after from (expired or never written)
		}
	}
}
