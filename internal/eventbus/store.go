package eventbus

import (
	"context"
	"errors"
	"time"
)

// Errors a KV returns. Implementations return these (possibly wrapped) and
// nothing else for the conditions they name, so callers test with errors.Is.
var (
	// ErrNotFound: the key does not exist (or was deleted).
	ErrNotFound = errors.New("eventbus: key not found")
	// ErrExists: Create found the key already present.
	ErrExists = errors.New("eventbus: key already exists")
	// ErrConflict: the revision given to Update, Delete or Commit is not the
	// current one.
	ErrConflict = errors.New("eventbus: revision conflict")
)

// An Entry is one stored value with the revision it was written at.
type Entry struct {
	Key      []string
	Value    []byte
	Revision uint64
}

// A Write is one change of an atomic KV.Commit: Value stored under Key, or
// Key deleted, if Key is at Revision when the commit applies.
type Write struct {
	Key   []string
	Value []byte
	// Delete removes Key instead of storing Value.
	Delete bool
	// Revision is the revision Key must be at, as read from a live entry
	// (Get, List, or a put a Watch reported); 0 means it must be absent
	// (never written, or deleted).
	Revision uint64
}

// An Op says what a Change is.
type Op uint8

const (
	// OpPut: Entry holds the key's new value and revision.
	OpPut Op = iota + 1
	// OpDelete: the key in Entry was deleted at Entry.Revision; Value is nil.
	OpDelete
	// OpSynced: every entry present when the watch started has been sent;
	// Entry is empty. Sent exactly once, before any later change.
	OpSynced
)

// A Change is one update a KV watch reports.
type Change struct {
	Op    Op
	Entry Entry
}

// A KV is a durable, revisioned key-value bucket: the only storage the domain
// needs for metadata. Keys are paths of one or more segments; a segment may be
// any non-empty string (implementations encode it as their key syntax needs),
// so resource names containing '/', '.', ':' are fine.
//
// Every successful write is durable when it returns. Concurrent writers are
// serialized by revision: Create is create-if-absent, Update and Delete are
// compare-and-swap on the revision read earlier, and Commit applies several
// such writes atomically. Revisions grow across the whole bucket: a later
// write has a higher revision than any earlier one. Safe for concurrent use.
//
// kvtest.Run is the behaviour every implementation must show.
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
	// Commit applies every write or none: if any key is not at its write's
	// Revision it changes nothing and returns ErrConflict. It returns the
	// new revision of each write, in order. Keys must be distinct.
	Commit(ctx context.Context, writes ...Write) ([]uint64, error)
	// List returns every live entry whose key starts with the given segments
	// (whole segments, not a string prefix), sorted by key segments. An empty
	// prefix lists the whole bucket.
	List(ctx context.Context, prefix ...string) ([]Entry, error)
	// Watch reports every live entry under prefix as OpPut (in no particular
	// order), then one OpSynced, then every later put and delete under
	// prefix in revision order, until ctx ends or the watch fails; then the
	// channel closes. An empty prefix watches the whole bucket.
	Watch(ctx context.Context, prefix ...string) (<-chan Change, error)
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
// When storage is full (the disk, or a configured bound) Append returns an
// error wrapping ErrStorageFull and stores nothing: retrying later is safe.
type EventLog interface {
	Append(ctx context.Context, events []BusEvent) error
}

// ErrStorageFull is wrapped by the errors of stores that refuse a write
// because storage is full; the write may succeed once space is freed.
var ErrStorageFull = errors.New("eventbus: storage is full")

// An EventStream is the event log as routing reads it: Consume hands the
// log's events to handle through the durable consumer durable, shared by
// every process that uses the name, until ctx ends. handle's events are
// valid only until it returns; a batch is redelivered (to any process)
// until handle returns nil for it. Records that do not decode as events
// are logged and skipped by the implementation: nothing could route them.
type EventStream interface {
	Consume(ctx context.Context, durable string, handle func(ctx context.Context, events []BusEvent) error) error
}

// A QueueMessage is one message for a Queue: ID de-duplicates it (a second
// message with the same ID within the queue's window is dropped), Data is
// opaque to the queue.
type QueueMessage struct {
	ID   string
	Data []byte
}

// A QueueDelivery is one delivery of a queued message. The queue delivers
// it again after its ack wait unless it is acknowledged, or told to retry
// later, first. Its methods are safe to call from the handling goroutine
// and a heartbeat goroutine at once.
type QueueDelivery interface {
	// Data is the message's Data.
	Data() []byte
	// Delivered counts deliveries of this message so far, this one included
	// (1 on the first).
	Delivered() int
	// Ack removes the message from the queue; it returns once the queue has
	// recorded that (an error means the message may come again).
	Ack(ctx context.Context) error
	// Retry asks for a redelivery after delay.
	Retry(delay time.Duration) error
	// InProgress restarts the ack wait while a slow handler runs.
	InProgress() error
}

// QueueLimits are the settings of an open Queue its users must respect.
type QueueLimits struct {
	// MaxMessageBytes bounds one message's Data.
	MaxMessageBytes int
	// AckWait is how long a delivery may go silent (no InProgress) before
	// the message is handed to another consumer.
	AckWait time.Duration
	// MaxDeliver bounds the deliveries of one message.
	MaxDeliver int
}

// A Queue is the durable work queue delivery runs on. Enqueue returns nil
// only once every message is stored; Consume hands messages to handle, at
// most workers at a time, until ctx ends, and returns once every handle
// call it started has returned. Safe for concurrent use.
type Queue interface {
	Enqueue(ctx context.Context, msgs []QueueMessage) error
	Consume(ctx context.Context, workers int, handle func(QueueDelivery)) error
	Limits() QueueLimits
}

// A DeadLetterRecord is a stored dead letter: the event as Body, AWS's
// attributes and switchyard's metadata as Headers. ID de-duplicates (a
// second Put of the same ID within the store's window is dropped); Seq and
// Stored are set when records are listed.
type DeadLetterRecord struct {
	ID      string
	Account string
	Headers map[string]string
	Body    []byte
	Seq     uint64
	Stored  time.Time
}

// DeadLetters keep dead letters durably: Put returns nil only once the
// record is stored.
type DeadLetters interface {
	Put(ctx context.Context, d DeadLetterRecord) error
}
