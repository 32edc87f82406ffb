package main

import "context"

// startRouting starts the router (event log → rules → delivery queue) and
// the delivery workers, registering their shutdown in m.closers.
func (m *Main) startRouting(ctx context.Context) error {
	return nil
}
