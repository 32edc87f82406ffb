package jetstream

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Batch framing. One event-log message holds the records of one group
// commit, so one fsync covers them all:
//
//	message = version count record*
//	version = 0x01
//	count   = uvarint (number of records)
//	record  = uvarint(len(Account)) Account uvarint(len(Bus)) Bus uvarint(len(Data)) Data
//
// Lengths are byte counts; the fields are opaque bytes. A message that does
// not parse exactly (wrong version, short field, non-minimal varint,
// trailing bytes) is rejected.

const frameVersion = 1

// errBadFrame reports an event-log message this package cannot decode.
var errBadFrame = errors.New("jetstream: malformed event log message")

// A Record is one event in the log: the account and event bus it was put on,
// and its data (the event as the router will see it). The log never looks
// inside Data.
type Record struct {
	Account string
	Bus     string
	Data    []byte
}

// frameHeaderMax bounds the bytes a message spends before its first record.
const frameHeaderMax = 1 + binary.MaxVarintLen64

// encodedSize is the number of bytes r takes in a message.
func (r *Record) encodedSize() int {
	return uvarintLen(len(r.Account)) + len(r.Account) +
		uvarintLen(len(r.Bus)) + len(r.Bus) +
		uvarintLen(len(r.Data)) + len(r.Data)
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// appendHeader starts a message of count records in buf.
func appendHeader(buf []byte, count int) []byte {
	buf = append(buf, frameVersion)
	return binary.AppendUvarint(buf, uint64(count))
}

// appendRecord appends r to a message being built in buf.
func appendRecord(buf []byte, r *Record) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(r.Account)))
	buf = append(buf, r.Account...)
	buf = binary.AppendUvarint(buf, uint64(len(r.Bus)))
	buf = append(buf, r.Bus...)
	buf = binary.AppendUvarint(buf, uint64(len(r.Data)))
	return append(buf, r.Data...)
}

// decodeFrame returns the records of one message. Each Data aliases msg;
// consecutive records with the same account or bus share one string.
func decodeFrame(msg []byte) ([]Record, error) {
	if len(msg) == 0 || msg[0] != frameVersion {
		return nil, fmt.Errorf("%w: unknown version", errBadFrame)
	}
	count, n := uvarint(msg[1:])
	if n <= 0 {
		return nil, fmt.Errorf("%w: bad count", errBadFrame)
	}
	rest := msg[1+n:]
	// Every record takes at least 3 bytes: a bound before allocating.
	if count > uint64(len(rest)/3) {
		return nil, fmt.Errorf("%w: count %d exceeds the message", errBadFrame, count)
	}
	records := make([]Record, count)
	var prevAccount, prevBus string
	for i := range records {
		var account, bus, data []byte
		var err error
		if account, rest, err = field(rest); err != nil {
			return nil, fmt.Errorf("%w: record %d account: %v", errBadFrame, i, err)
		}
		if bus, rest, err = field(rest); err != nil {
			return nil, fmt.Errorf("%w: record %d bus: %v", errBadFrame, i, err)
		}
		if data, rest, err = field(rest); err != nil {
			return nil, fmt.Errorf("%w: record %d data: %v", errBadFrame, i, err)
		}
		if string(account) != prevAccount {
			prevAccount = string(account)
		}
		if string(bus) != prevBus {
			prevBus = string(bus)
		}
		records[i] = Record{Account: prevAccount, Bus: prevBus, Data: data[:len(data):len(data)]}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errBadFrame, len(rest))
	}
	return records, nil
}

// uvarint is binary.Uvarint accepting only the minimal encoding, so each
// message has exactly one form; n <= 0 on error as there.
func uvarint(b []byte) (v uint64, n int) {
	v, n = binary.Uvarint(b)
	if n > 1 && b[n-1] == 0 { // a trailing zero group: not minimal
		return 0, -1
	}
	return v, n
}

// field splits one length-prefixed field off the front of b.
func field(b []byte) (f, rest []byte, err error) {
	l, n := uvarint(b)
	if n <= 0 {
		return nil, nil, errors.New("bad length")
	}
	b = b[n:]
	if l > uint64(len(b)) {
		return nil, nil, errors.New("length exceeds the message")
	}
	return b[:l], b[l:], nil
}
