package buslog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// DefaultBuffer is how many records a Logger holds for its sinks before it
// drops new ones.
const DefaultBuffer = 8192

// A Sink stores encoded records of one bus. Write is called from the
// Logger's one writer goroutine; an error drops the record (counted).
type Sink interface {
	Write(account, bus string, record []byte) error
}

// Buses watches the buses store (an eventbus.Records[eventbus.Bus]).
type Buses interface {
	Watch(ctx context.Context, prefix ...string) (<-chan eventbus.RecordChange[eventbus.Bus], error)
}

var _ Buses = (*eventbus.Records[eventbus.Bus])(nil)

// Config is what a Logger needs; Region and Sinks are required.
type Config struct {
	// Region makes bus ARNs.
	Region string
	// Sinks get every record written.
	Sinks []Sink
	// Buffer: DefaultBuffer if zero.
	Buffer int
	// Now stamps records: time.Now if nil.
	Now func() time.Time
	// Log: nil discards.
	Log *slog.Logger
}

// busKey names a bus.
type busKey struct{ account, bus string }

// busConfig is a logging bus's LogConfig, parsed.
type busConfig struct {
	level Level
	full  bool // IncludeDetail FULL
}

// queued is a record waiting for the writer.
type queued struct {
	account, bus string
	data         []byte
}

// A Logger writes the log records of buses whose LogConfig sets a level.
// Its hook methods (see hooks.go) may be called from any goroutine, never
// block, and cost one map lookup of an immutable snapshot per event while
// the event's bus logs nothing. Start once, then Close once.
type Logger struct {
	cfg     Config
	buses   atomic.Pointer[map[busKey]busConfig] // replaced whole on each change
	queue   chan queued
	dropped atomic.Int64
	written atomic.Int64

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Logger that logs nothing until Start loads the buses.
func New(cfg Config) *Logger {
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := &Logger{cfg: cfg, queue: make(chan queued, cfg.Buffer)}
	empty := map[busKey]busConfig{}
	l.buses.Store(&empty)
	return l
}

// Start watches buses, waits until every bus present now is known (or ctx
// ends: an error), then follows changes and writes records in the
// background until Close.
func (l *Logger) Start(ctx context.Context, buses Buses) error {
	runCtx, cancel := context.WithCancel(context.Background())
	changes, err := buses.Watch(runCtx)
	if err != nil {
		cancel()
		return fmt.Errorf("buslog: watch buses: %w", err)
	}
	m := map[busKey]busConfig{}
	for synced := false; !synced; {
		select {
		case c, ok := <-changes:
			if !ok {
				cancel()
				return errors.New("buslog: buses watch ended before the buses were loaded")
			}
			synced = c.Op == eventbus.OpSynced
			apply(m, c)
		case <-ctx.Done():
			cancel()
			return fmt.Errorf("buslog: loading buses: %w", ctx.Err())
		}
	}
	l.buses.Store(&m)
	l.cancel = cancel
	l.wg.Add(2)
	go func() {
		defer l.wg.Done()
		l.follow(runCtx, buses, changes)
	}()
	go func() {
		defer l.wg.Done()
		l.write(runCtx)
	}()
	return nil
}

// apply records change c of the buses store in m.
func apply(m map[busKey]busConfig, c eventbus.RecordChange[eventbus.Bus]) {
	if len(c.Key) != 2 {
		return
	}
	k := busKey{c.Key[0], c.Key[1]}
	if c.Op != eventbus.OpPut || c.Err != nil || c.Value.LogConfig == nil {
		delete(m, k)
		return
	}
	lc := c.Value.LogConfig
	if lvl := ParseLevel(lc.Level); lvl != Off {
		m[k] = busConfig{level: lvl, full: lc.IncludeDetail == "FULL"}
	} else {
		delete(m, k)
	}
}

// follow applies bus changes until ctx ends, copying the map once per run
// of changes that arrived together, and watches again if the watch ends
// on its own.
func (l *Logger) follow(ctx context.Context, buses Buses, changes <-chan eventbus.RecordChange[eventbus.Bus]) {
	for {
		for changes != nil {
			select {
			case c, ok := <-changes:
				if !ok {
					changes = nil
					break
				}
				l.applyRun(c, changes)
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		var err error
		if changes, err = buses.Watch(ctx); err == nil {
			l.cfg.Log.Warn("buslog: buses watch restarted")
		}
	}
}

// applyRun publishes a copy of the bus map with c and every change
// already waiting in changes applied.
func (l *Logger) applyRun(c eventbus.RecordChange[eventbus.Bus], changes <-chan eventbus.RecordChange[eventbus.Bus]) {
	old := *l.buses.Load()
	m := make(map[busKey]busConfig, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	apply(m, c)
	for more := true; more; {
		select {
		case c, ok := <-changes:
			if ok {
				apply(m, c)
			} else {
				more = false
			}
		default:
			more = false
		}
	}
	l.buses.Store(&m)
}

// config returns the logging configuration of a bus, and false when it
// logs nothing.
func (l *Logger) config(account, bus string) (busConfig, bool) {
	c, ok := (*l.buses.Load())[busKey{account, bus}]
	return c, ok
}

// Enabled reports whether the bus writes any records.
func (l *Logger) Enabled(account, bus string) bool {
	_, ok := l.config(account, bus)
	return ok
}

// emit queues r for the bus's records when the bus's level includes its
// type; a full queue drops it.
func (l *Logger) emit(c busConfig, account, bus string, r *Record) {
	lvl := LevelOf(r.MessageType)
	if lvl > c.level {
		return
	}
	if !c.full {
		r.Details.Event, r.Details.TargetInput = nil, nil
	}
	r.ResourceArn = eventbus.BusARN(l.cfg.Region, account, bus)
	r.LogLevel = lvl.String()
	if r.MessageTimestampMs == 0 {
		r.MessageTimestampMs = l.cfg.Now().UnixMilli()
	}
	data, err := json.Marshal(r)
	if err != nil {
		l.dropped.Add(1)
		return
	}
	select {
	case l.queue <- queued{account: account, bus: bus, data: data}:
	default:
		l.dropped.Add(1)
	}
}

// write hands queued records to the sinks until ctx ends, then writes
// what is still queued.
func (l *Logger) write(ctx context.Context) {
	for {
		select {
		case q := <-l.queue:
			l.writeOne(q)
		case <-ctx.Done():
			for {
				select {
				case q := <-l.queue:
					l.writeOne(q)
				default:
					return
				}
			}
		}
	}
}

func (l *Logger) writeOne(q queued) {
	ok := true
	for _, s := range l.cfg.Sinks {
		if err := s.Write(q.account, q.bus, q.data); err != nil {
			ok = false
		}
	}
	if ok {
		l.written.Add(1)
	} else {
		l.dropped.Add(1)
	}
}

// Written and Dropped count the records written to every sink, and those
// dropped (queue full, or a sink failed).
func (l *Logger) Written() int64 { return l.written.Load() }
func (l *Logger) Dropped() int64 { return l.dropped.Load() }

// Close stops watching and writes the records still queued.
func (l *Logger) Close(ctx context.Context) error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		if n := l.Dropped(); n > 0 {
			l.cfg.Log.Warn("buslog: records dropped", "dropped", n)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
