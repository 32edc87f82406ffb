package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Archive streams: one per archive, named ArchiveStreamPrefix + the
// archive's ID, holding its events under ArchiveSubjectPrefix + ID.
const (
	ArchiveStreamPrefix  = "SWITCHYARD_ARCHIVE_"
	ArchiveSubjectPrefix = "switchyard.archive."
	// archiveDupes is the window in which an event archived again (a
	// delivery retried after its append succeeded) is stored once.
	archiveDupes = 2 * time.Minute
)

// Archives implements eventbus.ArchiveLog with one file stream per
// archive: the archive's retention is the stream's MaxAge, so JetStream
// itself drops expired events, and every process on the NATS sees the same
// archives.
type Archives struct {
	js       jetstream.JetStream
	replicas int
	timeout  time.Duration
}

var _ eventbus.ArchiveLog = (*Archives)(nil)

// Archives returns the archive log on this connection.
func (c *Conn) Archives() *Archives {
	return &Archives{js: c.js, replicas: c.cfg.Replicas, timeout: DefaultPublishTimeout}
}

func archiveStream(id string) string  { return ArchiveStreamPrefix + id }
func archiveSubject(id string) string { return ArchiveSubjectPrefix + id }

// Open implements eventbus.ArchiveLog.
func (a *Archives) Open(ctx context.Context, id string, retention time.Duration) error {
	_, err := ensureStream(ctx, a.js, jetstream.StreamConfig{
		Name:       archiveStream(id),
		Subjects:   []string{archiveSubject(id)},
		Storage:    jetstream.FileStorage,
		Replicas:   a.replicas,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     max(retention, 0),
		MaxBytes:   -1,
		Discard:    jetstream.DiscardNew,
		Duplicates: archiveDupes,
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

// Append implements eventbus.ArchiveLog: the events are published at once
// and Append waits for every acknowledgement (each after fsync).
func (a *Archives) Append(ctx context.Context, id string, events []eventbus.Event) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	subject := archiveSubject(id)
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for i := range events {
		data, err := events[i].MarshalBinary()
		if err != nil {
			return err
		}
		f, err := a.js.PublishMsgAsync(&nats.Msg{Subject: subject, Data: data}, jetstream.WithMsgID(events[i].ID),
			jetstream.WithExpectStream(archiveStream(id)))
		if err != nil {
			return fmt.Errorf("jetstream: archive: %w", err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
				return fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
			}
			if err = storageFull(err); errors.Is(err, eventbus.ErrStorageFull) {
				return err
			}
			return fmt.Errorf("jetstream: archive: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("jetstream: archive: %w", ctx.Err())
		}
	}
	return nil
}

// Stats implements eventbus.ArchiveLog: the stream's message and byte
// counts (bytes include JetStream's per-message overhead).
func (a *Archives) Stats(ctx context.Context, id string) (eventbus.ArchiveStats, error) {
	s, err := a.js.Stream(ctx, archiveStream(id))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return eventbus.ArchiveStats{}, fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
	}
	if err != nil {
		return eventbus.ArchiveStats{}, fmt.Errorf("jetstream: archive stats: %w", err)
	}
	st := s.CachedInfo().State
	return eventbus.ArchiveStats{Events: int64(st.Msgs), Bytes: int64(st.Bytes), LastSeq: st.LastSeq}, nil
}

// Scan implements eventbus.ArchiveLog with an ordered consumer from
// position from.
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
			var ev eventbus.Event
			if err := ev.UnmarshalBinary(msg.Data()); err == nil {
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
