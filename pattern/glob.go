package pattern

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A glob is a compiled wildcard pattern: literal segments separated by '*'.
// segs always has one more element than there are stars; the first and the
// last may be empty.
type glob struct {
	src  string // the pattern text as written (escapes intact)
	segs []string
}

// parseGlob reads a wildcard pattern. On a bad one it returns AWS's reason;
// positions count UTF-8 bytes of the value with a leading quote, as AWS's
// parser sees it.
func parseGlob(text string) (*glob, string) {
	g := &glob{src: text}
	var cur strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '*':
			if i+1 < len(text) && text[i+1] == '*' {
				return nil, "Consecutive wildcard characters at pos " + strconv.Itoa(i+1)
			}
			g.segs = append(g.segs, cur.String())
			cur.Reset()
		case '\\':
			if i+1 < len(text) && (text[i+1] == '*' || text[i+1] == '\\') {
				cur.WriteByte(text[i+1])
				i++
				continue
			}
			return nil, "Invalid escape character at pos " + strconv.Itoa(i+1)
		default:
			cur.WriteByte(c)
		}
	}
	g.segs = append(g.segs, cur.String())
	return g, ""
}

// literal reports whether the glob has no wildcard, and its text.
func (g *glob) literal() (string, bool) {
	if len(g.segs) == 1 {
		return g.segs[0], true
	}
	return "", false
}

// match reports whether s matches the glob. It runs in time linear in
// len(s) times the number of segments.
func (g *glob) match(s []byte) bool {
	segs := g.segs
	if len(segs) == 1 {
		return string(s) == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || string(s[:len(first)]) != first || string(s[len(s)-len(last):]) != last {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := indexBytes(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return true
}

func indexBytes(s []byte, sub string) int {
	if len(sub) == 0 {
		return 0
	}
	n := len(s) - len(sub)
	c := sub[0]
	for i := 0; i <= n; i++ {
		if s[i] == c && string(s[i:i+len(sub)]) == sub {
			return i
		}
	}
	return -1
}

// javaHashOrder returns vals (distinct, in insertion order) in the order a
// java.util.HashSet of them iterates, which decides which of several bad
// values AWS reports.
func javaHashOrder(vals []string) []string {
	capacity := 16
	for float64(len(vals)) > 0.75*float64(capacity) {
		capacity *= 2
	}
	type entry struct {
		bucket, seq int
		v           string
	}
	es := make([]entry, len(vals))
	for i, v := range vals {
		h := int32(0)
		for _, u := range utf16.Encode([]rune(v)) {
			h = 31*h + int32(u)
		}
		x := uint32(h)
		x ^= x >> 16
		es[i] = entry{int(x & uint32(capacity-1)), i, v}
	}
	sort.SliceStable(es, func(a, b int) bool { return es[a].bucket < es[b].bucket })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.v
	}
	return out
}
