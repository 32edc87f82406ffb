package main

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// eventLogConfig is the configuration of the durable event log. Whoever
// opens the log (ingest appends, routing consumes) must use this one, since
// opening the stream updates its limits.
func eventLogConfig() jetstream.LogConfig {
	return jetstream.LogConfig{}
}

// startIngest opens the durable event log PutEvents and PutPartnerEvents
// append to, sets m.stores.Events, and registers the log's Close in
// m.closers (which run after the HTTP server has drained, so appends in
// flight finish first).
func (m *Main) startIngest(ctx context.Context) error {
	log, err := m.conn.EventLog(ctx, eventLogConfig())
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m.stores.Events = eventLog{log}
	m.closers = append(m.closers, log.Close)
	return nil
}

// eventLog adapts the JetStream event log to eventbus.EventLog: each event
// becomes a record holding its MarshalBinary encoding.
type eventLog struct{ log *jetstream.EventLog }

var _ eventbus.EventLog = eventLog{}

// Append stores events and returns nil once all of them are durable (see
// jetstream.EventLog.Append); an error means some may have been stored.
func (l eventLog) Append(ctx context.Context, events []eventbus.BusEvent) error {
	records := make([]jetstream.Record, len(events))
	for i, e := range events {
		data, err := e.Event.MarshalBinary()
		if err != nil {
			return fmt.Errorf("encode event %s: %w", e.Event.ID, err)
		}
		records[i] = jetstream.Record{Account: e.Account, Bus: e.Bus, Data: data}
	}
	return l.log.Append(ctx, records)
}
