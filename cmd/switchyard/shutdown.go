package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/shutdown"
)

// ShutdownBudgets are the time each phase of Close may take. Each phase's
// budget counts from when that phase starts, so one that overruns does not
// shorten the next (see shutdown.Run).
type ShutdownBudgets struct {
	// HTTP: requests in flight finish; then the connections left are closed.
	HTTP time.Duration
	// Router: a batch being routed finishes.
	Router time.Duration
	// Delivery: sends in flight finish (then they are cancelled and
	// redelivered later).
	Delivery time.Duration
	// EventLog: queued appends are written; applies to each of the two
	// event logs (ingest's and the router's).
	EventLog time.Duration
	// JetStream: the connection drains and the embedded server shuts down.
	JetStream time.Duration
}

// DefaultShutdownTimeout is the default --shutdown-timeout.
const DefaultShutdownTimeout = 30 * time.Second

// SplitShutdown divides a total shutdown time between the phases: a third
// for HTTP, 8/30 each for delivery and JetStream, 2/30 for the router and
// 1/30 for each event log. With the default 30 s: 10 s, 8 s, 8 s, 2 s, 1 s.
func SplitShutdown(total time.Duration) ShutdownBudgets {
	part := total / 30
	return ShutdownBudgets{HTTP: 10 * part, Router: 2 * part, Delivery: 8 * part, EventLog: part, JetStream: 8 * part}
}

// Total is the longest Close takes with these budgets.
func (b ShutdownBudgets) Total() time.Duration {
	return b.HTTP + b.Router + b.Delivery + 2*b.EventLog + b.JetStream
}

// shutdownFlag is --shutdown-timeout: a total, split by SplitShutdown.
type shutdownFlag struct{ b *ShutdownBudgets }

func (f shutdownFlag) String() string {
	if f.b == nil {
		return ""
	}
	return f.b.Total().String()
}

func (f shutdownFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*f.b = SplitShutdown(d)
	return nil
}

// onClose registers a phase of Close; phases registered later stop first.
func (m *Main) onClose(name string, budget time.Duration, stop func(context.Context) error) {
	m.closers = append(m.closers, shutdown.Step{Name: name, Budget: budget, Stop: stop})
}

// closeSteps lists Close's phases in order: stop serving HTTP, then what Run
// registered with onClose (newest first), then the JetStream connection and
// the embedded server, and last the data directory's lock, never released
// before that server is down.
func (m *Main) closeSteps() []shutdown.Step {
	b := m.Config.Shutdown
	var steps []shutdown.Step
	if srv := m.server; srv != nil {
		steps = append(steps, shutdown.Step{Name: "http", Budget: b.HTTP, Stop: func(ctx context.Context) error {
			return stopHTTP(ctx, srv)
		}})
	} else if ln := m.listener; ln != nil {
		steps = append(steps, shutdown.Step{Name: "listener", Stop: func(context.Context) error { return ln.Close() }})
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		steps = append(steps, m.closers[i])
	}
	conn, unlock := m.conn, m.unlock
	if conn != nil {
		steps = append(steps, shutdown.Step{Name: "jetstream", Budget: b.JetStream, Stop: conn.Close})
	}
	if unlock != nil {
		steps = append(steps, shutdown.Step{Name: "data directory lock", Stop: func(context.Context) error {
			return m.releaseLock(conn, unlock)
		}})
	}
	return steps
}

// stopHTTP stops accepting requests and waits for those in flight; at the
// end of its budget it closes the connections still open.
func stopHTTP(ctx context.Context, srv *http.Server) error {
	if err := srv.Shutdown(ctx); err != nil {
		return errors.Join(err, srv.Close())
	}
	return nil
}

// releaseLock releases the data directory's lock once the embedded server
// has shut down. If the JetStream phase ran out of budget with the server
// still stopping, the lock is released in the background when it has
// stopped (or by the process's exit), never before: another process must not
// open files this one's server still writes.
func (m *Main) releaseLock(conn *jetstream.Conn, unlock func() error) error {
	if conn == nil { // JetStream never opened, or Open cleaned up after itself
		return unlock()
	}
	select {
	case <-conn.Stopped():
		return unlock()
	default:
	}
	log := m.Log
	go func() {
		<-conn.Stopped()
		if err := unlock(); err != nil {
			log.Error("release data directory lock", "err", err)
		}
	}()
	return errors.New("kept until the embedded server has stopped")
}
