package apimodel

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"unicode/utf8"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/jsontext"
)

// A decoder reads an awsJson1_1 body (RFC 8259 JSON) into a generated
// structure in one pass, like AWS's streaming parser: the first problem, a
// syntax error or a value of the wrong kind, stops it. After that err is set
// and every call returns at once with zero values. JSON null anywhere means
// "absent"; nulls inside lists and maps are dropped; unknown members are
// skipped (and checked for syntax) without recursion. Strings are decoded as
// encoding/json does, invalid UTF-8 and lone surrogates becoming U+FFFD.
type decoder struct {
	b   []byte
	i   int
	err *awserr.Error
	// open is set right after '{' or '[' is consumed and cleared once a value
	// is read, so key and elem know whether a ',' must come first.
	open    bool
	scratch []byte // unescaped key, reused
}

// decodeInput decodes body into in. An empty (or all-space) body means {}.
func decodeInput[T any, P interface {
	*T
	decodeMembers(*decoder)
}](body []byte, in P) error {
	d := &decoder{b: body}
	d.ws()
	if d.i == len(d.b) {
		return nil
	}
	switch d.b[d.i] {
	case '{':
		d.i++
		d.open = true
		in.decodeMembers(d)
	case '[':
		d.fail(awserr.MsgListUnexpected)
	default:
		d.fail("")
	}
	if d.err == nil {
		if d.ws(); d.i != len(d.b) {
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

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end or
// after an error.
func (d *decoder) peek() byte {
	if d.err != nil {
		return 0
	}
	d.ws()
	if d.i == len(d.b) {
		return 0
	}
	return d.b[d.i]
}

// next continues the current object or array: it consumes the ',' between
// members or the closing delimiter, and reports whether another member
// follows.
func (d *decoder) next(closing byte) bool {
	c := d.peek()
	if d.err != nil {
		return false
	}
	if c == closing {
		d.i++
		d.open = false
		return false
	}
	if d.open {
		d.open = false
		return true
	}
	if c != ',' {
		d.fail("")
		return false
	}
	d.i++
	if c := d.peek(); c == closing {
		d.fail("") // trailing comma
		return false
	}
	return true
}

// key returns the next member name of the current object, or false at its
// end (which it consumes) or after an error. The name is valid until the
// next call.
func (d *decoder) key() ([]byte, bool) {
	if !d.next('}') {
		return nil, false
	}
	if d.peek() != '"' {
		d.fail("")
		return nil, false
	}
	k, ok := d.str(true)
	if !ok {
		return nil, false
	}
	if d.peek() != ':' {
		d.fail("")
		return nil, false
	}
	d.i++
	return k, true
}

// elem reports whether the current array has another element.
func (d *decoder) elem() bool { return d.next(']') }

// kind classifies the value that starts at the next byte.
type kind uint8

const (
	kindBad kind = iota
	kindObject
	kindArray
	kindString
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

func (d *decoder) kind() kind {
	switch c := d.peek(); {
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == '"':
		return kindString
	case c == '-' || (c >= '0' && c <= '9'):
		return kindNumber
	case c == 't':
		return kindTrue
	case c == 'f':
		return kindFalse
	case c == 'n':
		return kindNull
	}
	return kindBad
}

// literal consumes true, false or null.
func (d *decoder) literal(word string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		d.fail("")
		return false
	}
	d.i += len(word)
	d.open = false
	return true
}

// mismatch fails for a value of kind k that a scalar member cannot hold;
// target is AWS's name for what it needed ("a String", "an Integer", ...).
// The value is checked for syntax first, as a streaming parser would.
func (d *decoder) mismatch(k kind, target string) {
	var what string
	switch k {
	case kindObject:
		d.fail(awserr.MsgObjectUnexpected)
		return
	case kindArray:
		d.fail(awserr.MsgListUnexpected)
		return
	case kindString:
		what = "STRING_VALUE"
	case kindNumber:
		what = "NUMBER_VALUE"
	case kindTrue:
		what = "TRUE_VALUE"
	case kindFalse:
		what = "FALSE_VALUE"
	}
	if k == kindBad || !d.scalar(k) {
		d.fail("")
		return
	}
	d.fail(what + " can not be converted to " + target)
}

// scalar consumes a scalar of kind k, reporting whether it was well formed.
func (d *decoder) scalar(k kind) bool {
	switch k {
	case kindString:
		_, ok := d.str(false)
		return ok
	case kindNumber:
		_, ok := d.num()
		return ok
	case kindTrue:
		return d.literal("true")
	case kindFalse:
		return d.literal("false")
	case kindNull:
		return d.literal("null")
	}
	return false
}

func (d *decoder) string() *string {
	switch k := d.kind(); k {
	case kindNull:
		d.literal("null")
	case kindString:
		if s, ok := d.str(false); ok {
			v := string(s)
			return &v
		}
	default:
		d.mismatch(k, "a String")
	}
	return nil
}

// integer reads a model "integer" (a Java int): fractions are truncated
// toward zero, as AWS does; values outside 32 bits fail.
func (d *decoder) integer() *int64 { return d.number(math.MinInt32, math.MaxInt32, "an Integer") }

// long reads a model "long" (a Java long).
func (d *decoder) long() *int64 { return d.number(math.MinInt64, math.MaxInt64, "a Long") }

func (d *decoder) number(lo, hi int64, target string) *int64 {
	switch k := d.kind(); k {
	case kindNull:
		d.literal("null")
		return nil
	case kindNumber:
	default:
		d.mismatch(k, target)
		return nil
	}
	n, ok := d.num()
	if !ok {
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
	switch k := d.kind(); k {
	case kindNull:
		d.literal("null")
	case kindTrue, kindFalse:
		v := k == kindTrue
		if d.scalar(k) {
			return &v
		}
	default:
		d.mismatch(k, "a Boolean")
	}
	return nil
}

// timestamp reads epoch seconds, or (leniently) an RFC 3339 string.
func (d *decoder) timestamp() *Time {
	switch k := d.kind(); k {
	case kindNull:
		d.literal("null")
	case kindNumber:
		n, ok := d.num()
		if !ok {
			return nil
		}
		if t, ok := parseEpoch(string(n)); ok {
			return &Time{t}
		}
		d.fail("NUMBER_VALUE can not be converted to a Timestamp")
	case kindString:
		s, ok := d.str(false)
		if !ok {
			return nil
		}
		if t, err := time.Parse(time.RFC3339Nano, string(s)); err == nil {
			return &Time{t}
		}
		d.fail("STRING_VALUE can not be converted to a Timestamp")
	default:
		d.mismatch(k, "a Timestamp")
	}
	return nil
}

// begin consumes the '[' or '{' of a list, map or structure member and
// reports true; false for null or an error. mismatch is the message for a
// scalar in its place.
func (d *decoder) begin(want kind, mismatch string) bool {
	switch k := d.kind(); k {
	case want:
		d.i++
		d.open = true
		return true
	case kindNull:
		d.literal("null")
	case kindObject:
		d.fail(awserr.MsgObjectUnexpected)
	case kindArray:
		d.fail(awserr.MsgListUnexpected)
	case kindBad:
		d.fail("")
	default:
		if d.scalar(k) {
			d.fail(mismatch)
		}
	}
	return false
}

// stringList reads a list of strings. An empty list is non-nil, so that a
// required list that is present but empty fails on its length, not as null.
func (d *decoder) stringList() []string {
	if !d.begin(kindArray, awserr.MsgExpectedList) {
		return nil
	}
	out := []string{}
	for d.elem() {
		if s := d.string(); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// stringMap reads a map of strings to strings; non-nil when present.
func (d *decoder) stringMap() map[string]string {
	if !d.begin(kindObject, awserr.MsgExpectedMap) {
		return nil
	}
	out := map[string]string{}
	for k, ok := d.key(); ok; k, ok = d.key() {
		name := string(k)
		if s := d.string(); s != nil {
			out[name] = *s
		}
	}
	return out
}

// decodeStruct reads a nested structure member.
func decodeStruct[T any, P interface {
	*T
	decodeMembers(*decoder)
}](d *decoder) *T {
	if !d.begin(kindObject, awserr.MsgExpectedStruct) {
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
	if !d.begin(kindArray, awserr.MsgExpectedList) {
		return nil
	}
	out := []T{}
	for d.elem() {
		if !d.begin(kindObject, awserr.MsgExpectedStruct) {
			continue
		}
		out = append(out, *new(T))
		P(&out[len(out)-1]).decodeMembers(d)
	}
	return out
}

// skip consumes one value of any kind, checking its syntax. Nesting is kept
// on an explicit stack, so no input can make it recurse.
func (d *decoder) skip() {
	var stack []byte
	for {
		switch k := d.kind(); k {
		case kindObject, kindArray:
			c := d.b[d.i]
			d.i++
			d.open = true
			stack = append(stack, c)
		default:
			if !d.scalar(k) {
				d.fail("")
				return
			}
		}
		// Close every container that has no more members, then go on with
		// the next member of the innermost open one.
		for {
			if len(stack) == 0 || d.err != nil {
				return
			}
			var more bool
			if stack[len(stack)-1] == '{' {
				_, more = d.key()
			} else {
				more = d.elem()
			}
			if more {
				break
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// num consumes a JSON number and returns its text.
func (d *decoder) num() ([]byte, bool) {
	start := d.i
	end, ok := jsontext.NumberEnd(d.b, start)
	if !ok {
		d.fail("")
		return nil, false
	}
	d.i = end
	d.open = false
	return d.b[start:end], true
}

// str consumes a JSON string and returns its decoded bytes: a slice of the
// body when it needs no unescaping, else a fresh slice (or, for keys, the
// reused scratch buffer).
func (d *decoder) str(isKey bool) ([]byte, bool) {
	b := d.b
	start := d.i + 1
	i := start
	for i < len(b) {
		c := b[i]
		if c == '"' {
			d.i = i + 1
			d.open = false
			return b[start:i], true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	var out []byte
	if isKey {
		out = d.scratch[:0]
	}
	out = append(out, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.open = false
			if isKey {
				d.scratch = out
			}
			return out, true
		case c < 0x20:
			d.fail("")
			return nil, false
		case c == '\\':
			var ok bool
			if out, i, ok = unescape(out, b, i); !ok {
				d.fail("")
				return nil, false
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r) // U+FFFD for invalid UTF-8
			i += size
		}
	}
	d.fail("") // unterminated string
	return nil, false
}

// unescape decodes the escape at b[i] (a backslash), appending to out.
func unescape(out, b []byte, i int) ([]byte, int, bool) {
	r, n := jsontext.DecodeEscape(b[i:])
	if n == 0 {
		return out, i, false
	}
	return utf8.AppendRune(out, r), i + n, true
}
