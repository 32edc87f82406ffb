//go:build !unix

package main

import "errors"

var errDataDirBusy = errors.New("data directory in use by another switchyard process")

// lockDataDir does nothing where flock is unavailable: keep one process per
// data directory by hand.
func lockDataDir(string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}
