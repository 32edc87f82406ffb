package pattern

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A condKind names one kind of value condition in a pattern's value list.
type condKind uint8

const (
	condString                condKind = iota // exact string
	condNumber                                // number equal by value (num)
	condLiteral                               // true, false or null (str holds the word)
	condIP                                    // IP address range (ip); an exact IP string or a cidr
	condPrefix                                // string starts with str
	condSuffix                                // string ends with str
	condEqualsIgnoreCase                      // string equals str ignoring case (str is folded)
	condPrefixIgnoreCase                      // folded string starts with str
	condSuffixIgnoreCase                      // folded string ends with str
	condWildcard                              // string matches glob
	condRange                                 // number in [lo, hi] (order-preserving encodings)
	condExists                                // any leaf value
	condAbsent                                // the field has no leaf value (exists: false)
	condAnythingBut                           // any leaf but the strings strs or numbers nums
	condAnythingButPrefix                     // any leaf that is not a string with a prefix in strs
	condAnythingButSuffix                     // any leaf that is not a string with a suffix in strs
	condAnythingButIgnoreCase                 // any leaf that is not a string equal, folded, to one of strs
	condAnythingButWildcard                   // any leaf that is not a string matching one of globs
)

// A cond is one entry of a field's value list. A field matches when any of
// its conds does.
//
// A caller may keep many compiled Patterns, and an automaton keeps the conds
// of the anything-but family it tests, so the operands only some kinds have
// are kept behind pointers: ip for condIP, condList for the anything-but
// family (set for those kinds, nil for the others).
type cond struct {
	kind      condKind
	str       string
	num       float64
	lo        uint64 // condRange bounds, inclusive, as numKey encodings
	hi        uint64
	ip        *ipRange
	glob      *glob
	*condList // the anything-but family only
}

// A condList holds the operands of an anything-but cond.
type condList struct {
	strs  []string
	nums  []float64
	globs []*glob
}

// numKey maps a float64 to a uint64 whose unsigned order is the numeric
// order, with -0 and +0 the same key.
func numKey(f float64) uint64 {
	if f == 0 {
		f = 0
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

// parseNumber reads a JSON number as a float64; ok is false when it is out of
// the float64 range.
func parseNumber(text string) (float64, bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// An ipRange is an inclusive range of IPv4 (4-byte) or IPv6 (16-byte)
// addresses, big-endian.
type ipRange struct {
	v6     bool
	lo, hi [16]byte
}

// looksLikeIP applies the two shapes AWS's matcher tests before it tries to
// read a string as an IP address.
func looksLikeIPv4(s string) bool {
	parts := 0
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			if digits == 0 {
				return false
			}
			parts++
			digits = 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

func looksLikeIPv6(s string) bool {
	colon := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colon = true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return colon
}

// parseIP reads s as an IP address the way the JDK does for the shapes that
// pass looksLikeIPv4/looksLikeIPv6: dotted quads read in decimal (leading
// zeros allowed), IPv6 in any standard form, IPv4-mapped IPv6 addresses
// turned into IPv4. shaped is false when s does not have an IP shape at all;
// ok is false when it has one but is not an address.
func parseIP(s string) (addr [16]byte, v6, shaped, ok bool) {
	switch {
	case looksLikeIPv4(s):
		shaped = true
		part, v := 0, 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || s[i] == '.' {
				addr[part] = byte(v)
				part, v = part+1, 0
				continue
			}
			if v = v*10 + int(s[i]-'0'); v > 255 {
				return addr, false, true, false
			}
		}
		return addr, false, true, true
	case looksLikeIPv6(s):
		a, err := netip.ParseAddr(s)
		if err != nil {
			return addr, false, true, false
		}
		if a.Is4In6() {
			b := a.Unmap().As4()
			copy(addr[:], b[:])
			return addr, false, true, true
		}
		return a.As16(), true, true, true
	}
	return addr, false, false, false
}

// ipPoint is the range holding one address.
func ipPoint(addr [16]byte, v6 bool) *ipRange {
	return &ipRange{v6: v6, lo: addr, hi: addr}
}

// cidrReason returns AWS's reason for a bad cidr value, or "" and the range.
func parseCIDR(s string) (ipRange, string) {
	parts := strings.Split(s, "/")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // Java's split drops trailing empties
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return ipRange{}, "Malformed CIDR, one '/' required"
	}
	bits, ok := javaParseInt(parts[1])
	if !ok {
		return ipRange{}, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return ipRange{}, "Malformed CIDR, mask bits must not be negative"
	}
	addr, v6, shaped, ok := parseIP(parts[0])
	if !shaped {
		return ipRange{}, "Nonstandard IP address: " + parts[0]
	}
	if !ok {
		return ipRange{}, "Invalid IP address: " + parts[0]
	}
	width := 32
	if v6 {
		width = 128
	}
	if !v6 && bits > 31 {
		return ipRange{}, "IPv4 mask bits must be < 32"
	}
	if v6 && bits > 127 {
		return ipRange{}, "IPv6 mask bits must be < 128"
	}
	r := ipRange{v6: v6, lo: addr, hi: addr}
	for i := bits; i < width; i++ {
		r.lo[i/8] &^= 0x80 >> (i % 8)
		r.hi[i/8] |= 0x80 >> (i % 8)
	}
	return r, ""
}

// javaParseInt mirrors Integer.parseInt for ASCII input: optional sign, at
// least one digit, within int32.
func javaParseInt(s string) (int, bool) {
	if s == "" || s == "+" || s == "-" {
		return 0, false
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	v := int64(0)
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > math.MaxInt32 || v < math.MinInt32 {
		return 0, false
	}
	return int(v), true
}

// fold maps s to its case-folded form for equals-ignore-case: every rune is
// lower-cased after upper-casing, so both cases of a letter fold alike.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') {
			return foldSlow(s)
		}
	}
	return s
}

func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// appendFold appends the folded form of b to dst.
func appendFold(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		dst = utf8.AppendRune(dst, foldRune(r))
		i += size
	}
	return dst
}
