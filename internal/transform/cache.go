package transform

import (
	"maps"
	"sync"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// DefaultCacheSize is the number of targets a Cache made by NewCache(0)
// keeps compiled.
const DefaultCacheSize = 10000

// A Cache keeps compiled Transformers by rule ARN and target Id, so a
// delivery loop compiles each target once rather than once per event. A
// target whose input settings changed since it was compiled (a later
// PutTargets) is compiled again. Compile errors are kept too. It is safe
// for concurrent use.
type Cache struct {
	max int
	mu  sync.RWMutex
	m   map[cacheKey]cacheEntry // guarded by mu
}

type cacheKey struct{ ruleArn, targetID string }

// A cacheEntry is a compiled target with the settings it was compiled from.
type cacheEntry struct {
	input, inputPath string
	transformer      *eventbus.InputTransformer // a private copy
	compiled         *Transformer
	err              error
}

// NewCache returns a Cache keeping at most max targets (DefaultCacheSize
// if max <= 0); past that, adding one drops another.
func NewCache(max int) *Cache {
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &Cache{max: max, m: make(map[cacheKey]cacheEntry)}
}

// Get returns the Transformer for target t of the rule ruleArn, compiling
// it (see Compile, whose error it returns) unless the cache holds one
// compiled from the same settings.
func (c *Cache) Get(ruleArn string, t eventbus.Target) (*Transformer, error) {
	key := cacheKey{ruleArn, t.ID}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok && e.matches(t) {
		return e.compiled, e.err
	}
	e = cacheEntry{input: t.Input, inputPath: t.InputPath}
	if it := t.InputTransformer; it != nil {
		e.transformer = &eventbus.InputTransformer{PathsMap: maps.Clone(it.PathsMap), Template: it.Template}
	}
	e.compiled, e.err = Compile(t)
	c.mu.Lock()
	if _, present := c.m[key]; !present && len(c.m) >= c.max {
		for k := range c.m { // drop any one
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
	c.mu.Unlock()
	return e.compiled, e.err
}

// matches reports whether t has the input settings e was compiled from.
func (e *cacheEntry) matches(t eventbus.Target) bool {
	if e.input != t.Input || e.inputPath != t.InputPath || (e.transformer == nil) != (t.InputTransformer == nil) {
		return false
	}
	if e.transformer == nil {
		return true
	}
	return e.transformer.Template == t.InputTransformer.Template && maps.Equal(e.transformer.PathsMap, t.InputTransformer.PathsMap)
}
