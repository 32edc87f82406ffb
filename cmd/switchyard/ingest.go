package main

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/internal/jetstream"
)

// startIngest opens the durable event log PutEvents and PutPartnerEvents
// append to, sets m.stores.Events, and registers the log's Close with
// onClose (Close runs it after the HTTP server has drained, so appends in
// flight finish first).
func (m *Main) startIngest(ctx context.Context) error {
	log, err := m.conn.EventLog(ctx, jetstream.LogConfig{})
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m.stores.Events = log.Events()
	m.onClose("ingest event log", m.Config.Shutdown.EventLog, log.Close)
	return nil
}
