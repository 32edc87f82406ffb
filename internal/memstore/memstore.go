// Package memstore keeps switchyard's metadata in memory: a KV that behaves
// as internal/jetstream's does (the same kvtest suite runs against both),
// so the API and the router can be tested in milliseconds, in parallel,
// without a server or a disk.
//
// It never persists anything: everything is gone when the process ends.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// errInvalidKey reports a key the KV interface does not allow: no
// segments, or an empty one.
var errInvalidKey = errors.New("memstore: invalid key")

// A KV is an eventbus.KV in memory. Revisions count every write of the
// bucket, from 1. Safe for concurrent use.
type KV struct {
	mu       sync.Mutex // guards the fields below
	rev      uint64
	entries  map[string]*entry // by encoded key; deleted keys stay as tombstones
	watchers map[*watcher]bool
}

var _ eventbus.KV = (*KV)(nil)

type entry struct {
	key     []string
	value   []byte
	rev     uint64
	deleted bool
}

// NewKV returns an empty bucket.
func NewKV() *KV {
	return &KV{entries: map[string]*entry{}, watchers: map[*watcher]bool{}}
}

// Open is an eventbus.OpenStores opener: a new empty bucket per name.
func Open(string) (eventbus.KV, error) { return NewKV(), nil }

// encode joins segments with a byte no segment can hold unescaped.
func encode(key []string) (string, error) {
	if len(key) == 0 {
		return "", fmt.Errorf("%w: no segments", errInvalidKey)
	}
	for i, s := range key {
		if s == "" {
			return "", fmt.Errorf("%w: segment %d is empty", errInvalidKey, i)
		}
	}
	var sb strings.Builder
	for i, s := range key {
		if i > 0 {
			sb.WriteByte(0)
		}
		sb.WriteString(strings.ReplaceAll(s, "\x00", "\x00\x00"))
	}
	return sb.String(), nil
}

// live returns the live entry under k; the caller holds mu.
func (kv *KV) live(k string) *entry {
	if e := kv.entries[k]; e != nil && !e.deleted {
		return e
	}
	return nil
}

// Get implements eventbus.KV.
func (kv *KV) Get(_ context.Context, key ...string) (eventbus.Entry, error) {
	k, err := encode(key)
	if err != nil {
		return eventbus.Entry{}, err
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e := kv.live(k)
	if e == nil {
		return eventbus.Entry{}, fmt.Errorf("%w: %q", eventbus.ErrNotFound, key)
	}
	return e.public(), nil
}

func (e *entry) public() eventbus.Entry {
	return eventbus.Entry{Key: slices.Clone(e.key), Value: slices.Clone(e.value), Revision: e.rev}
}

// Create implements eventbus.KV.
func (kv *KV) Create(ctx context.Context, value []byte, key ...string) (uint64, error) {
	revs, err := kv.Commit(ctx, eventbus.Write{Key: key, Value: value})
	if errors.Is(err, eventbus.ErrConflict) {
		return 0, fmt.Errorf("%w: %q", eventbus.ErrExists, key)
	}
	if err != nil {
		return 0, err
	}
	return revs[0], nil
}

// Update implements eventbus.KV.
func (kv *KV) Update(ctx context.Context, value []byte, rev uint64, key ...string) (uint64, error) {
	if err := kv.present(key); err != nil {
		return 0, err
	}
	if rev == 0 { // "expect absent" is never a revision here
		return 0, kv.casFailure(eventbus.ErrConflict, key)
	}
	revs, err := kv.Commit(ctx, eventbus.Write{Key: key, Value: value, Revision: rev})
	if err != nil {
		return 0, kv.casFailure(err, key)
	}
	return revs[0], nil
}

// Delete implements eventbus.KV.
func (kv *KV) Delete(ctx context.Context, rev uint64, key ...string) error {
	if err := kv.present(key); err != nil {
		return err
	}
	if rev == 0 {
		return kv.casFailure(eventbus.ErrConflict, key)
	}
	_, err := kv.Commit(ctx, eventbus.Write{Key: key, Delete: true, Revision: rev})
	return kv.casFailure(err, key)
}

// present returns ErrNotFound unless key is live.
func (kv *KV) present(key []string) error {
	k, err := encode(key)
	if err != nil {
		return err
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.live(k) == nil {
		return fmt.Errorf("%w: %q", eventbus.ErrNotFound, key)
	}
	return nil
}

// casFailure turns a failed revision check into ErrNotFound when the key is
// gone; other errors (and nil) pass through.
func (kv *KV) casFailure(err error, key []string) error {
	if !errors.Is(err, eventbus.ErrConflict) {
		return err
	}
	if perr := kv.present(key); perr != nil {
		return perr
	}
	return err
}

// Commit implements eventbus.KV.
func (kv *KV) Commit(_ context.Context, writes ...eventbus.Write) ([]uint64, error) {
	keys := make([]string, len(writes))
	for i, w := range writes {
		k, err := encode(w.Key)
		if err != nil {
			return nil, err
		}
		if slices.Contains(keys[:i], k) {
			return nil, fmt.Errorf("memstore: key %q written twice in one commit", w.Key)
		}
		if w.Delete && w.Revision == 0 {
			return nil, fmt.Errorf("memstore: delete of %q without a revision", w.Key)
		}
		keys[i] = k
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	for i, w := range writes {
		var have uint64
		if e := kv.live(keys[i]); e != nil {
			have = e.rev
		}
		if have != w.Revision {
			return nil, fmt.Errorf("%w: %q is at revision %d, not %d", eventbus.ErrConflict, w.Key, have, w.Revision)
		}
	}
	revs := make([]uint64, len(writes))
	for i, w := range writes {
		kv.rev++
		e := &entry{key: slices.Clone(w.Key), rev: kv.rev, deleted: w.Delete}
		op := eventbus.OpDelete
		if !w.Delete {
			e.value, op = slices.Clone(w.Value), eventbus.OpPut
		}
		kv.entries[keys[i]] = e
		revs[i] = e.rev
		kv.notify(eventbus.Change{Op: op, Entry: eventbus.Entry{Key: slices.Clone(e.key), Value: slices.Clone(e.value), Revision: e.rev}})
	}
	return revs, nil
}

// List implements eventbus.KV.
func (kv *KV) List(_ context.Context, prefix ...string) ([]eventbus.Entry, error) {
	if len(prefix) > 0 {
		if _, err := encode(prefix); err != nil {
			return nil, err
		}
	}
	kv.mu.Lock()
	out := kv.snapshot(prefix)
	kv.mu.Unlock()
	slices.SortFunc(out, func(a, b eventbus.Entry) int { return slices.Compare(a.Key, b.Key) })
	return out, nil
}

// snapshot returns the live entries under prefix; the caller holds mu.
func (kv *KV) snapshot(prefix []string) []eventbus.Entry {
	var out []eventbus.Entry
	for _, e := range kv.entries {
		if !e.deleted && hasPrefix(e.key, prefix) {
			out = append(out, e.public())
		}
	}
	return out
}

func hasPrefix(key, prefix []string) bool {
	return len(key) >= len(prefix) && slices.Equal(key[:len(prefix)], prefix)
}
