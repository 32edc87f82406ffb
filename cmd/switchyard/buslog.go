package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/buslog"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// The bus logger is the one implementation of the hooks of ingest, routing
// and delivery.
var (
	_ api.BusLog      = (*buslog.Logger)(nil)
	_ router.BusLog   = (*buslog.Logger)(nil)
	_ delivery.BusLog = (*buslog.Logger)(nil)
	_ buslog.Sink     = (*jetstream.BusLogs)(nil)
)

// startBusLog opens the bus log stream and starts the bus logger, which
// Close stops after routing and delivery (registered before them, it is
// closed after them). With --bus-logs=false it does nothing.
func (m *Main) startBusLog(ctx context.Context) error {
	c := m.Config
	if !c.BusLogs {
		return nil
	}
	stream, err := m.conn.BusLogs(ctx, jetstream.BusLogConfig{MaxAge: c.BusLogMaxAge, MaxBytes: c.BusLogMaxBytes})
	if err != nil {
		return err
	}
	sinks := []buslog.Sink{stream}
	if c.BusLogStdout {
		sinks = append(sinks, &lineSink{w: bufio.NewWriter(m.stdout())})
	}
	l := buslog.New(buslog.Config{Region: c.Region, Sinks: sinks, Log: m.Log.With("component", "buslog")})
	if err := l.Start(ctx, m.stores.Buses); err != nil {
		return err
	}
	m.busLog = l
	m.onClose("bus logs", m.Config.Shutdown.Router, l.Close)
	return nil
}

// lineSink writes records as JSON lines.
type lineSink struct {
	mu sync.Mutex // guards w
	w  *bufio.Writer
}

func (s *lineSink) Write(_, _ string, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(record)
	_ = s.w.WriteByte('\n')
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("bus log to stdout: %w", err)
	}
	return nil
}

// stdout is where --bus-logs-stdout writes: Main.Stdout, or os.Stdout.
func (m *Main) stdout() io.Writer {
	if m.Stdout != nil {
		return m.Stdout
	}
	return os.Stdout
}

// busLogHooks returns the hooks of ingest, routing and delivery: nil
// interfaces when bus logging is off.
func (m *Main) busLogHooks() (api.BusLog, router.BusLog, delivery.BusLog) {
	if m.busLog == nil {
		return nil, nil, nil
	}
	return m.busLog, m.busLog, m.busLog
}
