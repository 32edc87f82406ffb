package awstarget

import (
	"context"
	"slices"
	"sync"
)

// A batcher gathers concurrent sends to one destination into batch calls
// (SendMessageBatch, PutRecords, PutRecordBatch) without a timer. A send to
// a destination with fewer than maxInFlight calls running makes a call at
// once, with every entry waiting (up to maxEntries and maxBytes); sends
// arriving while maxInFlight calls run wait, and a call that ends with
// entries waiting is followed at once by another. So an idle destination
// gets each entry without delay, and a busy one gets full batches.
//
// Invariant (under mu): a destination has entries waiting only while
// maxInFlight calls run. Safe for concurrent use.
type batcher[E any] struct {
	maxEntries, maxBytes, maxInFlight int
	// size returns an entry's bytes, as the service counts them.
	size func(E) int
	// call sends a batch and returns each entry's error, in order; nil
	// errors for a batch delivered whole.
	call func(ctx context.Context, key string, batch []E) []error

	mu    sync.Mutex
	dests map[string]*destination[E] // guarded by mu
}

// A destination is the waiting entries and the number of running calls of
// one key; guarded by its batcher's mu.
type destination[E any] struct {
	waiting  []*waiter[E]
	inFlight int
}

// A waiter is one entry waiting for its batch.
type waiter[E any] struct {
	entry E
	ctx   context.Context // the sender's: its deadline bounds the call a batch it opens makes
	done  chan error      // buffered: receives the entry's error once
}

func newBatcher[E any](maxEntries, maxBytes, maxInFlight int, size func(E) int, call func(context.Context, string, []E) []error) *batcher[E] {
	return &batcher[E]{maxEntries: maxEntries, maxBytes: maxBytes, maxInFlight: maxInFlight, size: size, call: call,
		dests: map[string]*destination[E]{}}
}

// send delivers e to the destination key within a batch and returns its
// error. If ctx ends first, send returns ctx's error; e is then dropped if
// it still waits, or may still be delivered by a call already running (the
// caller's retry then duplicates it: at least once).
func (b *batcher[E]) send(ctx context.Context, key string, e E) error {
	w := &waiter[E]{entry: e, ctx: ctx, done: make(chan error, 1)}
	b.mu.Lock()
	d := b.dests[key]
	if d == nil {
		d = &destination[E]{}
		b.dests[key] = d
	}
	d.waiting = append(d.waiting, w)
	lead := d.inFlight < b.maxInFlight
	if lead {
		d.inFlight++
	}
	b.mu.Unlock()
	if lead {
		b.run(key, d)
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		b.mu.Lock()
		if i := slices.Index(d.waiting, w); i >= 0 {
			d.waiting = slices.Delete(d.waiting, i, i+1)
		}
		b.mu.Unlock()
		return ctx.Err()
	}
}

// run makes one call, in one of d's maxInFlight slots, with the entries
// waiting, and hands out their errors. If entries are waiting when it
// ends, a new goroutine runs the next call in the same slot; otherwise the
// slot is freed.
func (b *batcher[E]) run(key string, d *destination[E]) {
	b.mu.Lock()
	batch := b.take(d)
	b.mu.Unlock()
	if len(batch) > 0 {
		entries := make([]E, len(batch))
		for i, w := range batch {
			entries[i] = w.entry
		}
		// The first waiter's deadline bounds the call, but not its
		// cancellation: the others still want their entries sent.
		ctx, cancel := context.WithoutCancel(batch[0].ctx), func() {}
		if dl, ok := batch[0].ctx.Deadline(); ok {
			ctx, cancel = context.WithDeadline(ctx, dl)
		}
		errs := b.call(ctx, key, entries)
		cancel()
		for i, w := range batch {
			w.done <- errs[i]
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(d.waiting) > 0 {
		go b.run(key, d)
		return
	}
	d.inFlight--
	if d.inFlight == 0 {
		delete(b.dests, key)
	}
}

// take removes the next batch from d.waiting: the first entry always, then
// as many as fit.
func (b *batcher[E]) take(d *destination[E]) []*waiter[E] {
	n, bytes := 0, 0
	for n < len(d.waiting) && n < b.maxEntries {
		sz := b.size(d.waiting[n].entry)
		if n > 0 && bytes+sz > b.maxBytes {
			break
		}
		bytes += sz
		n++
	}
	batch := slices.Clone(d.waiting[:n])
	d.waiting = slices.Delete(d.waiting, 0, n)
	return batch
}
