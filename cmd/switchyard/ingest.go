package main

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/internal/jetstream"
)

// startIngest opens the durable event log PutEvents and PutPartnerEvents
// append to, sets m.stores.Events, and registers the log's Close in
// m.closers (which run after the HTTP server has drained, so appends in
// flight finish first).
func (m *Main) startIngest(ctx context.Context) error {
	log, err := m.conn.EventLog(ctx, jetstream.LogConfig{})
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m.stores.Events = log.Events()
	m.closers = append(m.closers, log.Close)
	return nil
}
