package metrics

import "sync"

// A bounded maps label sets to their series, creating at most max of them:
// past that, every new label set gets the series of overflow. Safe for
// concurrent use; a lookup of an existing label set takes a read lock.
type bounded[K comparable, V any] struct {
	mu       sync.RWMutex
	m        map[K]V // guarded by mu
	max      int
	overflow K
	create   func(K) V
}

func newBounded[K comparable, V any](max int, overflow K, create func(K) V) *bounded[K, V] {
	return &bounded[K, V]{m: map[K]V{}, max: max, overflow: overflow, create: create}
}

// get returns k's series, creating it (or, when max are there, the
// overflow series) on first use.
func (b *bounded[K, V]) get(k K) V {
	b.mu.RLock()
	v, ok := b.m[k]
	b.mu.RUnlock()
	if ok {
		return v
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.m[k]; ok {
		return v
	}
	if len(b.m) >= b.max {
		k = b.overflow
		if v, ok := b.m[k]; ok {
			return v
		}
	}
	v = b.create(k)
	b.m[k] = v
	return v
}
