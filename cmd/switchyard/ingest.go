package main

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/internal/router"
)

// startIngest opens the durable event log PutEvents and PutPartnerEvents
// append to, sets m.stores.Events, and registers the log's Close with
// onClose (Close runs it after the HTTP server has drained, so appends in
// flight finish first).
func (m *Main) startIngest(ctx context.Context) error {
	log, err := m.conn.EventLog(ctx, m.logConfig())
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m.stores.Events = log.Events()
	m.onClose("ingest event log", m.Config.Shutdown.EventLog, log.Close)
	return nil
}

// logConfig is the event log as ingest and the router open it: the
// router's durable consumer is created with the log and the log keeps an
// event only until that consumer has routed it (or the flags' bounds).
func (m *Main) logConfig() jetstream.LogConfig {
	return jetstream.LogConfig{
		Keep:     []string{router.DefaultDurable},
		MaxAge:   m.Config.EventLogMaxAge,
		MaxBytes: m.Config.EventLogMaxBytes,
		AckWait:  m.Config.Routing.RouterAckWait,
	}
}
