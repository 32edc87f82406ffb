package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Headers of JetStream's atomic batch publish and of the KV protocol.
const (
	hdrBatchID        = "Nats-Batch-Id"
	hdrBatchSeq       = "Nats-Batch-Sequence"
	hdrBatchCommit    = "Nats-Batch-Commit"
	hdrExpectedSubSeq = "Nats-Expected-Last-Subject-Sequence"
	hdrKVOperation    = "KV-Operation"
	kvOpDelete        = "DEL"
)

// Commit implements eventbus.KV with JetStream's atomic batch publish: one
// message per write, each checked against the revision its key must be at
// (Nats-Expected-Last-Subject-Sequence), stored all together or not at all.
// A key that must be absent may hold a delete marker: its sequence is read
// first and expected instead of 0.
func (kv *KV) Commit(ctx context.Context, writes ...eventbus.Write) ([]uint64, error) {
	msgs := make([]*nats.Msg, len(writes))
	for i, w := range writes {
		k, err := encodeKey(w.Key)
		if err != nil {
			return nil, err
		}
		subject := kv.subject + k
		if slices.ContainsFunc(msgs[:i], func(m *nats.Msg) bool { return m.Subject == subject }) {
			return nil, fmt.Errorf("jetstream: key %q written twice in one commit", w.Key)
		}
		if w.Delete && w.Revision == 0 {
			return nil, fmt.Errorf("jetstream: delete of %q without a revision", w.Key)
		}
		expect, err := kv.expected(ctx, subject, w)
		if err != nil {
			return nil, err
		}
		m := nats.NewMsg(subject)
		m.Header.Set(hdrExpectedSubSeq, strconv.FormatUint(expect, 10))
		if w.Delete {
			m.Header.Set(hdrKVOperation, kvOpDelete)
		} else {
			m.Data = w.Value
		}
		msgs[i] = m
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	last, err := kv.publishBatch(ctx, msgs)
	if err != nil {
		if isWrongLastSeq(err) {
			return nil, fmt.Errorf("%w: %v", eventbus.ErrConflict, err)
		}
		return nil, fmt.Errorf("jetstream: commit: %w", err)
	}
	revs := make([]uint64, len(msgs))
	for i := range revs {
		revs[i] = last - uint64(len(msgs)-1-i)
	}
	return revs, nil
}

// expected returns the last sequence to expect on subject for w. A write
// at a revision expects that revision: the caller read it from a live
// entry, and a key changed or deleted since has a later sequence. A key
// that must be absent expects 0 if it was never written, or its delete
// marker's sequence (read here); if it is live, eventbus.ErrConflict. The
// batch's expectation then guards against changes after this read.
func (kv *KV) expected(ctx context.Context, subject string, w eventbus.Write) (uint64, error) {
	if w.Revision != 0 {
		return w.Revision, nil
	}
	m, err := kv.stream.GetLastMsgForSubject(ctx, subject)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("jetstream: commit: read %q: %w", w.Key, err)
	}
	switch m.Header.Get(hdrKVOperation) {
	case "DEL", "PURGE":
		return m.Sequence, nil
	}
	return 0, fmt.Errorf("%w: %q exists", eventbus.ErrConflict, w.Key)
}

// pubAck is JetStream's answer to a publish (or to a batch's commit).
type pubAck struct {
	Seq   uint64              `json:"seq"`
	Count int                 `json:"count"`
	Error *jetstream.APIError `json:"error"`
}

// publishBatch stores msgs atomically and returns the sequence of the last.
// A single message needs no batch.
func (kv *KV) publishBatch(ctx context.Context, msgs []*nats.Msg) (uint64, error) {
	if len(msgs) > 1 {
		id := nuid.Next()
		for i, m := range msgs {
			m.Header.Set(hdrBatchID, id)
			m.Header.Set(hdrBatchSeq, strconv.Itoa(i+1))
		}
		msgs[len(msgs)-1].Header.Set(hdrBatchCommit, "1")
		for _, m := range msgs[:len(msgs)-1] { // in order on one connection
			if err := kv.nc.PublishMsg(m); err != nil {
				return 0, err
			}
		}
	}
	reply, err := kv.nc.RequestMsgWithContext(ctx, msgs[len(msgs)-1])
	if err != nil {
		return 0, err
	}
	var ack pubAck
	if err := json.Unmarshal(reply.Data, &ack); err != nil {
		return 0, fmt.Errorf("publish answer %q: %w", reply.Data, err)
	}
	if ack.Error != nil {
		return 0, ack.Error
	}
	if len(msgs) > 1 && ack.Count != len(msgs) {
		return 0, fmt.Errorf("batch of %d stored as %d", len(msgs), ack.Count)
	}
	return ack.Seq, nil
}
