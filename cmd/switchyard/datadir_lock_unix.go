//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dataDirLockFile is the file a process holds an exclusive lock on while it
// runs an embedded JetStream over a data directory: two embedded servers
// over the same files would corrupt them.
const dataDirLockFile = "switchyard.lock"

// errDataDirBusy says another process holds the data directory.
var errDataDirBusy = errors.New("data directory in use by another switchyard process")

// lockDataDir takes the data directory's lock without waiting, creating the
// directory if needed; unlock releases it. errDataDirBusy (wrapped) if
// another process holds it.
func lockDataDir(dir string) (unlock func() error, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, dataDirLockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", errDataDirBusy, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f.Close, nil // closing the file releases the lock
}
