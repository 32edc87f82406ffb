package api

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC)

func TestThrottleBurstAndRefill(t *testing.T) {
	t.Parallel()
	th := newThrottle(Throttle{PutEvents: RateLimit{PerSecond: 2, Burst: 3}, PutPartnerEvents: RateLimit{PerSecond: 1, Burst: 1}})
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {0, true}, {0, true}, // the burst
		{0, false},                      // empty
		{400 * time.Millisecond, false}, // 0.8 token
		{500 * time.Millisecond, true},  // 1.0 token
		{500 * time.Millisecond, false},
		{10 * time.Second, true}, {10 * time.Second, true}, {10 * time.Second, true}, // refilled to the burst, no more
		{10 * time.Second, false},
		{9 * time.Second, false}, // the clock went back: nothing earned
	}
	for i, s := range steps {
		if got := th.allowPutEvents("111111111111", t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d at +%v: allowed %v, want %v", i, s.at, got, s.want)
		}
	}
	if !th.allowPutEvents("222222222222", t0) {
		t.Error("another account shares the first one's bucket")
	}
	if !th.allowPutPartnerEvents("111111111111", t0) || th.allowPutPartnerEvents("111111111111", t0) {
		t.Error("PutPartnerEvents: want its own bucket of burst 1")
	}
}

func TestThrottleUnlimitedAndZero(t *testing.T) {
	t.Parallel()
	th := newThrottle(Throttle{PutEvents: RateLimit{PerSecond: 0, Burst: 1}})
	zero := newThrottle(Throttle{})
	for i := 0; i < 1000; i++ {
		if !th.allowPutEvents("111111111111", t0) || !zero.allowPutEvents("1", t0) || !zero.allowPutPartnerEvents("1", t0) {
			t.Fatal("unlimited throttle refused a request")
		}
	}
}

func TestThrottleDefaults(t *testing.T) {
	t.Parallel()
	th := newThrottle(DefaultThrottle())
	n := 0
	for th.allowPutPartnerEvents("111111111111", t0) {
		n++
	}
	if n != DefaultPutPartnerEventsBurst {
		t.Errorf("PutPartnerEvents burst %d, want %d", n, DefaultPutPartnerEventsBurst)
	}
	n = 0
	for th.allowPutEvents("111111111111", t0) {
		n++
	}
	if n != DefaultPutEventsBurst {
		t.Errorf("PutEvents burst %d, want %d", n, DefaultPutEventsBurst)
	}
	// after a second, 1,400 more partner requests pass
	n = 0
	for th.allowPutPartnerEvents("111111111111", t0.Add(time.Second)) {
		n++
	}
	if n != DefaultPutPartnerEventsRate {
		t.Errorf("PutPartnerEvents after 1s: %d, want %d", n, DefaultPutPartnerEventsRate)
	}
}

// TestThrottleBounded: garbage account ids cannot grow the state past
// MaxAccounts, and an account mid-burst keeps its bucket while idle ones are
// forgotten first.
func TestThrottleBounded(t *testing.T) {
	t.Parallel()
	th := newThrottle(Throttle{PutEvents: RateLimit{PerSecond: 1, Burst: 2}, MaxAccounts: 64})
	const busy = "999999999999"
	th.allowPutEvents(busy, t0)
	th.allowPutEvents(busy, t0) // empty now
	for i := 0; i < 100000; i++ {
		// the others are all idle long enough to be full again
		th.allowPutEvents(strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))
	}
	if n := tracked(th.events); n > 64 {
		t.Fatalf("%d accounts tracked, bound is 64", n)
	}
	// busy shares a shard (2 buckets) with an idle account; a newcomer to
	// that shard must evict the idle bucket (full again), not busy's
	// half-empty one, which would grant busy a fresh burst.
	th2 := newThrottle(Throttle{PutEvents: RateLimit{PerSecond: 1, Burst: 2}, MaxAccounts: 2 * throttleShards})
	idle, newcomer := sameShard(busy, 0), sameShard(busy, 1)
	th2.allowPutEvents(idle, t0.Add(-10*time.Second))
	th2.allowPutEvents(busy, t0)
	th2.allowPutEvents(busy, t0)
	th2.allowPutEvents(newcomer, t0.Add(100*time.Millisecond))
	if th2.allowPutEvents(busy, t0.Add(500*time.Millisecond)) {
		t.Error("busy account got a fresh bucket")
	}
	if n := tracked(th2.events); n != 2 {
		t.Errorf("%d accounts tracked, want 2", n)
	}
}

// sameShard returns the nth account name other than account in its shard.
func sameShard(account string, nth int) string {
	for i := 0; ; i++ {
		a := "acct-" + strconv.Itoa(i)
		if shardOf(a) == shardOf(account) {
			if nth == 0 {
				return a
			}
			nth--
		}
	}
}

func tracked(s *bucketSet) int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += len(s.shards[i].buckets)
		s.shards[i].mu.Unlock()
	}
	return n
}

func TestThrottleConcurrent(t *testing.T) {
	t.Parallel()
	th := newThrottle(Throttle{PutEvents: RateLimit{PerSecond: 1, Burst: 100}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if th.allowPutEvents("111111111111", t0) {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 100 {
		t.Errorf("%d of 400 concurrent requests allowed, want the burst of 100", allowed)
	}
}
