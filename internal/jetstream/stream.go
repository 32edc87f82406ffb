package jetstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ensureStream binds to the stream want names, creating it if it does not
// exist and updating it only if a setting switchyard chooses differs from
// want. Opening a stream whose settings already match leaves it untouched:
// every process start, and every second opener of one stream in a process,
// would otherwise rewrite its configuration, and nats-server v2.15.2 reads
// a stream's configuration without its lock while creating a consumer, so
// an update concurrent with a consumer create is a data race in the server.
// ensure is ensureStream, retried while a cluster node settles (see
// settling).
func (c *Conn) ensure(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	var s jetstream.Stream
	err := c.settling(ctx, func(ctx context.Context) (err error) {
		s, err = ensureStream(ctx, js, want)
		return err
	})
	return s, err
}

func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	for range 2 { // a second round when another opener created it first
		s, err := js.Stream(ctx, want.Name)
		switch {
		case errors.Is(err, jetstream.ErrStreamNotFound):
			s, err = js.CreateStream(ctx, want)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				continue
			}
			return s, err
		case err != nil:
			return nil, err
		case streamSettingsMatch(s.CachedInfo().Config, want):
			return s, nil
		default:
			return updateStream(ctx, js, s.CachedInfo().Config, want)
		}
	}
	return nil, fmt.Errorf("stream %q: created and gone again while opening", want.Name)
}

// updateStream updates a stream from have to want. When that adds
// replicas, it waits (see waitReplicated) until a leader and a majority of
// them are current: until then the stream may not take writes, and the
// switchyard opening it would answer its first requests with errors.
func updateStream(ctx context.Context, js jetstream.JetStream, have, want jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.UpdateStream(ctx, want)
	if err != nil || max(want.Replicas, 1) <= max(have.Replicas, 1) {
		return s, err
	}
	return waitReplicated(ctx, s, want)
}

// waitReplicated waits until s, which wants want.Replicas, is replicated,
// for at most replicationWait: past it, the stream is returned as it is
// (its writes wait for the replicas, or fail and are retried).
func waitReplicated(ctx context.Context, s jetstream.Stream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	give := time.After(replicationWait)
	for {
		info, err := s.Info(ctx)
		if err == nil && replicated(info, want.Replicas) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stream %q: waiting for its %d replicas: %w", want.Name, want.Replicas, ctx.Err())
		case <-give:
			return s, nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// replicationWait bounds waitReplicated.
const replicationWait = 30 * time.Second

// replicated reports whether the stream info shows n replicas of which a
// leader and a majority are current: enough to take writes, and to lose
// one more (with n = 3).
func replicated(info *jetstream.StreamInfo, n int) bool {
	c := info.Cluster
	if c == nil || c.Leader == "" || len(c.Replicas) != n-1 {
		return false
	}
	current := 1 // the leader
	for _, r := range c.Replicas {
		if r.Current && !r.Offline {
			current++
		}
	}
	return current > n/2
}

// scaleUp gives every stream whose name starts with prefix and that has
// fewer than n replicas n of them, all at once, waiting for each to be
// replicated as updateStream does.
func scaleUp(ctx context.Context, js jetstream.JetStream, prefix string, n int) error {
	l := js.ListStreams(ctx)
	var todo []jetstream.StreamConfig
	for info := range l.Info() {
		if strings.HasPrefix(info.Config.Name, prefix) && max(info.Config.Replicas, 1) < n {
			todo = append(todo, info.Config)
		}
	}
	if err := l.Err(); err != nil {
		return fmt.Errorf("jetstream: list streams: %w", err)
	}
	// All at once: a stream with consumers has taken about 10 s to report
	// its new replicas current (nats-server 2.15), and one at a time the
	// waits add up.
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, have := range todo {
		wg.Go(func() {
			want := have
			want.Replicas = n
			if _, err := updateStream(ctx, js, have, want); err != nil {
				errs[i] = fmt.Errorf("jetstream: %s to %d replicas: %w", have.Name, n, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// streamSettingsMatch reports whether have already holds every setting the
// openers of this package choose in want. Settings they leave zero are the
// server's to default (Replicas 0 means one; Duplicates 0 means the
// server's window).
func streamSettingsMatch(have, want jetstream.StreamConfig) bool {
	replicas := func(n int) int { return max(n, 1) }
	return slices.Equal(have.Subjects, want.Subjects) &&
		have.Storage == want.Storage &&
		replicas(have.Replicas) == replicas(want.Replicas) &&
		have.Retention == want.Retention &&
		have.MaxAge == want.MaxAge &&
		have.MaxBytes == want.MaxBytes &&
		have.Discard == want.Discard &&
		(want.Duplicates == 0 || have.Duplicates == want.Duplicates)
}
