package jetstream

import (
	"context"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// List returns every live entry whose key starts with the whole segments of
// prefix (the prefix key itself included), sorted by key segments; an empty
// prefix lists the bucket. It reads the bucket in one pass (an ordered
// consumer delivering the last message per key under the prefix) rather
// than one request per key. Keys written during the pass may or may not be
// listed. Stored keys this package did not encode are skipped and logged.
func (kv *KV) List(ctx context.Context, prefix ...string) ([]eventbus.Entry, error) {
	filters, err := encodeFilter(prefix)
	if err != nil {
		return nil, err
	}
	w, err := kv.kv.WatchFiltered(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("jetstream: list %q: %w", prefix, err)
	}
	defer stopWatcher(w)

	latest := make(map[string]jetstream.KeyValueEntry)
	for {
		var e jetstream.KeyValueEntry
		var ok bool
		select {
		case e, ok = <-w.Updates():
		case <-ctx.Done():
			return nil, fmt.Errorf("jetstream: list %q: %w", prefix, ctx.Err())
		}
		if !ok {
			return nil, fmt.Errorf("jetstream: list %q: watcher closed", prefix)
		}
		if e == nil { // every initial value delivered
			break
		}
		// A key changed during the pass arrives twice; keep the last.
		latest[e.Key()] = e
	}

	entries := make([]eventbus.Entry, 0, len(latest))
	for k, e := range latest {
		if e.Operation() != jetstream.KeyValuePut {
			continue
		}
		key, err := decodeKey(k)
		if err != nil {
			kv.log.Warn("jetstream: skipping foreign key", "key", k, "err", err)
			continue
		}
		entries = append(entries, eventbus.Entry{Key: key, Value: e.Value(), Revision: e.Revision()})
	}
	slices.SortFunc(entries, func(a, b eventbus.Entry) int { return slices.Compare(a.Key, b.Key) })
	return entries, nil
}

// Watch sends, on the returned channel, the current entry of every key under
// prefix (as List would select them) as OpPut changes, then one OpSynced,
// then every later put and delete under prefix in revision order. The
// channel is unbuffered beyond a small amount: a slow reader slows delivery,
// it loses nothing. It is closed when ctx ends or the connection closes; the
// reader must keep receiving until then (or cancel ctx) so the watch can be
// torn down.
func (kv *KV) Watch(ctx context.Context, prefix ...string) (<-chan eventbus.Change, error) {
	filters, err := encodeFilter(prefix)
	if err != nil {
		return nil, err
	}
	w, err := kv.kv.WatchFiltered(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("jetstream: watch %q: %w", prefix, err)
	}
	out := make(chan eventbus.Change, 64)
	go func() {
		defer close(out)
		defer stopWatcher(w)
		for {
			var e jetstream.KeyValueEntry
			var ok bool
			select {
			case e, ok = <-w.Updates():
			case <-ctx.Done():
				return
			}
			if !ok {
				return
			}
			ch, ok := kv.change(e)
			if !ok {
				continue
			}
			select {
			case out <- ch:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// change turns a nats watcher update (nil for "initial values done") into a
// eventbus.Change; false for keys this package did not encode.
func (kv *KV) change(e jetstream.KeyValueEntry) (eventbus.Change, bool) {
	if e == nil {
		return eventbus.Change{Op: eventbus.OpSynced}, true
	}
	key, err := decodeKey(e.Key())
	if err != nil {
		kv.log.Warn("jetstream: skipping foreign key", "key", e.Key(), "err", err)
		return eventbus.Change{}, false
	}
	if e.Operation() != jetstream.KeyValuePut {
		return eventbus.Change{Op: eventbus.OpDelete, Entry: eventbus.Entry{Key: key, Revision: e.Revision()}}, true
	}
	return eventbus.Change{Op: eventbus.OpPut, Entry: eventbus.Entry{Key: key, Value: e.Value(), Revision: e.Revision()}}, true
}

// stopWatcher stops w and drains its channel until nats closes it: nats's
// delivery callback blocks on that channel while holding the lock its close
// needs, so an undrained watcher leaks a goroutine.
func stopWatcher(w jetstream.KeyWatcher) {
	_ = w.Stop() // an error means it was already stopped; the drain below still ends
	go func() {
		for range w.Updates() {
		}
	}()
}
