package memstore

import (
	"context"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A watcher queues the changes of one Watch; its goroutine hands them to
// the caller's channel, so a slow reader never blocks a writer.
type watcher struct {
	prefix  []string
	pending []eventbus.Change // guarded by KV.mu
	wake    chan struct{}     // capacity 1: pending grew
}

// notify queues c for every watcher whose prefix covers it; the caller
// holds mu.
func (kv *KV) notify(c eventbus.Change) {
	for w := range kv.watchers {
		if hasPrefix(c.Entry.Key, w.prefix) {
			w.pending = append(w.pending, c)
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Watch implements eventbus.KV.
func (kv *KV) Watch(ctx context.Context, prefix ...string) (<-chan eventbus.Change, error) {
	if len(prefix) > 0 {
		if _, err := encode(prefix); err != nil {
			return nil, err
		}
	}
	w := &watcher{prefix: append([]string(nil), prefix...), wake: make(chan struct{}, 1)}
	kv.mu.Lock()
	for _, e := range kv.snapshot(prefix) {
		w.pending = append(w.pending, eventbus.Change{Op: eventbus.OpPut, Entry: e})
	}
	w.pending = append(w.pending, eventbus.Change{Op: eventbus.OpSynced})
	w.wake <- struct{}{}
	kv.watchers[w] = true
	kv.mu.Unlock()

	out := make(chan eventbus.Change, 64)
	go func() {
		defer close(out)
		defer func() {
			kv.mu.Lock()
			delete(kv.watchers, w)
			kv.mu.Unlock()
		}()
		for {
			select {
			case <-w.wake:
			case <-ctx.Done():
				return
			}
			kv.mu.Lock()
			batch := w.pending
			w.pending = nil
			kv.mu.Unlock()
			for _, c := range batch {
				select {
				case out <- c:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
