package jetstream

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
			return js.UpdateStream(ctx, want)
		}
	}
	return nil, fmt.Errorf("stream %q: created and gone again while opening", want.Name)
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
