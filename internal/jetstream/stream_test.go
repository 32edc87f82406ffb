package jetstream

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestReopenUpdatesOnlyChangedStreams opens each kind of stream twice with
// the same settings, then with one setting changed, and counts the stream
// updates JetStream announces: none for the second open, one for the third.
func TestReopenUpdatesOnlyChangedStreams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		stream string
		open   func(ctx context.Context, c *Conn, changed bool) error
	}{
		{"EventLog", "TEST_LOG", func(ctx context.Context, c *Conn, changed bool) error {
			cfg := LogConfig{Stream: "TEST_LOG", Subject: "test.log"}
			if changed {
				cfg.MaxAge = time.Hour
			}
			l, err := c.EventLog(ctx, cfg)
			if err == nil {
				err = l.Close(ctx)
			}
			return err
		}},
		{"Queue", "TEST_QUEUE", func(ctx context.Context, c *Conn, changed bool) error {
			cfg := QueueConfig{Stream: "TEST_QUEUE", Subject: "test.queue"}
			if changed {
				cfg.MaxBytes = 1 << 20
			}
			_, err := c.Queue(ctx, cfg)
			return err
		}},
		{"DeadLetters", "TEST_DLQ", func(ctx context.Context, c *Conn, changed bool) error {
			cfg := DeadLetterConfig{Stream: "TEST_DLQ", Subject: "test.dlq"}
			if changed {
				cfg.MaxAge = time.Hour
			}
			_, err := c.DeadLetters(ctx, cfg)
			return err
		}},
		{"KV", "KV_test", func(ctx context.Context, c *Conn, changed bool) error {
			if changed { // someone else changed the bucket: the open restores it
				if _, err := c.JetStream().UpdateKeyValue(ctx, jetstream.KeyValueConfig{
					Bucket: "test", History: 5, Storage: jetstream.FileStorage,
				}); err != nil {
					return err
				}
			}
			_, err := c.KV(ctx, "test")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			c := openTest(t, t.TempDir())
			updates := make(chan *nats.Msg, 16)
			sub, err := c.NATS().ChanSubscribe("$JS.EVENT.ADVISORY.STREAM.UPDATED."+tc.stream, updates)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = sub.Unsubscribe() }()
			for i, changed := range []bool{false, false, true} {
				if err := tc.open(ctx, c, changed); err != nil {
					t.Fatalf("open %d: %v", i+1, err)
				}
			}
			want := 1
			if tc.name == "KV" {
				// Creating a bucket then allowing atomic commits; later, the
				// outside update and the open that undoes it.
				want = 3
			}
			// Advisories come in order, so once the last expected one is
			// here, any update by the second open would be here too.
			for got := 0; got < want; got++ {
				select {
				case <-updates:
				case <-time.After(10 * time.Second):
					t.Fatalf("%d stream updates announced, want %d", got, want)
				}
			}
			if err := c.NATS().Flush(); err != nil {
				t.Fatal(err)
			}
			if n := len(updates); n > 0 {
				t.Errorf("%d more stream updates than the %d wanted: reopening unchanged settings updated the stream", n, want)
			}
		})
	}
}
