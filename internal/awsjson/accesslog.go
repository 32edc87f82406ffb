package awsjson

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxAccessOps bounds the operations an AccessLog tells apart in one
// interval; past it, requests count under "other" (operation names come
// from the X-Amz-Target header, which anyone can set).
const maxAccessOps = 64

// An AccessLog summarises the requests a Handler answers: Flush writes one
// info line with the interval's totals and a count per operation and
// outcome, instead of a line per request, which at tens of thousands of
// requests a second would cost more than the requests. It is a
// RequestObserver; safe for concurrent use.
type AccessLog struct {
	log *slog.Logger

	mu     sync.Mutex
	counts map[accessKey]int // guarded by mu
	total  int               // guarded by mu
	slow   time.Duration     // the longest request of the interval; guarded by mu
}

type accessKey struct{ op, outcome string }

// NewAccessLog returns an AccessLog writing to log.
func NewAccessLog(log *slog.Logger) *AccessLog {
	return &AccessLog{log: log, counts: map[accessKey]int{}}
}

// Request counts one request.
func (a *AccessLog) Request(op, code string, took time.Duration) {
	k := accessKey{op, code}
	if k.outcome == "" {
		k.outcome = "ok"
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.counts[k]; !ok && len(a.counts) >= maxAccessOps {
		k.op = "other"
	}
	a.counts[k]++
	a.total++
	a.slow = max(a.slow, took)
}

// Flush writes the summary of the requests counted since the last Flush
// (nothing when there were none) and starts a new interval.
func (a *AccessLog) Flush(interval time.Duration) {
	a.mu.Lock()
	counts, total, slow := a.counts, a.total, a.slow
	a.counts, a.total, a.slow = map[accessKey]int{}, 0, 0
	a.mu.Unlock()
	if total == 0 {
		return
	}
	parts := make([]string, 0, len(counts))
	failed := 0
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s:%s=%d", k.op, k.outcome, n))
		if k.outcome != "ok" {
			failed += n
		}
	}
	slices.Sort(parts)
	a.log.Info("requests", "interval", interval, "total", total, "failed", failed, "slowest", slow.Round(time.Microsecond),
		"by", strings.Join(parts, " "))
}

// Observers returns a RequestObserver telling each of os (nil ones left
// out).
func Observers(os ...RequestObserver) RequestObserver {
	var keep multiObserver
	for _, o := range os {
		if o != nil {
			keep = append(keep, o)
		}
	}
	return keep
}

type multiObserver []RequestObserver

func (m multiObserver) Request(op, code string, took time.Duration) {
	for _, o := range m {
		o.Request(op, code, took)
	}
}
