package api

import (
	"sync"
	"time"
)

// AWS's default quotas for the ingest operations, per account (us-east-1).
const (
	DefaultPutEventsRate         = 10000
	DefaultPutEventsBurst        = 10000
	DefaultPutPartnerEventsRate  = 1400
	DefaultPutPartnerEventsBurst = 3600
	// DefaultThrottleAccounts bounds how many accounts a Throttle tracks per
	// operation (see Throttle).
	DefaultThrottleAccounts = 1 << 16
)

// throttleShards spreads accounts over independently locked shards.
const throttleShards = 32

// A RateLimit is a token bucket: PerSecond requests per second on average,
// with bursts of up to Burst. PerSecond <= 0 means unlimited; Burst < 1 is
// taken as 1.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// A Throttle is the per-account limit of PutEvents and PutPartnerEvents
// requests: plain numbers, turned into state by New. The zero Throttle
// limits nothing.
//
// Each account gets its own token bucket per operation, created on first
// use. Memory is bounded: each operation tracks at most MaxAccounts accounts
// (DefaultThrottleAccounts if <= 0). When full, buckets that have refilled
// completely are forgotten (a new bucket would be identical); if every
// tracked account is mid-burst, arbitrary ones are forgotten, which at worst
// grants those accounts a fresh burst.
type Throttle struct {
	PutEvents        RateLimit
	PutPartnerEvents RateLimit
	MaxAccounts      int
}

// DefaultThrottle returns AWS's default quotas.
func DefaultThrottle() Throttle {
	return Throttle{
		PutEvents:        RateLimit{PerSecond: DefaultPutEventsRate, Burst: DefaultPutEventsBurst},
		PutPartnerEvents: RateLimit{PerSecond: DefaultPutPartnerEventsRate, Burst: DefaultPutPartnerEventsBurst},
	}
}

// A throttle is a Throttle's state: the buckets of one Service. Safe for
// concurrent use.
type throttle struct {
	events, partner *bucketSet
}

func newThrottle(c Throttle) *throttle {
	n := c.MaxAccounts
	if n <= 0 {
		n = DefaultThrottleAccounts
	}
	return &throttle{events: newBucketSet(c.PutEvents, n), partner: newBucketSet(c.PutPartnerEvents, n)}
}

// allowPutEvents takes one PutEvents request of account at now from its
// bucket, reporting false if the bucket is empty.
func (t *throttle) allowPutEvents(account string, now time.Time) bool {
	return t.events.allow(account, now)
}

// allowPutPartnerEvents is allowPutEvents for PutPartnerEvents.
func (t *throttle) allowPutPartnerEvents(account string, now time.Time) bool {
	return t.partner.allow(account, now)
}

// A bucketSet holds one token bucket per account for one operation.
type bucketSet struct {
	rate     float64 // tokens per second; <= 0: unlimited
	burst    float64
	perShard int
	shards   [throttleShards]bucketShard
}

type bucketShard struct {
	mu      sync.Mutex
	buckets map[string]bucket // guarded by mu
}

// A bucket is a token bucket as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

func newBucketSet(l RateLimit, maxAccounts int) *bucketSet {
	s := &bucketSet{rate: l.PerSecond, burst: float64(max(l.Burst, 1)), perShard: max(maxAccounts/throttleShards, 1)}
	for i := range s.shards {
		s.shards[i].buckets = make(map[string]bucket)
	}
	return s
}

func (s *bucketSet) allow(account string, now time.Time) bool {
	if s.rate <= 0 {
		return true
	}
	sh := &s.shards[shardOf(account)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.buckets[account]
	if ok {
		b = s.refill(b, now)
	} else {
		if len(sh.buckets) >= s.perShard {
			s.evict(sh, now)
		}
		b = bucket{tokens: s.burst, last: now}
	}
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	sh.buckets[account] = b
	return allowed
}

// refill adds the tokens earned since b.last, up to the burst. A clock that
// went backwards earns nothing.
func (s *bucketSet) refill(b bucket, now time.Time) bucket {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(s.burst, b.tokens+elapsed.Seconds()*s.rate)
		b.last = now
	}
	return b
}

// evict makes room in a full shard: it forgets every bucket that is full
// again by now, or, if none is, one arbitrary bucket. Called with sh.mu held.
func (s *bucketSet) evict(sh *bucketShard, now time.Time) {
	freed := false
	for account, b := range sh.buckets {
		if s.refill(b, now).tokens >= s.burst {
			delete(sh.buckets, account)
			freed = true
		}
	}
	if freed {
		return
	}
	for account := range sh.buckets {
		delete(sh.buckets, account)
		return
	}
}

// shardOf hashes account (FNV-1a) to a shard index without allocating.
func shardOf(account string) int {
	h := uint32(2166136261)
	for i := 0; i < len(account); i++ {
		h ^= uint32(account[i])
		h *= 16777619
	}
	return int(h % throttleShards)
}
