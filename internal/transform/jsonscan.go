package transform

import (
	"unicode/utf8"

	"github.com/switchyard/switchyard/internal/jsontext"
)

// This file reads JSON text in place with package jsontext: it walks an
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

// A member is one name/value pair of an object: name is the raw name
// between its quotes, value the raw value.
type member struct {
	name, value []byte
}

// members calls fn with each member of the object whose '{' is obj[0], in
// order, until fn returns false. It returns false if the object is
// malformed where it was read.
func members(obj []byte, fn func(m member) bool) bool {
	i := jsontext.SkipSpace(obj, 1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for i < len(obj) {
		if obj[i] != '"' {
			return false
		}
		nameEnd, ok := jsontext.StringEnd(obj, i)
		if !ok {
			return false
		}
		name := obj[i+1 : nameEnd-1]
		i = jsontext.SkipSpace(obj, nameEnd)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = jsontext.SkipSpace(obj, i+1)
		end, ok := jsontext.ValueEnd(obj, i)
		if !ok {
			return false
		}
		if !fn(member{name: name, value: obj[i:end]}) {
			return true
		}
		i = jsontext.SkipSpace(obj, end)
		if i >= len(obj) {
			return false
		}
		if obj[i] == '}' {
			return true
		}
		if obj[i] != ',' {
			return false
		}
		i = jsontext.SkipSpace(obj, i+1)
	}
	return false
}

// elements calls fn with each element of the array whose '[' is arr[0], in
// order, until fn returns false. It returns false if the array is malformed
// where it was read.
func elements(arr []byte, fn func(v []byte) bool) bool {
	i := jsontext.SkipSpace(arr, 1)
	if i < len(arr) && arr[i] == ']' {
		return true
	}
	for i < len(arr) {
		end, ok := jsontext.ValueEnd(arr, i)
		if !ok {
			return false
		}
		if !fn(arr[i:end]) {
			return true
		}
		i = jsontext.SkipSpace(arr, end)
		if i >= len(arr) {
			return false
		}
		if arr[i] == ']' {
			return true
		}
		if arr[i] != ',' {
			return false
		}
		i = jsontext.SkipSpace(arr, i+1)
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
		r, n := jsontext.DecodeEscape(raw[i:])
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

// appendUnquoted appends the object or array v as EventBridge puts one
// inside a JSON string: compact, with the quotes around its strings removed
// and everything else, escapes included, kept, so that the result is valid
// inside a JSON string ({"a":"x"} becomes {a:x}).
func appendUnquoted(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			end, ok := jsontext.StringEnd(v, i)
			if ok {
				end-- // drop the closing quote
			}
			dst = append(dst, v[i+1:end]...)
			i = end
		case jsontext.IsSpace(c):
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
