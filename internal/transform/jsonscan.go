package transform

import (
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads JSON text in place: it finds a value's extent, walks an
// object's members or an array's elements, and compares a raw member name
// with a string, without decoding anything into Go values. It trusts that
// the event is JSON as eventbus builds it and checks only what it reads: a
// malformed event never makes it panic or loop, but it may make it take a
// value's extent from brackets alone.

// A kind is the JSON type of a value, as its first byte tells it.
type kind uint8

const (
	kindMissing kind = iota // the path matched nothing
	kindString
	kindNumber
	kindLiteral // true, false or null
	kindObject
	kindArray
)

// kindOf returns the kind of the value starting with c, or kindMissing if c
// starts no JSON value.
func kindOf(c byte) kind {
	switch {
	case c == '"':
		return kindString
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == 't' || c == 'f' || c == 'n':
		return kindLiteral
	case c == '-' || c >= '0' && c <= '9':
		return kindNumber
	}
	return kindMissing
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-whitespace byte of b at or
// after i (len(b) if none).
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the index just past the value starting at b[i], and
// false if no complete value starts there.
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch kindOf(b[i]) {
	case kindString:
		return stringEnd(b, i)
	case kindObject, kindArray:
		return containerEnd(b, i)
	case kindLiteral:
		for _, w := range [...]string{"true", "false", "null"} {
			if len(b)-i >= len(w) && string(b[i:i+len(w)]) == w {
				return i + len(w), true
			}
		}
		return i, false
	case kindNumber:
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		return j, true
	}
	return i, false
}

// stringEnd returns the index just past the string whose opening quote is
// b[i].
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(b), false
}

// containerEnd returns the index just past the object or array opening at
// b[i], by counting brackets outside strings.
func containerEnd(b []byte, i int) (int, bool) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, ok := stringEnd(b, j)
			if !ok {
				return end, false
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return len(b), false
}

// A member is one name/value pair of an object: name is the raw name
// between its quotes, value the raw value.
type member struct {
	name, value []byte
}

// members calls fn with each member of the object whose '{' is obj[0], in
// order, until fn returns false. It returns false if the object is
// malformed where it was read.
func members(obj []byte, fn func(m member) bool) bool {
	i := skipSpace(obj, 1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for i < len(obj) {
		if obj[i] != '"' {
			return false
		}
		nameEnd, ok := stringEnd(obj, i)
		if !ok {
			return false
		}
		name := obj[i+1 : nameEnd-1]
		i = skipSpace(obj, nameEnd)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = skipSpace(obj, i+1)
		end, ok := valueEnd(obj, i)
		if !ok {
			return false
		}
		if !fn(member{name: name, value: obj[i:end]}) {
			return true
		}
		i = skipSpace(obj, end)
		if i >= len(obj) {
			return false
		}
		if obj[i] == '}' {
			return true
		}
		if obj[i] != ',' {
			return false
		}
		i = skipSpace(obj, i+1)
	}
	return false
}

// elements calls fn with each element of the array whose '[' is arr[0], in
// order, until fn returns false. It returns false if the array is malformed
// where it was read.
func elements(arr []byte, fn func(v []byte) bool) bool {
	i := skipSpace(arr, 1)
	if i < len(arr) && arr[i] == ']' {
		return true
	}
	for i < len(arr) {
		end, ok := valueEnd(arr, i)
		if !ok {
			return false
		}
		if !fn(arr[i:end]) {
			return true
		}
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return false
		}
		if arr[i] == ']' {
			return true
		}
		if arr[i] != ',' {
			return false
		}
		i = skipSpace(arr, i+1)
	}
	return false
}

// nameEquals reports whether the raw JSON string content raw (escapes not
// decoded) denotes exactly the string s.
func nameEquals(raw []byte, s string) bool {
	if len(raw) < len(s) {
		return false // an escape only ever makes the raw form longer
	}
	j := 0
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			if j >= len(s) || s[j] != c {
				return false
			}
			i, j = i+1, j+1
			continue
		}
		r, n := decodeEscape(raw[i:])
		if n == 0 {
			return false
		}
		i += n
		var buf [utf8.UTFMax]byte
		w := utf8.EncodeRune(buf[:], r)
		if len(s)-j < w || string(buf[:w]) != s[j:j+w] {
			return false
		}
		j += w
	}
	return j == len(s)
}

// decodeEscape decodes the escape sequence at the start of b (b[0] is '\')
// and returns the rune and the bytes it took, or n == 0 if it is invalid.
// A \u escape of a surrogate pair takes both halves; a lone surrogate
// decodes as U+FFFD.
func decodeEscape(b []byte) (r rune, n int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch b[1] {
	case '"', '\\', '/':
		return rune(b[1]), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r1, ok := hex4(b[2:])
		if !ok {
			return 0, 0
		}
		if utf16.IsSurrogate(r1) && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2, ok := hex4(b[8:]); ok {
				if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
					return dec, 12
				}
			}
		}
		if utf16.IsSurrogate(r1) {
			return utf8.RuneError, 6
		}
		return r1, 6
	}
	return 0, 0
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// appendUnquoted appends the object or array v as EventBridge puts one
// inside a JSON string: compact, with the quotes around its strings removed
// and everything else, escapes included, kept, so that the result is valid
// inside a JSON string ({"a":"x"} becomes {a:x}).
func appendUnquoted(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			end, ok := stringEnd(v, i)
			if ok {
				end-- // drop the closing quote
			}
			dst = append(dst, v[i+1:end]...)
			i = end
		case isSpace(c):
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s escaped as the content of a JSON string (no
// quotes): '"', '\' and control characters escaped, invalid UTF-8 replaced
// by U+FFFD.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}
