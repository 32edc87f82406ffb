package wait

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on an ended context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("Sleep = %v, want nil", err)
	}
}

// TestHeartbeatBeatsUntilStopped waits for beats, not for time: it fails by
// timing out if beat is never called.
func TestHeartbeatBeatsUntilStopped(t *testing.T) {
	var n atomic.Int32
	beats := make(chan struct{}, 1)
	stop := Heartbeat(time.Millisecond, func() {
		n.Add(1)
		select {
		case beats <- struct{}{}:
		default:
		}
	})
	<-beats
	<-beats
	stop()
	after := n.Load()
	if after < 2 {
		t.Fatalf("%d beats before stop, want at least 2", after)
	}
}
