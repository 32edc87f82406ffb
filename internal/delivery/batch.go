package delivery

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
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

const batchEncodingV1 = 2 // distinct from a job's version byte

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
// that travels alone) and encodes each part with its BatchID.
func (b *Batch) Encode(maxBytes int) ([]EncodedBatch, error) {
	jobs := make([][]byte, len(b.Jobs))
	for i := range b.Jobs {
		var err error
		if jobs[i], err = b.Jobs[i].MarshalBinary(); err != nil {
			return nil, err
		}
	}
	var parts []EncodedBatch
	for start := 0; start < len(jobs); {
		end, size := start, batchHeaderMax
		for end < len(jobs) && (end == start || size+binary.MaxVarintLen64+len(jobs[end]) <= maxBytes) {
			size += binary.MaxVarintLen64 + len(jobs[end])
			end++
		}
		parts = append(parts, EncodedBatch{ID: BatchID(b.Jobs[start:end]), Data: encodeBatch(b.NotBefore, jobs[start:end], size)})
		start = end
	}
	return parts, nil
}

// batchHeaderMax bounds the bytes before the first job: the version, the
// NotBefore time and the job count.
const batchHeaderMax = 1 + 2*binary.MaxVarintLen64

func encodeBatch(notBefore time.Time, jobs [][]byte, size int) []byte {
	var nb int64
	if !notBefore.IsZero() {
		nb = notBefore.UnixNano()
	}
	buf := make([]byte, 0, size)
	buf = append(buf, batchEncodingV1)
	buf = binary.AppendVarint(buf, nb)
	buf = binary.AppendUvarint(buf, uint64(len(jobs)))
	for _, j := range jobs {
		buf = binary.AppendUvarint(buf, uint64(len(j)))
		buf = append(buf, j...)
	}
	return buf
}

// UnmarshalBinary decodes what Encode wrote. The jobs' envelopes alias data.
func (b *Batch) UnmarshalBinary(data []byte) error {
	if len(data) < 3 || data[0] != batchEncodingV1 {
		return errBadBatch
	}
	rest := data[1:]
	nb, w := binary.Varint(rest)
	if w <= 0 {
		return errBadBatch
	}
	rest = rest[w:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || n == 0 || n > uint64(len(rest)) { // every job takes at least a byte
		return errBadBatch
	}
	rest = rest[w:]
	out := Batch{Jobs: make([]Job, 0, min(n, 1024))} // n is not trusted yet
	if nb != 0 {
		out.NotBefore = time.Unix(0, nb).UTC()
	}
	for i := range n {
		l, w := binary.Uvarint(rest)
		if w <= 0 || l > uint64(len(rest)-w) {
			return errBadBatch
		}
		var j Job
		if err := j.UnmarshalBinary(rest[w : w+int(l)]); err != nil {
			return fmt.Errorf("%w: job %d: %v", errBadBatch, i, err)
		}
		out.Jobs = append(out.Jobs, j)
		rest = rest[w+int(l):]
	}
	if len(rest) != 0 {
		return errBadBatch
	}
	*b = out
	return nil
}
