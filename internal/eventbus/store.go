package eventbus

import (
	"context"
	"errors"
)

// Errors a KV returns. Implementations return these (possibly wrapped) and
// nothing else for the conditions they name, so callers test with errors.Is.
var (
	// ErrNotFound: the key does not exist (or was deleted).
	ErrNotFound = errors.New("eventbus: key not found")
	// ErrExists: Create found the key already present.
	ErrExists = errors.New("eventbus: key already exists")
	// ErrConflict: the revision given to Update or Delete is not the current one.
	ErrConflict = errors.New("eventbus: revision conflict")
)

// An Entry is one stored value with the revision it was written at.
type Entry struct {
	Key      []string
	Value    []byte
	Revision uint64
}

// A KV is a durable, revisioned key-value bucket: the only storage the domain
// needs for metadata. Keys are paths of one or more segments; a segment may be
// any non-empty string (implementations encode it as their key syntax needs),
// so resource names containing '/', '.', ':' are fine.
//
// Every successful write is durable when it returns. Concurrent writers are
// serialized by revision: Create is create-if-absent, Update and Delete are
// compare-and-swap on the revision read earlier. Safe for concurrent use.
type KV interface {
	// Get returns the current entry for key, or ErrNotFound.
	Get(ctx context.Context, key ...string) (Entry, error)
	// Create stores value under key only if the key is absent (a deleted key
	// counts as absent); else ErrExists. It returns the new revision.
	Create(ctx context.Context, value []byte, key ...string) (uint64, error)
	// Update replaces the value under key only if its current revision is rev;
	// else ErrConflict (ErrNotFound if the key is gone). It returns the new revision.
	Update(ctx context.Context, value []byte, rev uint64, key ...string) (uint64, error)
	// Delete removes key only if its current revision is rev; else ErrConflict
	// (ErrNotFound if it is already gone).
	Delete(ctx context.Context, rev uint64, key ...string) error
	// List returns every live entry whose key starts with the given segments
	// (whole segments, not a string prefix), sorted by key segments. An empty
	// prefix lists the whole bucket.
	List(ctx context.Context, prefix ...string) ([]Entry, error)
}

// A BusEvent is an event addressed to one bus of one account.
type BusEvent struct {
	Account string
	Bus     string
	Event   Event
}

// An EventLog durably records events accepted for buses; routing reads them
// from it. Append returns nil only once every event is durably stored (an
// acknowledged event is never lost); concurrent calls may share one write.
type EventLog interface {
	Append(ctx context.Context, events []BusEvent) error
}
