package eventbus

import "unicode/utf8"

// This file holds the one JSON reader ingest needs: a strict RFC 8259
// scanner for an event's Detail, and the compactor that removes insignificant
// whitespace from a detail the scanner accepted (and, in package transform,
// from values read out of an event). Both work on the text as given (no
// conversion between string and []byte, no allocation). Everything but whitespace
// outside strings is copied byte for byte, so key order, duplicate keys,
// number spelling and escapes stay exactly as the caller wrote them.

// ValidDetail reports whether detail is a JSON object (optionally surrounded
// by whitespace) in valid UTF-8, nested at most MaxDetailDepth deep.
func ValidDetail(detail string) bool {
	p := detailScanner{s: detail}
	return p.document()
}

// AppendCompactDetail appends detail without its insignificant whitespace.
// It reports false, returning dst unchanged, when ValidDetail(detail) is
// false.
func AppendCompactDetail(dst []byte, detail string) ([]byte, bool) {
	if !ValidDetail(detail) {
		return dst, false
	}
	return AppendCompactJSON(dst, detail), true
}

// AppendCompactJSON appends the JSON text s without its whitespace outside
// strings, copying everything else (key order, number spelling, escapes)
// byte for byte, in runs. It is the one JSON compactor: ingest compacts an
// event's Detail with it, package transform the values it copies out of an
// event. s should be valid JSON; on text that is not it never panics, and
// copies an unterminated string to the end.
func AppendCompactJSON[T ~string | ~[]byte](dst []byte, s T) []byte {
	start := 0 // s[start:i] is pending output
	inString := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, s[start:i]...)
			start = i + 1
		}
	}
	return append(dst, s[start:]...)
}

// A detailScanner checks one JSON document in s.
type detailScanner struct {
	s     string
	i     int
	depth int
}

// document reads whitespace, one object, whitespace, and the end of s.
func (p *detailScanner) document() bool {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' || !p.value() {
		return false
	}
	p.space()
	return p.i == len(p.s)
}

func (p *detailScanner) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads one JSON value at p.i (whitespace already skipped).
func (p *detailScanner) value() bool {
	if p.i >= len(p.s) {
		return false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return p.literal("true") || p.literal("false") || p.literal("null")
	}
}

func (p *detailScanner) literal(word string) bool {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return false
	}
	p.i += len(word)
	return true
}

// open consumes an opening bracket, counting depth.
func (p *detailScanner) open() bool {
	p.depth++
	if p.depth > MaxDetailDepth {
		return false
	}
	p.i++
	p.space()
	return true
}

// close consumes the closing bracket b if it is next, reporting whether it was.
func (p *detailScanner) close(b byte) bool {
	if p.i < len(p.s) && p.s[p.i] == b {
		p.i++
		p.depth--
		return true
	}
	return false
}

// separator consumes a ',' between members, reporting whether there was one.
func (p *detailScanner) separator() bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.space()
		return true
	}
	return false
}

func (p *detailScanner) object() bool {
	if !p.open() {
		return false
	}
	if p.close('}') {
		return true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' || !p.str() {
			return false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return false
		}
		p.i++
		p.space()
		if !p.value() {
			return false
		}
		if !p.separator() {
			return p.close('}')
		}
	}
}

func (p *detailScanner) array() bool {
	if !p.open() {
		return false
	}
	if p.close(']') {
		return true
	}
	for {
		if !p.value() {
			return false
		}
		if !p.separator() {
			return p.close(']')
		}
	}
}

// str reads a string: no raw control characters, only JSON's escapes, and
// valid UTF-8.
func (p *detailScanner) str() bool {
	p.i++ // opening quote
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return true
		case c == '\\':
			if !p.escape() {
				return false
			}
		case c < 0x20:
			return false
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			p.i += size
		}
	}
	return false
}

// escape reads one backslash escape.
func (p *detailScanner) escape() bool {
	if p.i+1 >= len(p.s) {
		return false
	}
	switch p.s[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return true
	case 'u':
		if p.i+6 > len(p.s) {
			return false
		}
		for _, h := range []byte(p.s[p.i+2 : p.i+6]) {
			if !isHex(h) {
				return false
			}
		}
		p.i += 6
		return true
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *detailScanner) number() bool {
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

// digits consumes [0-9]* and returns how many.
func (p *detailScanner) digits() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
