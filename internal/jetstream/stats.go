package jetstream

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// A StreamState is what a stream holds now: its messages and when the
// oldest of them was stored (zero when it holds none).
type StreamState struct {
	Msgs   uint64
	Oldest time.Time
}

func streamState(ctx context.Context, s jetstream.Stream) (StreamState, error) {
	info, err := s.Info(ctx)
	if err != nil {
		return StreamState{}, fmt.Errorf("jetstream: stream info: %w", err)
	}
	st := StreamState{Msgs: info.State.Msgs}
	if st.Msgs > 0 {
		st.Oldest = info.State.FirstTime
	}
	return st, nil
}

// State returns the queue's jobs, waiting or in flight (each message is a
// batch of jobs), and when the oldest was queued: one JetStream request.
func (q *Queue) State(ctx context.Context) (StreamState, error) { return streamState(ctx, q.stream) }

// State returns the log's messages not yet routed (each holds the records
// of one group commit) and when the oldest was appended: one JetStream
// request.
func (l *EventLog) State(ctx context.Context) (StreamState, error) {
	return streamState(ctx, l.stream)
}

// Storage is JetStream's disk as this connection's account sees it.
type Storage struct {
	// Used is the bytes the account's file streams take.
	Used uint64
	// Limit is the account's storage limit (the disk guard's, with the
	// embedded server); -1 when there is none.
	Limit int64
	// Free is the bytes free on the filesystem of the embedded server's
	// files; -1 with an external server or where it is not measured.
	Free int64
}

// Storage asks JetStream for its account's usage (one request) and, with
// the embedded server, measures the free space of its filesystem.
func (c *Conn) Storage(ctx context.Context) (Storage, error) {
	info, err := c.js.AccountInfo(ctx)
	if err != nil {
		return Storage{}, fmt.Errorf("jetstream: account info: %w", err)
	}
	st := Storage{Used: info.Store, Limit: info.Limits.MaxStore, Free: -1}
	if st.Limit <= 0 {
		st.Limit = -1
	}
	if c.srv != nil && c.cfg.DiskSpace != nil {
		if free, _, err := c.cfg.DiskSpace(filepath.Join(c.cfg.DataDir, DefaultStoreSubdir)); err == nil {
			st.Free = free
		}
	}
	return st, nil
}

// Ping returns nil when JetStream answers a request now: the connection is
// up and JetStream is enabled for its account.
func (c *Conn) Ping(ctx context.Context) error {
	if _, err := c.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	return nil
}

// Current returns nil when the embedded nats-server holds a current copy of
// every stream and consumer the cluster placed on it, as nats-server's own
// /healthz judges it; a node that rejoined (perhaps with an empty disk) is
// not current until it has caught up, and losing another node before then
// may lose the cluster its quorum. A cluster node that started with no
// cluster state (a new machine, or one whose disk was lost) is not current
// either until the cluster has removed the peers its address had before
// and every stream has its full set of current replicas again (see
// identity.go). With an external NATS server it returns nil: that server's
// own /healthz answers for it.
func (c *Conn) Current() error {
	if c.srv == nil {
		return nil
	}
	if c.takeover != nil {
		if err := c.takeover.pending(c.streamMembers); err != nil {
			return err
		}
	}
	h := c.srv.Healthz(&server.HealthzOptions{})
	if h == nil || h.Status == "ok" {
		return nil
	}
	return fmt.Errorf("jetstream: this node is not current yet: %s", h.Error)
}
