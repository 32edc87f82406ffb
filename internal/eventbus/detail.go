package eventbus

import "github.com/switchyard/switchyard/internal/jsontext"

// This file checks and compacts an event's Detail with package jsontext:
// everything but whitespace outside strings is kept byte for byte, so key
// order, duplicate keys, number spelling and escapes stay exactly as the
// caller wrote them.

// ValidDetail reports whether detail is a JSON object (optionally surrounded
// by whitespace) in valid UTF-8, nested at most MaxDetailDepth deep.
func ValidDetail(detail string) bool {
	return jsontext.ValidObject(detail, MaxDetailDepth)
}

// AppendCompactDetail appends detail without its insignificant whitespace.
// It reports false, returning dst unchanged, when ValidDetail(detail) is
// false.
func AppendCompactDetail(dst []byte, detail string) ([]byte, bool) {
	if !ValidDetail(detail) {
		return dst, false
	}
	return jsontext.AppendCompact(dst, detail), true
}
