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

// A Throttle limits PutEvents and PutPartnerEvents requests per account,
// each account with its own token bucket per operation, created on first
// use. Set the fields before the first request; later changes are ignored.
//
// Its memory is bounded: each operation tracks at most MaxAccounts accounts
// (DefaultThrottleAccounts if <= 0). When full, buckets that have refilled
// completely are forgotten (a new bucket would be identical); if every
// tracked account is mid-burst, arbitrary ones are forgotten, which at worst
// grants those accounts a fresh burst. A Throttle must not be copied after
// first use; one Throttle serves one Service. Safe for concurrent use.
type Throttle struct {
	PutEvents        RateLimit
	PutPartnerEvents RateLimit
	MaxAccounts      int

	once    sync.Once
	events  *bucketSet // set by once
	partner *bucketSet // set by once
}

// NewThrottle returns a Throttle with AWS's default quotas.
func NewThrottle() *Throttle {
	return &Throttle{
		PutEvents:        RateLimit{PerSecond: DefaultPutEventsRate, Burst: DefaultPutEventsBurst},
		PutPartnerEvents: RateLimit{PerSecond: DefaultPutPartnerEventsRate, Burst: DefaultPutPartnerEventsBurst},
	}
}

// allowPutEvents takes one PutEvents request of account at now from its
// bucket, reporting false if the bucket is empty. A nil Throttle allows
// everything.
func (t *Throttle) allowPutEvents(account string, now time.Time) bool {
	if t == nil {
		return true
	}
	t.once.Do(t.init)
	return t.events.allow(account, now)
}

// allowPutPartnerEvents is allowPutEvents for PutPartnerEvents.
func (t *Throttle) allowPutPartnerEvents(account string, now time.Time) bool {
	if t == nil {
		return true
	}
	t.once.Do(t.init)
	return t.partner.allow(account, now)
}

func (t *Throttle) init() {
	n := t.MaxAccounts
	if n <= 0 {
		n = DefaultThrottleAccounts
	}
	t.events = newBucketSet(t.PutEvents, n)
	t.partner = newBucketSet(t.PutPartnerEvents, n)
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
