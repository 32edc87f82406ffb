package jetstream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrStandaloneData is returned by Open for a cluster node whose data
// directory holds the streams of a single, unclustered server: nats-server
// deletes such streams as orphans when the server joins a cluster (its
// cluster metadata does not know them), so Open refuses to start it.
// CopyStreams moves them into a cluster instead.
var ErrStandaloneData = errors.New("jetstream: the data directory holds a single server's streams")

// metaDir is where the embedded server whose data lives in dataDir keeps
// its cluster's metadata (the meta group's Raft log): there only if it has
// been a cluster node.
func metaDir(dataDir string) string {
	return filepath.Join(dataDir, DefaultStoreSubdir, "jetstream", "$SYS", "_js_", "_meta_")
}

// standaloneData reports whether the JetStream store under dataDir holds
// streams but no cluster metadata: it was written by a server that was not
// a cluster node.
func standaloneData(dataDir string) (bool, error) {
	store := filepath.Join(dataDir, DefaultStoreSubdir, "jetstream")
	if _, err := os.Stat(metaDir(dataDir)); err == nil {
		return false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	accounts, err := os.ReadDir(store)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, a := range accounts {
		streams, err := os.ReadDir(filepath.Join(store, a.Name(), "streams"))
		if err == nil && len(streams) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// A CopiedStream is what CopyStreams did with one stream.
type CopiedStream struct {
	Name string
	// Msgs is how many messages were copied.
	Msgs uint64
	// Created is true when the stream did not exist in the target and was
	// created there with the source's configuration.
	Created bool
}

// migrateIDPrefix starts the de-duplication id of every copied message, so
// that a copy run again within the target stream's de-duplication window
// does not store a message twice.
const migrateIDPrefix = "switchyard-migrate:"

// CopyStreams copies the messages of every stream of from (normally a
// single server's data directory opened alone) into to (normally a
// cluster), in order, each to its own subject with its headers, as new
// messages: they get new sequence numbers and times. A stream the target
// lacks is created with the source's configuration and the replica count
// of the target's event log (or replicas, if the target has none). Streams
// whose messages leave them once consumed (interest and work-queue
// retention: the event log, the delivery queue) must already exist in the
// target with their consumers, as the switchyard nodes on it create them,
// or the copies would be dropped at once; CopyStreams returns an error
// naming them before it copies anything.
//
// Run it once, before the target takes writes of its own: copied key-value
// entries replace the target's, and a second run more than the target's
// de-duplication window later copies everything again. The source is only
// read.
func CopyStreams(ctx context.Context, from, to *Conn, replicas int, progress func(CopiedStream)) ([]CopiedStream, error) {
	names, err := streamNames(ctx, from.js)
	if err != nil {
		return nil, err
	}
	if ev, err := to.js.Stream(ctx, DefaultLogStream); err == nil {
		replicas = max(ev.CachedInfo().Config.Replicas, 1)
	}
	type plan struct {
		src    jetstream.Stream
		create *jetstream.StreamConfig // nil: the target has the stream
	}
	var plans []plan
	var missing []string
	for _, name := range names {
		if name == replicasCheckStream {
			continue
		}
		src, err := from.js.Stream(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("jetstream: source stream %s: %w", name, err)
		}
		p := plan{src: src}
		switch _, err := to.js.Stream(ctx, name); {
		case errors.Is(err, jetstream.ErrStreamNotFound):
			cfg := src.CachedInfo().Config
			if cfg.Retention != jetstream.LimitsPolicy {
				missing = append(missing, name)
				continue
			}
			cfg.Replicas, cfg.Placement = replicas, nil
			p.create = &cfg
		case err != nil:
			return nil, fmt.Errorf("jetstream: target stream %s: %w", name, err)
		}
		plans = append(plans, p)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("jetstream: the target has no %s: start switchyard on it first (its nodes create them with their consumers)", strings.Join(missing, ", "))
	}
	var done []CopiedStream
	for _, p := range plans {
		c := CopiedStream{Name: p.src.CachedInfo().Config.Name}
		if p.create != nil {
			if _, err := to.js.CreateStream(ctx, *p.create); err != nil {
				return done, fmt.Errorf("jetstream: create %s in the target: %w", c.Name, err)
			}
			c.Created = true
		}
		var err error
		if c.Msgs, err = copyMessages(ctx, p.src, to.js); err != nil {
			return done, fmt.Errorf("jetstream: copy %s: %w", c.Name, err)
		}
		done = append(done, c)
		if progress != nil {
			progress(c)
		}
	}
	return done, nil
}

func streamNames(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var names []string
	l := js.StreamNames(ctx)
	for n := range l.Name() {
		names = append(names, n)
	}
	if err := l.Err(); err != nil {
		return nil, fmt.Errorf("jetstream: list streams: %w", err)
	}
	return names, nil
}

// copyWindow is how many copies are published before their
// acknowledgements are awaited.
const copyWindow = 256

// copyMessages publishes every message src holds now to dst's subjects
// and waits until the target acknowledged them all.
func copyMessages(ctx context.Context, src jetstream.Stream, dst jetstream.JetStream) (uint64, error) {
	info, err := src.Info(ctx)
	if err != nil {
		return 0, err
	}
	name := info.Config.Name
	var (
		n       uint64
		pending []jetstream.PubAckFuture
	)
	if info.State.Msgs == 0 {
		return 0, nil
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := src.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // deleted or acknowledged
		}
		if err != nil {
			return n, fmt.Errorf("read %d: %w", seq, err)
		}
		msg := nats.NewMsg(m.Subject)
		msg.Data = m.Data
		for k, vs := range m.Header {
			if publishControl(k) {
				continue
			}
			msg.Header[k] = vs
		}
		msg.Header.Set(jetstream.MsgIDHeader, migrateIDPrefix+name+":"+strconv.FormatUint(seq, 10))
		f, err := dst.PublishMsgAsync(msg)
		if err != nil {
			return n, fmt.Errorf("publish %d: %w", seq, err)
		}
		pending = append(pending, f)
		n++
		if len(pending) == copyWindow {
			if err := waitAcks(ctx, pending); err != nil {
				return n, err
			}
			pending = pending[:0]
		}
	}
	return n, waitAcks(ctx, pending)
}

// waitAcks waits for the target's answer to each of pending.
func waitAcks(ctx context.Context, pending []jetstream.PubAckFuture) error {
	timeout := time.After(time.Minute)
	for _, f := range pending {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("copy of %s: %w", f.Msg().Header.Get(jetstream.MsgIDHeader), err)
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return errors.New("the target did not acknowledge the copies within a minute")
		}
	}
	return nil
}

// publishControl reports whether header k asks the target for something at
// publish time (a condition, a de-duplication id, a place in an atomic
// batch: a key-value commit stores its messages with those) rather than
// being part of what the message says.
func publishControl(k string) bool {
	return strings.HasPrefix(k, "Nats-Expected-") || strings.HasPrefix(k, "Nats-Batch-") ||
		k == jetstream.MsgIDHeader || k == "Nats-Required-Api-Level"
}
