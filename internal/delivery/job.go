package delivery

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A Job is one event to deliver to one target of one rule: what the router
// enqueues and a worker delivers, retries or dead-letters. A Job is a value:
// it carries a copy of the target as it was when the event was routed, so a
// later PutTargets or RemoveTargets does not change deliveries already
// queued (as in AWS, where matched events are in flight independently of
// the rule).
type Job struct {
	// Account and Bus are where the rule lives (the event's bus when it
	// matched).
	Account string
	Bus     string
	// RuleArn is the matching rule's ARN (RULE_ARN of a dead letter).
	RuleArn string
	// Target is the rule's target, RetryPolicy and DeadLetterArn included.
	Target eventbus.Target
	// Event is the routed event; its IngestedAt bounds the retry age.
	Event eventbus.Event
	// EnqueuedAt is when the router enqueued the job: the first attempt's
	// earliest time.
	EnqueuedAt time.Time
	// DeadLetter is set on a job that forwards a dead letter to the original
	// target's DeadLetterArn (now Target.Arn): the AWS attributes of the
	// failure, which the sender passes on (SQS puts them in message
	// attributes). A forwarding job that fails is stored as a dead letter
	// but never forwarded again.
	DeadLetter map[string]string
	// Attempts counts the attempts already made (0 when first queued): the
	// next one is number Attempts+1.
	Attempts int
}

// MsgID is the job's de-duplication id: the same event, on the same hop,
// for the same rule and target always gets the same id, so the queue can
// drop a job enqueued twice (a router that crashed between enqueueing and
// acknowledging its log batch re-routes it). The hop count keeps a cycle of
// forwarding rules from colliding with its own earlier hops.
func (j *Job) MsgID() string {
	prefix := ""
	if j.DeadLetter != nil {
		prefix = "dlq/"
	}
	return prefix + j.Event.ID + "/" + strconv.Itoa(int(j.Event.Hops)) + "/" + j.RuleArn + "/" + j.Target.ID
}

// jobMeta is the JSON half of a Job's own encoding, that of the earlier
// batch encoding (batches now share routes: see Batch.Encode); the event
// follows it in its own compact binary encoding, so the envelope is never
// re-escaped.
type jobMeta struct {
	route
	EnqueuedAt int64 `json:"enqueuedAt"` // unix nanoseconds
	Attempts   int   `json:"attempts,omitempty"`
}

const jobEncodingV1 = 1

var errBadJob = errors.New("delivery: malformed job encoding")

// MarshalBinary encodes j: a version byte, the length-prefixed JSON of
// everything but the event, then the event's own binary encoding.
func (j *Job) MarshalBinary() ([]byte, error) {
	meta, err := json.Marshal(jobMeta{route: routeOfJob(j), EnqueuedAt: j.EnqueuedAt.UnixNano(), Attempts: j.Attempts})
	if err != nil {
		return nil, fmt.Errorf("delivery: encode job: %w", err)
	}
	ev, err := j.Event.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("delivery: encode job event: %w", err)
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(meta)+len(ev))
	b = append(b, jobEncodingV1)
	b = binary.AppendUvarint(b, uint64(len(meta)))
	b = append(b, meta...)
	return append(b, ev...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote. The event's envelope
// aliases b.
func (j *Job) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || b[0] != jobEncodingV1 {
		return errBadJob
	}
	n, w := binary.Uvarint(b[1:])
	if w <= 0 || n > uint64(len(b)-1-w) {
		return errBadJob
	}
	meta, rest := b[1+w:1+w+int(n)], b[1+w+int(n):]
	var m jobMeta
	if err := json.Unmarshal(meta, &m); err != nil {
		return fmt.Errorf("%w: %v", errBadJob, err)
	}
	var ev eventbus.Event
	if err := ev.UnmarshalBinary(rest); err != nil {
		return fmt.Errorf("%w: %v", errBadJob, err)
	}
	*j = Job{
		Account: m.Account, Bus: m.Bus, RuleArn: m.RuleArn, Target: m.Target,
		Event: ev, EnqueuedAt: time.Unix(0, m.EnqueuedAt).UTC(), DeadLetter: m.DeadLetter,
		Attempts: max(m.Attempts, 0),
	}
	return nil
}
