package api

import (
	"context"
	"sync"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/secrets"
)

// memLog is an eventbus.EventLog in memory that keeps what was appended.
type memLog struct {
	mu     sync.Mutex
	events []eventbus.BusEvent // guarded by mu
}

func (l *memLog) Append(_ context.Context, events []eventbus.BusEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, events...)
	return nil
}

// testSealer seals with a fixed test key.
func testSealer() eventbus.Sealer {
	s, err := secrets.New(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	return s
}
