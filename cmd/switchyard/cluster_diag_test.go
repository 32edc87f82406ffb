package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// logClusterState logs, for a test that found acknowledged events missing,
// what JetStream holds: each switchyard stream's state, replicas and
// consumers, and where each missing event id still is (the event log, the
// delivery queue, the dead letters). It reaches the cluster through the
// loopback client URL the node serving dataDir wrote (--nats-listen).
func logClusterState(t *testing.T, dataDir string, missing []string) {
	t.Helper()
	url, err := os.ReadFile(filepath.Join(dataDir, clientURLFile))
	if err != nil {
		t.Logf("cluster state: %v", err)
		return
	}
	nc, err := nats.Connect(strings.TrimSpace(string(url)), nats.Timeout(5*time.Second))
	if err != nil {
		t.Logf("cluster state: %v", err)
		return
	}
	defer nc.Close()
	logStreams(t, nc, missing)
}

// logStreams is logClusterState on a connection of the test's own.
func logStreams(t *testing.T, nc *nats.Conn, missing []string) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Logf("cluster state: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range []string{"SWITCHYARD_EVENTS", "SWITCHYARD_DELIVERIES", "SWITCHYARD_DEADLETTERS"} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Logf("stream %s: %v", name, err)
			continue
		}
		info := s.CachedInfo()
		t.Logf("stream %s: msgs %d seq %d-%d deleted %d", name, info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, info.State.NumDeleted)
		if c := info.Cluster; c != nil {
			line := "  leader " + c.Leader
			for _, r := range c.Replicas {
				line += " | " + r.Name + fmt.Sprintf(" current=%t offline=%t lag=%d", r.Current, r.Offline, r.Lag)
			}
			t.Log(line)
		}
		for ci := range s.ListConsumers(ctx).Info() {
			t.Logf("  consumer %s: delivered %d ack floor %d pending %d ack pending %d redelivered %d waiting %d",
				ci.Name, ci.Delivered.Stream, ci.AckFloor.Stream, ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.NumWaiting)
			if c := ci.Cluster; c != nil {
				line := "    leader " + c.Leader
				for _, r := range c.Replicas {
					line += " | " + r.Name + fmt.Sprintf(" current=%t offline=%t", r.Current, r.Offline)
				}
				t.Log(line)
			}
		}
		if len(missing) > 0 && info.State.Msgs > 0 {
			found := findIDs(ctx, s, info.State.FirstSeq, info.State.LastSeq, missing)
			t.Logf("  %d of %d missing ids found in %s: %v", len(found), len(missing), name, first(found, 5))
		}
	}
}

// findIDs returns the sequence and id of the messages of s that mention one
// of ids, reading the stream directly.
func findIDs(ctx context.Context, s jetstream.Stream, from, to uint64, ids []string) []string {
	var found []string
	for seq := from; seq <= to; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			found = append(found, fmt.Sprintf("error at %d: %v", seq, err))
			return found
		}
		for _, id := range ids {
			if bytes.Contains(m.Data, []byte(id)) {
				found = append(found, fmt.Sprintf("%d:%s", seq, id))
			}
		}
	}
	return found
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
