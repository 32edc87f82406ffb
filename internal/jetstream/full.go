package jetstream

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// JetStream error codes that mean a write was refused for want of space.
const (
	errCodeAccountResources  = 10002 // resource limits exceeded for account (the disk guard's limit)
	errCodeInsufficient      = 10023 // insufficient resources (the server's max store)
	errCodeStorageExceeded   = 10047 // insufficient storage resources available
	errCodeStreamStoreFailed = 10077 // storing failed: {err}, here "maximum bytes exceeded" or ENOSPC
)

// storageFull wraps err with eventbus.ErrStorageFull when it says JetStream
// refused a write for want of space: the disk guard's limit, the server's,
// a stream's MaxBytes (discard new), or the disk itself. Other errors are
// returned as they are.
func storageFull(err error) error {
	if err == nil || errors.Is(err, eventbus.ErrStorageFull) {
		return err
	}
	full := strings.Contains(err.Error(), "no space left")
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case errCodeAccountResources, errCodeInsufficient, errCodeStorageExceeded:
			full = true
		case errCodeStreamStoreFailed:
			full = full || strings.Contains(apiErr.Description, "maximum bytes")
		}
	}
	if !full {
		return err
	}
	return fmt.Errorf("%w: %w", eventbus.ErrStorageFull, err)
}
