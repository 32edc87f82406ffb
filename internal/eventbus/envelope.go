package eventbus

import (
	"bytes"
	"errors"
	"time"

	"github.com/switchyard/switchyard/internal/jsontext"
)

// ErrMalformedDetail is returned when building the envelope of an entry
// whose Detail is not a valid JSON object (PutEntry.Check would have said so).
var ErrMalformedDetail = errors.New("eventbus: detail is not a JSON object")

// An EnvelopeHeader holds the envelope fields switchyard supplies, as
// opposed to the ones the caller's PutEntry gives.
type EnvelopeHeader struct {
	// ID is the event's id, a UUID.
	ID string
	// Account is the envelope's account: the sender for PutEvents, the
	// customer owning the partner bus for PutPartnerEvents.
	Account string
	Region  string
	// Time is the event's time; the envelope shows it in UTC to the second.
	Time time.Time
}

// envelopeTimeLayout is RFC 3339 in UTC to the second ("2026-11-22T13:56:00Z").
const envelopeTimeLayout = "2006-01-02T15:04:05Z"

// envelopeFixed counts the envelope's constant bytes: keys, quotes, commas.
const envelopeFixed = len(`{"version":"0","id":"","detail-type":"","source":"","account":"","time":"","region":"","resources":[],"detail":}`)

// NewEnvelope returns the event rules and targets see for e, in AWS's key
// order (FACTS.md): version, id, detail-type, source, account, time, region,
// resources, detail. Strings are escaped as JSON requires (invalid UTF-8
// becomes U+FFFD); Detail is copied without its insignificant whitespace
// and otherwise exactly as given. It allocates once, unless the strings
// need much escaping. It returns ErrMalformedDetail if e.Detail is not a
// valid JSON object.
func NewEnvelope(h EnvelopeHeader, e PutEntry) ([]byte, error) {
	n := envelopeFixed + len(h.ID) + len(h.Account) + len(h.Region) + len(envelopeTimeLayout) +
		len(e.DetailType) + len(e.Source) + len(e.Detail) + len(e.Resources)*3
	for _, r := range e.Resources {
		n += len(r)
	}
	n += n / 16 // room for some escaping
	return AppendEnvelope(make([]byte, 0, n), h, e)
}

// AppendEnvelope is NewEnvelope appending to dst. On error it returns dst
// unchanged.
func AppendEnvelope(dst []byte, h EnvelopeHeader, e PutEntry) ([]byte, error) {
	b := append(dst, `{"version":"0","id":`...)
	b = jsontext.AppendQuoted(b, h.ID)
	b = append(b, `,"detail-type":`...)
	b = jsontext.AppendQuoted(b, e.DetailType)
	b = append(b, `,"source":`...)
	b = jsontext.AppendQuoted(b, e.Source)
	b = append(b, `,"account":`...)
	b = jsontext.AppendQuoted(b, h.Account)
	b = append(b, `,"time":"`...)
	b = h.Time.UTC().AppendFormat(b, envelopeTimeLayout)
	b = append(b, `","region":`...)
	b = jsontext.AppendQuoted(b, h.Region)
	b = append(b, `,"resources":[`...)
	for i, r := range e.Resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendQuoted(b, r)
	}
	b = append(b, `],"detail":`...)
	b, ok := AppendCompactDetail(b, e.Detail)
	if !ok {
		return dst, ErrMalformedDetail
	}
	return append(b, '}'), nil
}

// EnvelopeTime returns the "time" of an envelope switchyard built
// (NewEnvelope's key order: only plain strings precede "time", so its key
// cannot appear earlier inside one of them); false if there is none or it
// does not parse.
func EnvelopeTime(env []byte) (time.Time, bool) {
	const key = `,"time":"`
	i := bytes.Index(env, []byte(key))
	if i < 0 {
		return time.Time{}, false
	}
	rest := env[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, string(rest[:end]))
	return t, err == nil
}

// WithReplayName returns a copy of envelope env with "replay-name" added
// as its last field, as AWS marks a replayed event. env must be a JSON
// object without trailing whitespace, as NewEnvelope builds it.
func WithReplayName(env []byte, name string) []byte {
	if len(env) < 2 || env[len(env)-1] != '}' {
		return append([]byte(nil), env...)
	}
	out := make([]byte, 0, len(env)+len(ReplayNameField)+len(name)+8)
	out = append(out, env[:len(env)-1]...)
	if len(env) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"`+ReplayNameField+`":`...)
	out = jsontext.AppendQuoted(out, name)
	return append(out, '}')
}
