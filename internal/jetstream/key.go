package jetstream

import (
	"errors"
	"fmt"
	"strings"
)

// Key encoding. A KV key is a path of arbitrary non-empty strings; a JetStream
// KV key is a '.'-separated list of tokens of [-/_=.a-zA-Z0-9]. Each segment
// becomes one token: bytes in [A-Za-z0-9_/-] stand for themselves, every other
// byte (including '=', '.', '*', '>', space, and each byte of a multi-byte
// UTF-8 rune) is written as '=' and two upper-case hex digits. The encoding
// is canonical (a byte is escaped if and only if it must be), so decoding
// accepts exactly the tokens encoding produces and keys stay readable in the
// nats CLI. Ordering is not preserved; List sorts after decoding.

// errInvalidKey reports a key the KV interface does not allow (no segments,
// or an empty segment) or a stored key this encoding did not produce.
var errInvalidKey = errors.New("jetstream: invalid key")

const hexDigits = "0123456789ABCDEF"

// plain reports whether b stands for itself in an encoded segment.
func plain(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		b == '-' || b == '_' || b == '/'
}

// appendSegment appends the encoding of the non-empty segment s to sb.
func appendSegment(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plain(c) {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('=')
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&0x0f])
	}
}

// encodeKey returns the JetStream KV key for segments, or errInvalidKey if
// there are none or one is empty.
func encodeKey(segments []string) (string, error) {
	if len(segments) == 0 {
		return "", fmt.Errorf("%w: no segments", errInvalidKey)
	}
	var sb strings.Builder
	if err := appendPath(&sb, segments); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func appendPath(sb *strings.Builder, segments []string) error {
	for i, s := range segments {
		if s == "" {
			return fmt.Errorf("%w: segment %d is empty", errInvalidKey, i)
		}
		if i > 0 {
			sb.WriteByte('.')
		}
		appendSegment(sb, s)
	}
	return nil
}

// encodeFilter returns the KV key filters matching every key that starts with
// the whole segments of prefix: the prefix key itself and everything below
// it. An empty prefix matches the whole bucket (">").
func encodeFilter(prefix []string) ([]string, error) {
	if len(prefix) == 0 {
		return []string{">"}, nil
	}
	exact, err := encodeKey(prefix)
	if err != nil {
		return nil, err
	}
	return []string{exact, exact + ".>"}, nil
}

// decodeKey returns the segments of a JetStream KV key made by encodeKey, or
// errInvalidKey if encodeKey cannot have made it.
func decodeKey(key string) ([]string, error) {
	n := strings.Count(key, ".") + 1
	segments := make([]string, 0, n)
	for tok := range strings.SplitSeq(key, ".") {
		s, err := decodeSegment(tok)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", errInvalidKey, key, err)
		}
		segments = append(segments, s)
	}
	return segments, nil
}

func decodeSegment(tok string) (string, error) {
	if tok == "" {
		return "", errors.New("empty segment")
	}
	if !strings.Contains(tok, "=") {
		for i := 0; i < len(tok); i++ {
			if !plain(tok[i]) {
				return "", fmt.Errorf("byte %q at %d is not allowed", tok[i], i)
			}
		}
		return tok, nil
	}
	var sb strings.Builder
	sb.Grow(len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case plain(c):
			sb.WriteByte(c)
		case c == '=' && i+2 < len(tok) && isHex(tok[i+1]) && isHex(tok[i+2]):
			b := unhex(tok[i+1])<<4 | unhex(tok[i+2])
			if plain(b) {
				return "", fmt.Errorf("escape at %d of a plain byte", i)
			}
			sb.WriteByte(b)
			i += 2
		default:
			return "", fmt.Errorf("bad byte or escape at %d", i)
		}
	}
	return sb.String(), nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}
