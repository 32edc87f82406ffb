package jetstream

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// Events is an EventLog seen as events of buses: each event is one record
// holding its eventbus.Event binary encoding under its account and bus.
// It is the one place that encoding is written and read.
type Events struct{ l *EventLog }

var (
	_ eventbus.EventLog    = Events{}
	_ eventbus.EventStream = Events{}
)

// Events returns the events view of l.
func (l *EventLog) Events() Events { return Events{l} }

// Append stores events and returns nil once all of them are durable (see
// EventLog.Append); an error means some may have been stored.
func (e Events) Append(ctx context.Context, events []eventbus.BusEvent) error {
	records := make([]Record, len(events))
	for i, ev := range events {
		data, err := ev.Event.MarshalBinary()
		if err != nil {
			return fmt.Errorf("encode event %s: %w", ev.Event.ID, err)
		}
		records[i] = Record{Account: ev.Account, Bus: ev.Bus, Data: data}
	}
	return e.l.Append(ctx, records)
}

// Consume is EventLog.Consume with each record decoded; a record that does
// not decode is logged and skipped (nothing could route it, and handing it
// back forever would stall the log).
func (e Events) Consume(ctx context.Context, durable string, handle func(context.Context, []eventbus.BusEvent) error) error {
	var events []eventbus.BusEvent // reused: Consume calls handle from one goroutine
	return e.l.Consume(ctx, durable, func(ctx context.Context, records []Record) error {
		events = events[:0]
		for _, r := range records {
			var ev eventbus.Event
			if err := ev.UnmarshalBinary(r.Data); err != nil {
				e.l.log.Error("event log: dropping undecodable record", "account", r.Account, "bus", r.Bus, "err", err)
				continue
			}
			events = append(events, eventbus.BusEvent{Account: r.Account, Bus: r.Bus, Event: ev})
		}
		err := handle(ctx, events)
		clear(events)
		return err
	})
}

// Close closes the underlying EventLog (see EventLog.Close).
func (e Events) Close(ctx context.Context) error { return e.l.Close(ctx) }
