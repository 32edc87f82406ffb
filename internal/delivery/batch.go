package delivery

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A Batch is the unit the queue stores and hands out: the jobs one log
// batch routed to (or the jobs of one batch that are to be retried), to be
// attempted together, not before NotBefore. One queue message per batch
// rather than per job makes queueing cost one durable write per log batch
// instead of one per event and target.
type Batch struct {
	Jobs []Job
	// NotBefore delays a retry batch: a batch delivered earlier is handed
	// back until then. Zero for a batch to attempt at once.
	NotBefore time.Time
}

// An EncodedBatch is (part of) a Batch ready for the queue: ID is its
// de-duplication id, Data its encoding.
type EncodedBatch struct {
	ID   string
	Data []byte
}

// Batch encodings: the version byte is distinct from a job's.
const (
	batchEncodingV1 = 2 // each job with its own JSON header (Job.MarshalBinary)
	batchEncodingV2 = 3 // jobs share their routes' JSON headers
)

var errBadBatch = errors.New("delivery: malformed batch encoding")

// BatchID is the de-duplication id of a batch of jobs: the same jobs at the
// same attempt count always get the same id, so a batch queued twice (a
// router re-routing a log batch after a crash, or a retry batch published
// again because the batch it came from was redelivered) is stored once.
func BatchID(jobs []Job) string {
	h := sha256.New()
	var num []byte
	for i := range jobs {
		h.Write([]byte(jobs[i].MsgID()))
		num = strconv.AppendInt(append(num[:0], 0), int64(jobs[i].Attempts), 10)
		h.Write(append(num, 0))
	}
	return "b/" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Encode splits b into parts of at most maxBytes each (a job larger than
// that travels alone) and encodes each part with its BatchID. What jobs to
// the same target of the same rule share (the route: rule, target, dead
// letter attributes) is encoded once per part, not once per job.
func (b *Batch) Encode(maxBytes int) ([]EncodedBatch, error) {
	routes, routeOf, err := shareRoutes(b.Jobs)
	if err != nil {
		return nil, err
	}
	var parts []EncodedBatch
	inPart := make([]int, len(routes)) // the number (from 1) of the latest part holding each route
	for start := 0; start < len(b.Jobs); {
		part := len(parts) + 1
		end, size := start, batchHeaderMax
		for end < len(b.Jobs) {
			r := routeOf[end]
			add := batchJobHeaderMax + b.Jobs[end].Event.BinarySize()
			if inPart[r] != part {
				add += binary.MaxVarintLen64 + len(routes[r])
			}
			if end > start && size+add > maxBytes {
				break
			}
			inPart[r], size, end = part, size+add, end+1
		}
		data, err := encodeBatch(b.NotBefore, b.Jobs[start:end], routes, routeOf[start:end], size)
		if err != nil {
			return nil, err
		}
		parts = append(parts, EncodedBatch{ID: BatchID(b.Jobs[start:end]), Data: data})
		start = end
	}
	return parts, nil
}

// A route is what a job shares with the other jobs of its batch to the
// same target of the same rule: everything but the event, EnqueuedAt and
// Attempts.
type route struct {
	Account    string            `json:"account"`
	Bus        string            `json:"bus"`
	RuleArn    string            `json:"ruleArn"`
	Target     eventbus.Target   `json:"target"`
	DeadLetter map[string]string `json:"deadLetter,omitempty"`
}

func routeOfJob(j *Job) route {
	return route{Account: j.Account, Bus: j.Bus, RuleArn: j.RuleArn, Target: j.Target, DeadLetter: j.DeadLetter}
}

// sameRoute reports whether a and b have equal routes.
func sameRoute(a, b *Job) bool {
	return a.Account == b.Account && a.Bus == b.Bus && a.RuleArn == b.RuleArn &&
		(a.DeadLetter == nil) == (b.DeadLetter == nil) && maps.Equal(a.DeadLetter, b.DeadLetter) &&
		reflect.DeepEqual(a.Target, b.Target)
}

// shareRoutes returns the JSON of each distinct route of jobs, in order of
// first use, and the index of each job's route.
func shareRoutes(jobs []Job) (routes [][]byte, routeOf []int, err error) {
	type key struct{ rule, target string }
	byKey := make(map[key][]int)
	var first []int // the first job of each route
	routeOf = make([]int, len(jobs))
	for i := range jobs {
		j := &jobs[i]
		k := key{j.RuleArn, j.Target.ID}
		r := -1
		for _, c := range byKey[k] {
			if sameRoute(&jobs[first[c]], j) {
				r = c
				break
			}
		}
		if r < 0 {
			data, err := json.Marshal(routeOfJob(j))
			if err != nil {
				return nil, nil, fmt.Errorf("delivery: encode job route: %w", err)
			}
			r = len(routes)
			routes, first = append(routes, data), append(first, i)
			byKey[k] = append(byKey[k], r)
		}
		routeOf[i] = r
	}
	return routes, routeOf, nil
}

// batchHeaderMax bounds the bytes before the first route: the version, the
// NotBefore time and the route count; batchJobHeaderMax those before a
// job's event: its route, attempts, EnqueuedAt and event length, plus the
// job count's share.
const (
	batchHeaderMax    = 1 + 2*binary.MaxVarintLen64
	batchJobHeaderMax = 5 * binary.MaxVarintLen64
)

// encodeBatch writes jobs, whose routes are routes[routeOf[i]], as one
// batch: version, NotBefore, the routes the jobs use (length-prefixed
// JSON), then each job as route index, attempts, EnqueuedAt (unix ns, 0 for
// none) and length-prefixed event encoding.
func encodeBatch(notBefore time.Time, jobs []Job, routes [][]byte, routeOf []int, size int) ([]byte, error) {
	local := make(map[int]int) // index in routes -> index in this batch
	var used []int
	for _, r := range routeOf {
		if _, ok := local[r]; !ok {
			local[r] = len(used)
			used = append(used, r)
		}
	}
	buf := make([]byte, 0, size)
	buf = append(buf, batchEncodingV2)
	buf = binary.AppendVarint(buf, unixNanos(notBefore))
	buf = binary.AppendUvarint(buf, uint64(len(used)))
	for _, r := range used {
		buf = binary.AppendUvarint(buf, uint64(len(routes[r])))
		buf = append(buf, routes[r]...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(jobs)))
	for i := range jobs {
		j := &jobs[i]
		buf = binary.AppendUvarint(buf, uint64(local[routeOf[i]]))
		buf = binary.AppendUvarint(buf, uint64(max(j.Attempts, 0)))
		buf = binary.AppendVarint(buf, unixNanos(j.EnqueuedAt))
		buf = binary.AppendUvarint(buf, uint64(j.Event.BinarySize()))
		var err error
		if buf, err = j.Event.AppendBinary(buf); err != nil {
			return nil, fmt.Errorf("delivery: encode job event: %w", err)
		}
	}
	return buf, nil
}

// unixNanos is t in unix nanoseconds, 0 for the zero time.
func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNanos is the time unixNanos returned n for.
func fromUnixNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// UnmarshalBinary decodes what Encode wrote, or a batch of the earlier
// encoding (one JSON header per job) still in a queue written by an
// earlier version. The jobs' envelopes alias data, and jobs of one route
// share their target's maps: treat them as read-only.
func (b *Batch) UnmarshalBinary(data []byte) error {
	if len(data) < 3 {
		return errBadBatch
	}
	var dec func([]byte, *Batch) error
	switch data[0] {
	case batchEncodingV2:
		dec = decodeBatchV2
	case batchEncodingV1:
		dec = decodeBatchV1
	default:
		return errBadBatch
	}
	nb, w := binary.Varint(data[1:])
	if w <= 0 {
		return errBadBatch
	}
	out := Batch{NotBefore: fromUnixNanos(nb)}
	if err := dec(data[1+w:], &out); err != nil {
		return err
	}
	*b = out
	return nil
}

// count reads a uvarint count of items that take at least a byte each of
// what follows it in b.
func count(b []byte) (n uint64, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return 0, nil, false
	}
	return n, b[w:], true
}

// chunk reads a uvarint length and that many bytes.
func chunk(b []byte) (c, rest []byte, ok bool) {
	n, rest, ok := count(b)
	if !ok {
		return nil, nil, false
	}
	return rest[:n], rest[n:], true
}

func decodeBatchV2(rest []byte, out *Batch) error {
	n, rest, ok := count(rest)
	if !ok {
		return errBadBatch
	}
	routes := make([]route, 0, min(n, 64)) // n is not trusted yet
	for i := range n {
		var data []byte
		if data, rest, ok = chunk(rest); !ok {
			return errBadBatch
		}
		var r route
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%w: route %d: %v", errBadBatch, i, err)
		}
		routes = append(routes, r)
	}
	if n, rest, ok = count(rest); !ok || n == 0 {
		return errBadBatch
	}
	out.Jobs = make([]Job, 0, min(n, 1024))
	for i := range n {
		r, w := binary.Uvarint(rest)
		if w <= 0 || r >= uint64(len(routes)) {
			return errBadBatch
		}
		rest = rest[w:]
		attempts, w := binary.Uvarint(rest)
		if w <= 0 || attempts > math.MaxInt32 {
			return errBadBatch
		}
		rest = rest[w:]
		enqueued, w := binary.Varint(rest)
		if w <= 0 {
			return errBadBatch
		}
		var data []byte
		if data, rest, ok = chunk(rest[w:]); !ok {
			return errBadBatch
		}
		rt := &routes[r]
		j := Job{Account: rt.Account, Bus: rt.Bus, RuleArn: rt.RuleArn, Target: rt.Target, DeadLetter: rt.DeadLetter,
			EnqueuedAt: fromUnixNanos(enqueued), Attempts: int(attempts)}
		if err := j.Event.UnmarshalBinary(data); err != nil {
			return fmt.Errorf("%w: job %d: %v", errBadBatch, i, err)
		}
		out.Jobs = append(out.Jobs, j)
	}
	if len(rest) != 0 {
		return errBadBatch
	}
	return nil
}

// decodeBatchV1 decodes the jobs of the earlier encoding: a count, then
// each job's length-prefixed Job encoding.
func decodeBatchV1(rest []byte, out *Batch) error {
	n, rest, ok := count(rest)
	if !ok || n == 0 {
		return errBadBatch
	}
	out.Jobs = make([]Job, 0, min(n, 1024)) // n is not trusted yet
	for i := range n {
		var data []byte
		if data, rest, ok = chunk(rest); !ok {
			return errBadBatch
		}
		var j Job
		if err := j.UnmarshalBinary(data); err != nil {
			return fmt.Errorf("%w: job %d: %v", errBadBatch, i, err)
		}
		out.Jobs = append(out.Jobs, j)
	}
	if len(rest) != 0 {
		return errBadBatch
	}
	return nil
}
