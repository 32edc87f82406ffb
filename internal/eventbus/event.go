package eventbus

import (
	"encoding/binary"
	"errors"
	"time"
)

// An Event is one event as it travels through switchyard, from ingest
// through routing to delivery.
type Event struct {
	// ID is the envelope's "id"; it is kept when a bus forwards the event to
	// another bus.
	ID string
	// Envelope is the event exactly as rules and targets see it (FACTS.md:
	// version, id, detail-type, source, account, time, region, resources,
	// detail, in that key order).
	Envelope []byte
	// IngestedAt is when switchyard first accepted the event; retry age
	// (MaximumEventAgeInSeconds) and <aws.events.event.ingestion-time> count
	// from it.
	IngestedAt time.Time
	// Hops counts the buses the event was routed through before the one it
	// is on now; forwarding stops at MaxHops.
	Hops uint8
}

// MaxHops bounds bus-to-bus forwarding, so rules that forward in a cycle
// cannot loop an event forever.
const MaxHops = 5

const eventEncodingV1 = 1

// MarshalBinary encodes e compactly: version, hops, ingestion time in unix
// nanoseconds, ID and envelope.
func (e Event) MarshalBinary() ([]byte, error) {
	return e.AppendBinary(make([]byte, 0, e.BinarySize()))
}

// AppendBinary appends MarshalBinary's encoding of e to b.
func (e Event) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, eventEncodingV1, e.Hops)
	b = binary.AppendVarint(b, e.IngestedAt.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(e.ID)))
	b = append(b, e.ID...)
	return append(b, e.Envelope...), nil
}

// BinarySize is the length of e's binary encoding.
func (e Event) BinarySize() int {
	var scratch [binary.MaxVarintLen64]byte
	return 2 + binary.PutVarint(scratch[:], e.IngestedAt.UnixNano()) +
		binary.PutUvarint(scratch[:], uint64(len(e.ID))) + len(e.ID) + len(e.Envelope)
}

var errBadEvent = errors.New("eventbus: malformed event encoding")

// UnmarshalBinary decodes what MarshalBinary wrote. The envelope aliases b.
func (e *Event) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || b[0] != eventEncodingV1 {
		return errBadEvent
	}
	e.Hops = b[1]
	b = b[2:]
	nanos, n := binary.Varint(b)
	if n <= 0 {
		return errBadEvent
	}
	b = b[n:]
	idLen, n := binary.Uvarint(b)
	if n <= 0 || idLen > uint64(len(b)-n) {
		return errBadEvent
	}
	b = b[n:]
	e.IngestedAt = time.Unix(0, nanos).UTC()
	e.ID = string(b[:idLen])
	e.Envelope = b[idLen:]
	return nil
}
