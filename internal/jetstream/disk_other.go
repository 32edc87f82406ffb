//go:build !linux

package jetstream

// defaultDiskSpace is nil where free space is not measured: the embedded
// server keeps nats-server's own store limit.
var defaultDiskSpace DiskSpace
