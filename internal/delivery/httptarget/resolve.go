package httptarget

import (
	"context"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// DefaultResolveTTL is how long a resolved destination is reused before it
// is looked up again: changes to a destination or its connection reach
// deliveries within it. Resolving reads two records and opens the
// connection's sealed secrets, which cost more than the request itself.
const DefaultResolveTTL = time.Second

// resolveCache remembers successful resolutions for a TTL. Failures are
// never cached: a destination created or authorized a moment ago is found
// on the next attempt.
type resolveCache struct {
	resolver Resolver
	ttl      time.Duration // <= 0: no caching
	now      func() time.Time

	mu      sync.Mutex
	entries map[resolveKey]resolution // guarded by mu
}

type resolveKey struct{ account, arn string }

type resolution struct {
	r       eventbus.ResolvedAPIDestination
	expires time.Time
}

func newResolveCache(r Resolver, ttl time.Duration, now func() time.Time) *resolveCache {
	return &resolveCache{resolver: r, ttl: ttl, now: now, entries: make(map[resolveKey]resolution)}
}

// resolve returns the destination arn of account, from the cache while it
// is fresh. The result is shared: callers must not modify it.
func (c *resolveCache) resolve(ctx context.Context, account, arn string) (eventbus.ResolvedAPIDestination, error) {
	if c.ttl <= 0 {
		return c.resolver.ResolveAPIDestination(ctx, account, arn)
	}
	k := resolveKey{account, arn}
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.r, nil
	}
	r, err := c.resolver.ResolveAPIDestination(ctx, account, arn)
	if err != nil {
		c.forget(account, arn)
		return r, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxResolved { // bound memory: start over rather than track ages
		clear(c.entries)
	}
	c.entries[k] = resolution{r: r, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return r, nil
}

// forget drops the cached resolution of arn, so the next send looks it up.
func (c *resolveCache) forget(account, arn string) {
	c.mu.Lock()
	delete(c.entries, resolveKey{account, arn})
	c.mu.Unlock()
}

// forgetConnection drops the cached resolutions of every destination using
// connectionArn (it was just deauthorized).
func (c *resolveCache) forgetConnection(connectionArn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.r.Destination.ConnectionArn == connectionArn {
			delete(c.entries, k)
		}
	}
}

// maxResolved bounds the cache.
const maxResolved = 10000
