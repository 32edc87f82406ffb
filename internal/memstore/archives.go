package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Archives is an eventbus.ArchiveLog in memory. Retention is recorded but
// never enforced: nothing here lives long enough to expire. Safe for
// concurrent use.
type Archives struct {
	mu       sync.Mutex
	archives map[string]*archive
}

type archive struct {
	retention time.Duration
	events    []eventbus.ArchivedEvent
	bytes     int64
	seen      map[string]bool // event ids, as the de-duplication window
}

var _ eventbus.ArchiveLog = (*Archives)(nil)

// NewArchives returns an empty archive log.
func NewArchives() *Archives { return &Archives{archives: map[string]*archive{}} }

// Open implements eventbus.ArchiveLog.
func (a *Archives) Open(_ context.Context, id string, retention time.Duration) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ar := a.archives[id]; ar != nil {
		ar.retention = retention
		return nil
	}
	a.archives[id] = &archive{retention: retention, seen: map[string]bool{}}
	return nil
}

// Drop implements eventbus.ArchiveLog.
func (a *Archives) Drop(_ context.Context, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.archives, id)
	return nil
}

func (a *Archives) get(id string) (*archive, error) {
	ar := a.archives[id]
	if ar == nil {
		return nil, fmt.Errorf("%w: %s", eventbus.ErrNoArchive, id)
	}
	return ar, nil
}

// Append implements eventbus.ArchiveLog; events are stored through their
// binary encoding, as the durable log stores them.
func (a *Archives) Append(_ context.Context, id string, events []eventbus.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ar, err := a.get(id)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if ar.seen[ev.ID] {
			continue
		}
		raw, err := ev.MarshalBinary()
		if err != nil {
			return err
		}
		var stored eventbus.Event
		if err := stored.UnmarshalBinary(raw); err != nil {
			return err
		}
		ar.seen[ev.ID] = true
		ar.events = append(ar.events, eventbus.ArchivedEvent{Seq: uint64(len(ar.events) + 1), Event: stored})
		ar.bytes += int64(len(raw))
	}
	return nil
}

// Stats implements eventbus.ArchiveLog.
func (a *Archives) Stats(_ context.Context, id string) (eventbus.ArchiveStats, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ar, err := a.get(id)
	if err != nil {
		return eventbus.ArchiveStats{}, err
	}
	return eventbus.ArchiveStats{Events: int64(len(ar.events)), Bytes: ar.bytes, LastSeq: uint64(len(ar.events))}, nil
}

// Scan implements eventbus.ArchiveLog.
func (a *Archives) Scan(ctx context.Context, id string, from, to uint64, fn func(eventbus.ArchivedEvent) error) error {
	a.mu.Lock()
	ar, err := a.get(id)
	var events []eventbus.ArchivedEvent
	if err == nil {
		events = ar.events // appends never change the elements already there
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	for _, ev := range events {
		if ev.Seq < from || ev.Seq > to {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil
}
