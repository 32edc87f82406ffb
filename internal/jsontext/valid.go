// Package jsontext owns reading and writing JSON text in place, without
// decoding it into Go values: checking a document against RFC 8259,
// finding where a value ends, the number grammar, decoding a string's
// escapes, compacting, and writing strings. Ingest (package eventbus), the
// input transformer (package transform) and the request decoder (package
// apimodel) all read JSON through it; package pattern keeps its own
// scanner, fused with matching, which measures faster there.
//
// It never allocates beyond the slices it is asked to append to, and never
// panics or loops on malformed text.
package jsontext

import "unicode/utf8"

// ValidObject reports whether s is one JSON object, optionally surrounded by
// whitespace, in valid UTF-8, nesting objects and arrays at most maxDepth
// deep.
func ValidObject(s string, maxDepth int) bool {
	p := scanner{s: s, maxDepth: maxDepth}
	return p.document()
}

// AppendCompact appends the JSON text s without its whitespace outside
// strings, copying everything else (key order, number spelling, escapes)
// byte for byte, in runs. Ingest compacts an
// event's Detail with it, package transform the values it copies out of an
// event. s should be valid JSON; on text that is not it never panics, and
// copies an unterminated string to the end.
func AppendCompact[T ~string | ~[]byte](dst []byte, s T) []byte {
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

// A scanner checks one JSON document in s.
type scanner struct {
	s               string
	i               int
	depth, maxDepth int
}

// document reads whitespace, one object, whitespace, and the end of s.
func (p *scanner) document() bool {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' || !p.value() {
		return false
	}
	p.space()
	return p.i == len(p.s)
}

func (p *scanner) space() {
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
func (p *scanner) value() bool {
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

func (p *scanner) literal(word string) bool {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return false
	}
	p.i += len(word)
	return true
}

// open consumes an opening bracket, counting depth.
func (p *scanner) open() bool {
	p.depth++
	if p.depth > p.maxDepth {
		return false
	}
	p.i++
	p.space()
	return true
}

// close consumes the closing bracket b if it is next, reporting whether it was.
func (p *scanner) close(b byte) bool {
	if p.i < len(p.s) && p.s[p.i] == b {
		p.i++
		p.depth--
		return true
	}
	return false
}

// separator consumes a ',' between members, reporting whether there was one.
func (p *scanner) separator() bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.space()
		return true
	}
	return false
}

func (p *scanner) object() bool {
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

func (p *scanner) array() bool {
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
func (p *scanner) str() bool {
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
func (p *scanner) escape() bool {
	if p.i+1 >= len(p.s) {
		return false
	}
	switch p.s[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
		return true
	case 'u':
		if _, ok := hex4(p.s[p.i+2:]); !ok {
			return false
		}
		p.i += 6
		return true
	}
	return false
}

// number reads a number (see NumberEnd).
func (p *scanner) number() bool {
	end, ok := NumberEnd(p.s, p.i)
	p.i = end
	return ok
}
