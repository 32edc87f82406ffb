package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

var _ eventbus.KV = (*KV)(nil)

// A KV is an eventbus.KV stored in a JetStream KV bucket: one message per key
// (history 1), revisions are stream sequence numbers, and every write is a
// JetStream publish that returns after the server stored it. Safe for
// concurrent use by any number of goroutines and processes.
//
// Deleting a key leaves a small delete marker in the bucket; it is invisible
// to Get, List and Create.
type KV struct {
	kv     jetstream.KeyValue
	stream jetstream.Stream // the bucket's stream, for Commit
	nc     *nats.Conn
	// subject prefixes encoded keys: "$KV.<bucket>."
	subject string
	log     *slog.Logger
}

// KV creates the bucket named bucket ([A-Za-z0-9_-]+) if it does not exist,
// with file storage, history 1, the configured replicas and atomic batch
// publishes allowed, or binds to it, updating its configuration only if one
// of those settings differs (see ensureStream for why an unneeded update is
// avoided).
func (c *Conn) KV(ctx context.Context, bucket string) (*KV, error) {
	var kv jetstream.KeyValue
	var st jetstream.Stream
	err := c.settling(ctx, func(ctx context.Context) (err error) {
		kv, st, err = c.bucket(ctx, jetstream.KeyValueConfig{
			Bucket:   bucket,
			History:  1,
			Storage:  jetstream.FileStorage,
			Replicas: c.cfg.Replicas,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: bucket %q: %w", bucket, err)
	}
	return &KV{kv: kv, stream: st, nc: c.nc, subject: "$KV." + bucket + ".", log: c.log.With("bucket", bucket)}, nil
}

// bucket is ensureStream for a KV bucket whose stream also allows atomic
// batch publishes (Commit needs them). nats.go cannot create a bucket so,
// so a new bucket is created and then updated once; an existing bucket is
// updated, in one step, only if a setting we choose differs.
func (c *Conn) bucket(ctx context.Context, want jetstream.KeyValueConfig) (jetstream.KeyValue, jetstream.Stream, error) {
	// Again when another opener created it first, and while a bucket
	// another node of a cluster is creating is known but its stream not
	// found yet (seen with three nodes opening their buckets at once).
	for round := 1; ; round++ {
		kv, st, err := c.bucketOnce(ctx, want)
		if err == nil || !errors.Is(err, errOpenAgain) && !errors.Is(err, jetstream.ErrStreamNotFound) || round == 50 {
			return kv, st, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// errOpenAgain: a bucket another opener created at the same time.
var errOpenAgain = errors.New("created by another opener at the same time")

func (c *Conn) bucketOnce(ctx context.Context, want jetstream.KeyValueConfig) (jetstream.KeyValue, jetstream.Stream, error) {
	kv, err := c.js.KeyValue(ctx, want.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = c.js.CreateKeyValue(ctx, want)
		if errors.Is(err, jetstream.ErrBucketExists) {
			return nil, nil, errOpenAgain
		}
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := c.js.Stream(ctx, "KV_"+want.Bucket)
	if err != nil {
		return nil, nil, err
	}
	have := st.CachedInfo().Config
	if have.MaxMsgsPerSubject == int64(want.History) && have.Storage == want.Storage &&
		max(have.Replicas, 1) == max(want.Replicas, 1) && have.AllowAtomicPublish && (want.Replicas <= 1 || !have.AllowDirect) {
		return kv, st, nil
	}
	old := have
	have.MaxMsgsPerSubject, have.Storage, have.Replicas = int64(want.History), want.Storage, want.Replicas
	have.AllowAtomicPublish = true
	// No direct gets with replicas: a direct get may be answered by a
	// replica that has not applied the latest write yet, and the API must
	// read what it just wrote (PutRule, then PutTargets). Reads go through
	// the stream's leader instead.
	if want.Replicas > 1 {
		have.AllowDirect = false
	}
	if st, err = updateStream(ctx, c.js, old, have); err != nil {
		return nil, nil, err
	}
	// The handle chose direct gets when it bound: bind again.
	if kv, err = c.js.KeyValue(ctx, want.Bucket); err != nil {
		return nil, nil, err
	}
	return kv, st, nil
}

// Get returns the current entry for key, or eventbus.ErrNotFound.
func (kv *KV) Get(ctx context.Context, key ...string) (eventbus.Entry, error) {
	k, err := encodeKey(key)
	if err != nil {
		return eventbus.Entry{}, err
	}
	e, err := kv.kv.Get(ctx, k)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return eventbus.Entry{}, fmt.Errorf("%w: %q", eventbus.ErrNotFound, key)
		}
		return eventbus.Entry{}, fmt.Errorf("jetstream: get %q: %w", key, err)
	}
	return eventbus.Entry{Key: slices.Clone(key), Value: e.Value(), Revision: e.Revision()}, nil
}

// Create stores value under key if the key is absent or deleted, and returns
// the new revision; else eventbus.ErrExists.
func (kv *KV) Create(ctx context.Context, value []byte, key ...string) (uint64, error) {
	k, err := encodeKey(key)
	if err != nil {
		return 0, err
	}
	rev, err := kv.kv.Create(ctx, k, value)
	if err != nil {
		// Over a delete marker nats retries with the marker's revision and
		// reports losing that race as a bare wrong-last-sequence error.
		if errors.Is(err, jetstream.ErrKeyExists) || isWrongLastSeq(err) {
			return 0, fmt.Errorf("%w: %q", eventbus.ErrExists, key)
		}
		return 0, fmt.Errorf("jetstream: create %q: %w", key, err)
	}
	return rev, nil
}

// Update replaces the value under key if its current revision is rev, and
// returns the new revision; else eventbus.ErrConflict, or eventbus.ErrNotFound
// if the key is absent or deleted.
func (kv *KV) Update(ctx context.Context, value []byte, rev uint64, key ...string) (uint64, error) {
	k, err := encodeKey(key)
	if err != nil {
		return 0, err
	}
	if rev == 0 { // to nats, "expect no message"; never a revision here
		return 0, kv.casFailure(ctx, k, key)
	}
	newRev, err := kv.kv.Update(ctx, k, value, rev)
	if err != nil {
		if isWrongLastSeq(err) {
			return 0, kv.casFailure(ctx, k, key)
		}
		return 0, fmt.Errorf("jetstream: update %q: %w", key, err)
	}
	return newRev, nil
}

// Delete removes key if its current revision is rev; else
// eventbus.ErrConflict, or eventbus.ErrNotFound if the key is absent or
// already deleted.
func (kv *KV) Delete(ctx context.Context, rev uint64, key ...string) error {
	k, err := encodeKey(key)
	if err != nil {
		return err
	}
	// Read first: a delete marker's revision (which Watch reports) must not
	// let a second Delete succeed on a key that is already gone.
	e, err := kv.kv.Get(ctx, k)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("%w: %q", eventbus.ErrNotFound, key)
	case err != nil:
		return fmt.Errorf("jetstream: delete %q: %w", key, err)
	case e.Revision() != rev:
		return fmt.Errorf("%w: %q is at revision %d, not %d", eventbus.ErrConflict, key, e.Revision(), rev)
	}
	if err := kv.kv.Delete(ctx, k, jetstream.LastRevision(rev)); err != nil {
		if isWrongLastSeq(err) {
			return kv.casFailure(ctx, k, key)
		}
		return fmt.Errorf("jetstream: delete %q: %w", key, err)
	}
	return nil
}

// casFailure tells apart the two reasons a revision check fails: the key is
// gone (ErrNotFound) or it moved on (ErrConflict).
func (kv *KV) casFailure(ctx context.Context, k string, key []string) error {
	_, err := kv.kv.Get(ctx, k)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("%w: %q", eventbus.ErrNotFound, key)
	case err != nil:
		return fmt.Errorf("jetstream: %q: %w", key, err)
	}
	return fmt.Errorf("%w: %q", eventbus.ErrConflict, key)
}

// isWrongLastSeq reports whether err is JetStream's answer to a failed
// expected-last-subject-sequence check (10071, or 10164 on replicated streams).
func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
