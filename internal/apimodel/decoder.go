package apimodel

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
)

// Messages of AWS's SerializationException, as the real service words them
// for a JSON value of the wrong kind. A body that is not JSON at all, or whose
// top level is a scalar, gets a SerializationException without a message.
const (
	msgListUnexpected   = "Start of list found where not expected"
	msgObjectUnexpected = "Start of structure or map found where not expected."
	msgExpectedList     = "Expected list or null"
	msgExpectedStruct   = "Expected null"
	msgExpectedMap      = "Expected map or null"
)

// A decoder reads an awsJson1_1 body into a generated structure, streaming
// over the tokens of encoding/json. The first problem stops it: err is set,
// and every later call returns at once with zero values. JSON null anywhere
// means "absent"; nulls inside lists and maps are dropped; unknown members
// are skipped. Iterative skipping and the model's bounded nesting mean no
// input can recurse deeply.
type decoder struct {
	dec *json.Decoder
	err *awserr.Error
}

// decodeInput decodes body into in. An empty (or all-space) body means {}.
func decodeInput[T any, P interface {
	*T
	decodeMembers(*decoder)
}](body []byte, in P) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(body))}
	d.dec.UseNumber()
	switch tok := d.token(); tok {
	case json.Delim('{'):
		in.decodeMembers(d)
	case json.Delim('['):
		d.fail(msgListUnexpected)
	default:
		d.fail("")
	}
	if d.err == nil {
		if _, err := d.dec.Token(); err != io.EOF {
			d.fail("") // trailing data after the object
		}
	}
	if d.err != nil {
		return d.err
	}
	return nil
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = awserr.New(awserr.Serialization, msg)
	}
}

// token returns the next token, or nil after any error (also for JSON null:
// callers only look at a token when d.err is nil).
func (d *decoder) token() json.Token {
	if d.err != nil {
		return nil
	}
	tok, err := d.dec.Token()
	if err != nil {
		d.fail("")
		return nil
	}
	return tok
}

// more reports whether the current array or object has another element.
func (d *decoder) more() bool { return d.err == nil && d.dec.More() }

// end consumes the closing delimiter of the current array or object.
func (d *decoder) end() { d.token() }

// key returns the next member name of the current object, or false at its
// end (which it consumes) or after an error.
func (d *decoder) key() (string, bool) {
	if !d.more() {
		d.end()
		return "", false
	}
	k, ok := d.token().(string)
	if !ok {
		d.fail("")
		return "", false
	}
	return k, true
}

// skip consumes one value of any kind.
func (d *decoder) skip() {
	depth := 0
	for {
		tok := d.token()
		if d.err != nil {
			return
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return
		}
	}
}

// scalarKind names a JSON scalar token the way AWS's messages do.
func scalarKind(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return "STRING_VALUE"
	case json.Number:
		return "NUMBER_VALUE"
	case bool:
		if v {
			return "TRUE_VALUE"
		}
		return "FALSE_VALUE"
	}
	return ""
}

// mismatch fails for a token that is not what a scalar member needs; target
// is AWS's name for it ("a String", "an Integer", ...).
func (d *decoder) mismatch(tok json.Token, target string) {
	switch tok {
	case json.Delim('['):
		d.fail(msgListUnexpected)
	case json.Delim('{'):
		d.fail(msgObjectUnexpected)
	default:
		d.fail(scalarKind(tok) + " can not be converted to " + target)
	}
}

func (d *decoder) string() *string {
	tok := d.token()
	switch v := tok.(type) {
	case nil:
		return nil
	case string:
		return &v
	}
	d.mismatch(tok, "a String")
	return nil
}

// integer reads a model "integer" (a Java int): fractions are truncated
// toward zero, as AWS does; values outside 32 bits fail.
func (d *decoder) integer() *int64 { return d.number(math.MinInt32, math.MaxInt32, "an Integer") }

// long reads a model "long" (a Java long).
func (d *decoder) long() *int64 { return d.number(math.MinInt64, math.MaxInt64, "a Long") }

func (d *decoder) number(lo, hi int64, target string) *int64 {
	tok := d.token()
	n, ok := tok.(json.Number)
	if !ok {
		if tok != nil {
			d.mismatch(tok, target)
		}
		return nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(n), 64)
		f = math.Trunc(f)
		if ferr != nil || f < -(1<<63) || f >= 1<<63 {
			d.fail("NUMBER_VALUE can not be converted to " + target)
			return nil
		}
		v = int64(f)
	}
	if v < lo || v > hi {
		d.fail("NUMBER_VALUE can not be converted to " + target)
		return nil
	}
	return &v
}

func (d *decoder) boolean() *bool {
	tok := d.token()
	switch v := tok.(type) {
	case nil:
		return nil
	case bool:
		return &v
	}
	d.mismatch(tok, "a Boolean")
	return nil
}

// timestamp reads epoch seconds, or (leniently) an RFC 3339 string.
func (d *decoder) timestamp() *Time {
	tok := d.token()
	switch v := tok.(type) {
	case nil:
		return nil
	case json.Number:
		if t, ok := parseEpoch(string(v)); ok {
			return &Time{t}
		}
		d.fail("NUMBER_VALUE can not be converted to a Timestamp")
		return nil
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return &Time{t}
		}
	}
	d.mismatch(tok, "a Timestamp")
	return nil
}

// beginList consumes the '[' of a list member; false for null or an error.
func (d *decoder) beginList() bool {
	tok := d.token()
	switch tok {
	case nil:
		return false
	case json.Delim('['):
		return true
	case json.Delim('{'):
		d.fail(msgObjectUnexpected)
	default:
		d.fail(msgExpectedList)
	}
	return false
}

// beginObject consumes the '{' of a structure member; false for null or an
// error.
func (d *decoder) beginObject() bool {
	tok := d.token()
	switch tok {
	case nil:
		return false
	case json.Delim('{'):
		return true
	case json.Delim('['):
		d.fail(msgListUnexpected)
	default:
		d.fail(msgExpectedStruct)
	}
	return false
}

// stringList reads a list of strings. An empty list is non-nil, so that a
// required list that is present but empty fails on its length, not as null.
func (d *decoder) stringList() []string {
	if !d.beginList() {
		return nil
	}
	out := []string{}
	for d.more() {
		if s := d.string(); s != nil {
			out = append(out, *s)
		}
	}
	d.end()
	return out
}

// stringMap reads a map of strings to strings; non-nil when present.
func (d *decoder) stringMap() map[string]string {
	tok := d.token()
	switch tok {
	case nil:
		return nil
	case json.Delim('{'):
	case json.Delim('['):
		d.fail(msgListUnexpected)
		return nil
	default:
		d.fail(msgExpectedMap)
		return nil
	}
	out := map[string]string{}
	for k, ok := d.key(); ok; k, ok = d.key() {
		if s := d.string(); s != nil {
			out[k] = *s
		}
	}
	return out
}

// decodeStruct reads a nested structure member.
func decodeStruct[T any, P interface {
	*T
	decodeMembers(*decoder)
}](d *decoder) *T {
	if !d.beginObject() {
		return nil
	}
	x := P(new(T))
	x.decodeMembers(d)
	return (*T)(x)
}

// decodeStructList reads a list of structures; non-nil when present.
func decodeStructList[T any, P interface {
	*T
	decodeMembers(*decoder)
}](d *decoder) []T {
	if !d.beginList() {
		return nil
	}
	out := []T{}
	for d.more() {
		var e T
		if !d.beginObject() {
			continue
		}
		P(&e).decodeMembers(d)
		out = append(out, e)
	}
	d.end()
	return out
}
