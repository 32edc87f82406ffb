package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Errors of Records besides the KV's (ErrNotFound, ErrExists, ErrConflict).
var (
	// ErrLimit: the write would take a scope past the limit it was given.
	ErrLimit = errors.New("eventbus: limit reached")
	// ErrRemove, returned by an Update change function, deletes the record.
	ErrRemove = errors.New("eventbus: remove record")
)

// maxCASAttempts bounds the read-modify-write rounds of one Records call
// before a lost race is reported as ErrConflict.
const maxCASAttempts = 8

// countSegment starts the key of a scope's count. No record key starts
// with it: record keys start with an account ID or a source name.
const countSegment = "#count"

// Records is one kind of record kept in a KV: it owns the record's encoding
// (JSON), its key layout, and, for counted kinds, the number of records in
// each scope (the rules of one bus, the buses of one account, ...). A count
// is stored in the same bucket and changed in the same atomic Commit as the
// records it counts, so a quota check is one read at 10 or 10,000 records,
// and two creations racing for the last place cannot both get it. A scope
// with no count yet (a bucket written before counts existed) is counted by
// listing once, and the count is stored with the next write.
//
// Safe for concurrent use; every write is a compare-and-set on the revisions
// it read, retried a few times on a lost race and then ErrConflict.
type Records[T any] struct {
	kv KV
	// key is a record's key; scope is the count scope it belongs to, or
	// nil when it counts nowhere (nil scope for every record: no counts).
	key   func(*T) []string
	scope func(*T) []string
	// scopeIsPrefix: every record of a scope has a key starting with the
	// scope, so counting it from scratch lists only that prefix.
	scopeIsPrefix bool
}

// NewRecords returns the records of one kind in kv: key gives a record's
// key, scope (nil for an uncounted kind) the scope it is counted in, which
// may depend on the record's state (a deleted source counts nowhere).
// scopeIsPrefix says that a scope is always a prefix of its records' keys.
func NewRecords[T any](kv KV, key, scope func(*T) []string, scopeIsPrefix bool) *Records[T] {
	return &Records[T]{kv: kv, key: key, scope: scope, scopeIsPrefix: scopeIsPrefix}
}

// KV returns the bucket the records are kept in.
func (r *Records[T]) KV() KV { return r.kv }

func (r *Records[T]) scopeOf(v *T) []string {
	if r.scope == nil {
		return nil
	}
	return r.scope(v)
}

// Get returns the record under key with its revision, or ErrNotFound.
func (r *Records[T]) Get(ctx context.Context, key ...string) (T, uint64, error) {
	var v T
	e, err := r.kv.Get(ctx, key...)
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		return v, 0, fmt.Errorf("eventbus: decode %q: %w", key, err)
	}
	return v, e.Revision, nil
}

// List returns every record whose key starts with prefix, sorted by key.
func (r *Records[T]) List(ctx context.Context, prefix ...string) ([]T, error) {
	entries, err := r.kv.List(ctx, prefix...)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(entries))
	for _, e := range entries {
		if isCountKey(e.Key) {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Value, &v); err != nil {
			return nil, fmt.Errorf("eventbus: decode %q: %w", e.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Count returns the number of records in scope.
func (r *Records[T]) Count(ctx context.Context, scope ...string) (int, error) {
	n, _, err := r.count(ctx, scope)
	return n, err
}

// Create stores v if no record has its key (else ErrExists) and, for a
// counted record, its scope holds fewer than limit records (else ErrLimit;
// limit 0 means none). It returns the new revision.
func (r *Records[T]) Create(ctx context.Context, v T, limit int) (uint64, error) {
	value, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	key := r.key(&v)
	scope := r.scopeOf(&v)
	if scope == nil {
		return r.kv.Create(ctx, value, key...)
	}
	for range maxCASAttempts {
		n, crev, err := r.count(ctx, scope)
		if err != nil {
			return 0, err
		}
		if limit > 0 && n >= limit {
			if _, err := r.kv.Get(ctx, key...); err == nil {
				return 0, fmt.Errorf("%w: %q", ErrExists, key)
			}
			return 0, fmt.Errorf("%w: %d in %q", ErrLimit, limit, scope)
		}
		revs, err := r.kv.Commit(ctx,
			Write{Key: key, Value: value},
			Write{Key: countKey(scope), Value: countValue(n + 1), Revision: crev})
		if err == nil {
			return revs[0], nil
		}
		if !errors.Is(err, ErrConflict) {
			return 0, err
		}
		if _, err := r.kv.Get(ctx, key...); err == nil {
			return 0, fmt.Errorf("%w: %q", ErrExists, key)
		}
	}
	return 0, fmt.Errorf("%w: %q: too many concurrent writes", ErrConflict, key)
}

// Update applies change to the record under key and writes it back if it
// is still at the revision read, re-reading and re-applying on a lost race,
// so no concurrent write is overwritten. change sees the latest record each
// time; it may return ErrRemove to delete the record, or any other error to
// abort (returned as is). A change that moves the record into another scope
// fails with ErrLimit if that scope holds limit records (0: no limit). A
// missing record is ErrNotFound; after a few lost races, ErrConflict. It
// returns the record as written (or as removed).
func (r *Records[T]) Update(ctx context.Context, limit int, change func(*T) error, key ...string) (T, error) {
	var zero T
	for range maxCASAttempts {
		v, rev, err := r.Get(ctx, key...)
		if err != nil {
			return zero, err
		}
		before := r.scopeOf(&v)
		remove := false
		switch err := change(&v); {
		case errors.Is(err, ErrRemove):
			remove = true
		case err != nil:
			return v, err
		}
		writes, err := r.writes(ctx, key, rev, &v, before, remove, limit)
		if err != nil {
			return v, err
		}
		_, err = r.kv.Commit(ctx, writes...)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return v, err
	}
	return zero, fmt.Errorf("%w: %q: too many concurrent writes", ErrConflict, key)
}

// writes returns the writes that store v (or remove it) over revision rev
// of key, moving it from scope before to its own scope.
func (r *Records[T]) writes(ctx context.Context, key []string, rev uint64, v *T, before []string, remove bool, limit int) ([]Write, error) {
	w := Write{Key: key, Revision: rev, Delete: remove}
	if !remove {
		value, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(r.key(v), key) {
			return nil, fmt.Errorf("eventbus: an update may not change the key %q", key)
		}
		w.Value = value
	}
	writes := []Write{w}
	var after []string
	if !remove {
		after = r.scopeOf(v)
	}
	if slices.Equal(before, after) {
		return writes, nil
	}
	if before != nil {
		n, crev, err := r.count(ctx, before)
		if err != nil {
			return nil, err
		}
		writes = append(writes, Write{Key: countKey(before), Value: countValue(max(n-1, 0)), Revision: crev})
	}
	if after != nil {
		n, crev, err := r.count(ctx, after)
		if err != nil {
			return nil, err
		}
		if limit > 0 && n >= limit {
			return nil, fmt.Errorf("%w: %d in %q", ErrLimit, limit, after)
		}
		writes = append(writes, Write{Key: countKey(after), Value: countValue(n + 1), Revision: crev})
	}
	return writes, nil
}

// count returns the count of scope and the revision of its count entry (0
// if there is none yet: then the records are counted by listing them).
func (r *Records[T]) count(ctx context.Context, scope []string) (int, uint64, error) {
	e, err := r.kv.Get(ctx, countKey(scope)...)
	switch {
	case err == nil:
		n, err := strconv.Atoi(string(e.Value))
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("eventbus: count %q is %q", scope, e.Value)
		}
		return n, e.Revision, nil
	case !errors.Is(err, ErrNotFound):
		return 0, 0, err
	}
	var prefix []string
	if r.scopeIsPrefix {
		prefix = scope
	}
	all, err := r.List(ctx, prefix...)
	if err != nil {
		return 0, 0, err
	}
	n := 0
	for i := range all {
		if slices.Equal(r.scopeOf(&all[i]), scope) {
			n++
		}
	}
	return n, 0, nil
}

// Watch reports the records under prefix as a KV watch does (see KV.Watch),
// decoded; counts are left out. A put whose value does not decode comes
// with Err set.
func (r *Records[T]) Watch(ctx context.Context, prefix ...string) (<-chan RecordChange[T], error) {
	in, err := r.kv.Watch(ctx, prefix...)
	if err != nil {
		return nil, err
	}
	out := make(chan RecordChange[T], 64)
	go func() {
		defer close(out)
		for c := range in { // closed when ctx ends or the watch fails
			if isCountKey(c.Entry.Key) {
				continue
			}
			rc := RecordChange[T]{Op: c.Op, Key: c.Entry.Key, Revision: c.Entry.Revision}
			if c.Op == OpPut {
				if err := json.Unmarshal(c.Entry.Value, &rc.Value); err != nil {
					rc.Err = fmt.Errorf("eventbus: decode %q: %w", c.Entry.Key, err)
				}
			}
			select {
			case out <- rc:
			case <-ctx.Done():
				for range in { // let the KV's watch finish
				}
				return
			}
		}
	}()
	return out, nil
}

// A RecordChange is one change a Records watch reports: a record put (Value,
// or Err when it does not decode), a key deleted, or OpSynced.
type RecordChange[T any] struct {
	Op       Op
	Key      []string
	Revision uint64
	Value    T
	Err      error
}

func countKey(scope []string) []string { return append([]string{countSegment}, scope...) }

func isCountKey(key []string) bool { return len(key) > 0 && key[0] == countSegment }

func countValue(n int) []byte { return strconv.AppendInt(nil, int64(n), 10) }
