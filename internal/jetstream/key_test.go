package jetstream

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// kvKeyRe is nats.go's rule for a valid KV key token (no '.').
var kvTokenRe = regexp.MustCompile(`^[-/_=a-zA-Z0-9]+$`)

var hostileSegments = []struct {
	name, seg, enc string
}{
	{"plain", "orders", "orders"},
	{"slash", "a/b", "a/b"},
	{"dot", "a.b", "a=2Eb"},
	{"star", "*", "=2A"},
	{"gt", ">", "=3E"},
	{"space", "my rule", "my=20rule"},
	{"colon arn", "arn:aws:events:eu-west-1:123:rule/x", "arn=3Aaws=3Aevents=3Aeu-west-1=3A123=3Arule/x"},
	{"equals", "a=b", "a=3Db"},
	{"escape lookalike", "=2E", "=3D2E"},
	{"unicode", "é", "=C3=A9"},
	{"invalid utf8", "\xff", "=FF"},
	{"nul", "\x00", "=00"},
	{"dollar", "$KV", "=24KV"},
	{"dots only", "..", "=2E=2E"},
	{"tab newline", "\t\n", "=09=0A"},
}

func TestEncodeSegment(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileSegments {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeKey([]string{tc.seg})
			if err != nil {
				t.Fatalf("encodeKey(%q): %v", tc.seg, err)
			}
			if got != tc.enc {
				t.Errorf("encodeKey(%q) = %q, want %q", tc.seg, got, tc.enc)
			}
			back, err := decodeKey(got)
			if err != nil || !slices.Equal(back, []string{tc.seg}) {
				t.Errorf("decodeKey(%q) = %q, %v", got, back, err)
			}
		})
	}
}

func TestEncodeKeyRejects(t *testing.T) {
	t.Parallel()
	for _, key := range [][]string{nil, {}, {""}, {"a", ""}, {"", "a"}} {
		if _, err := encodeKey(key); !errors.Is(err, errInvalidKey) {
			t.Errorf("encodeKey(%q) = %v, want errInvalidKey", key, err)
		}
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", ".", "a.", ".a", "a..b", "=", "=2", "=2e", "=41", "a b", "a*", ">", "=G0"} {
		if got, err := decodeKey(k); !errors.Is(err, errInvalidKey) {
			t.Errorf("decodeKey(%q) = %q, %v; want errInvalidKey", k, got, err)
		}
	}
}

func TestEncodeFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix []string
		want   []string
	}{
		{nil, []string{">"}},
		{[]string{"a"}, []string{"a", "a.>"}},
		{[]string{"a.b", "c"}, []string{"a=2Eb.c", "a=2Eb.c.>"}},
	}
	for _, tc := range tests {
		got, err := encodeFilter(tc.prefix)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("encodeFilter(%q) = %q, %v; want %q", tc.prefix, got, err, tc.want)
		}
	}
}

// FuzzKeyEncoding checks that any key of non-empty segments encodes to a
// valid KV key of one token per segment, and decodes back to itself.
func FuzzKeyEncoding(f *testing.F) {
	for _, tc := range hostileSegments {
		f.Add(tc.seg, "x")
		f.Add("x", tc.seg)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		key := []string{a, b}
		enc, err := encodeKey(key)
		if a == "" || b == "" {
			if err == nil {
				t.Fatalf("encodeKey(%q) accepted an empty segment", key)
			}
			return
		}
		if err != nil {
			t.Fatalf("encodeKey(%q): %v", key, err)
		}
		toks := strings.Split(enc, ".")
		if len(toks) != 2 {
			t.Fatalf("encodeKey(%q) = %q: %d tokens", key, enc, len(toks))
		}
		for _, tok := range toks {
			if !kvTokenRe.MatchString(tok) {
				t.Fatalf("encodeKey(%q) = %q: invalid token %q", key, enc, tok)
			}
		}
		back, err := decodeKey(enc)
		if err != nil || !slices.Equal(back, key) {
			t.Fatalf("decodeKey(encodeKey(%q)) = %q, %v", key, back, err)
		}
		// Any string decodeKey accepts is canonical: it re-encodes to itself.
		if segs, err := decodeKey(a); err == nil {
			if re, err := encodeKey(segs); err != nil || re != a {
				t.Fatalf("decodeKey(%q) = %q re-encodes to %q, %v", a, segs, re, err)
			}
		}
	})
}
