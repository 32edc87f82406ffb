package pattern

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// ErrNotObject and ErrInvalidJSON are returned for events Match cannot read.
var (
	ErrNotObject   = errors.New("pattern: event is not a JSON object")
	ErrInvalidJSON = errors.New("pattern: event is not valid JSON")
)

// bytesString views b as a string without copying; the string must not
// outlive b or escape.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// A pathNode is one step of the tree of field paths some pattern mentions.
// The scanner follows it while reading an event and skips, unread, every
// value under a key it does not have.
type pathNode struct {
	kids map[string]*pathNode
	few  []pathKid // the kids, when there are few: a scan beats hashing
	id   int32     // path id when a pattern names this path, else -1
	refs int       // paths at or below this node
}

type pathKid struct {
	key  string
	node *pathNode
}

const fewKids = 8

func (n *pathNode) child(k string) *pathNode {
	if n.kids == nil {
		return nil
	}
	if len(n.few) > 0 {
		for i := range n.few {
			if n.few[i].key == k {
				return n.few[i].node
			}
		}
		return nil
	}
	return n.kids[k]
}

// reindex rebuilds the linear list after kids changes.
func (n *pathNode) reindex() {
	n.few = n.few[:0]
	if len(n.kids) > fewKids {
		return
	}
	for k, v := range n.kids {
		n.few = append(n.few, pathKid{k, v})
	}
}

// A leaf is one scalar value of the event at a path some pattern mentions.
type leaf struct {
	path       int32
	kind       leafKind
	esc        bool  // string with escapes: decode before use
	start, end int32 // value bytes (for a string, between the quotes)
	trail      int32 // offset of its array positions in scratch.trails
	ntrail     int32
	next       int32 // next leaf of the same path, or -1
}

// An arrayPos says a value sits at index idx of the event array with id arr.
type arrayPos struct{ arr, idx int32 }

// A scanner reads an event once, left to right, recording the leaves at
// known paths; it builds no tree.
type scanner struct {
	buf   []byte
	i     int
	sc    *scratch
	stack []arrayPos
	depth int
}

const maxEventDepth = 10000

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func (s *scanner) ws() {
	for s.i < len(s.buf) && isSpace(s.buf[s.i]) {
		s.i++
	}
}

// scanEvent reads the whole event into sc.leaves.
func scanEvent(buf []byte, root *pathNode, sc *scratch) error {
	s := scanner{buf: buf, sc: sc, stack: sc.stack[:0]}
	s.ws()
	if s.i >= len(buf) || buf[s.i] != '{' {
		if s.i < len(buf) && s.value(nil) == nil {
			s.ws()
			if s.i == len(buf) {
				return ErrNotObject
			}
		}
		return ErrInvalidJSON
	}
	if err := s.value(root); err != nil {
		return err
	}
	s.ws()
	sc.stack = s.stack
	if s.i != len(buf) {
		return ErrInvalidJSON
	}
	sc.pruneTrails()
	return nil
}

// pruneTrails drops from each leaf's trail the arrays that hold leaves of
// one path only: no two fields of a branch can meet in such an array, so its
// index never decides a match, and leaves without trails let the walk visit
// each child state once.
func (sc *scratch) pruneTrails() {
	for i := range sc.leaves {
		l := &sc.leaves[i]
		t := sc.trails[l.trail : l.trail+l.ntrail]
		k := 0
		for _, p := range t {
			if sc.arrMulti[p.arr] {
				t[k] = p
				k++
			}
		}
		l.ntrail = int32(k)
	}
}

// value reads one value at path node n (nil: a path no pattern mentions).
func (s *scanner) value(n *pathNode) error {
	if n == nil {
		return s.skip()
	}
	if s.i >= len(s.buf) {
		return ErrInvalidJSON
	}
	switch c := s.buf[s.i]; {
	case c == '{':
		return s.object(n)
	case c == '[':
		return s.array(n)
	case c == '"':
		start := s.i + 1
		esc, err := s.str()
		if err != nil {
			return err
		}
		if n != nil && n.id >= 0 {
			s.record(n, leafString, esc, start, s.i-1)
		}
		return nil
	case c == 't':
		return s.word("true", n)
	case c == 'f':
		return s.word("false", n)
	case c == 'n':
		return s.word("null", n)
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		if !s.number() {
			return ErrInvalidJSON
		}
		if n != nil && n.id >= 0 {
			s.record(n, leafNumber, false, start, s.i)
		}
		return nil
	}
	return ErrInvalidJSON
}

func (s *scanner) record(n *pathNode, kind leafKind, esc bool, start, end int) {
	sc := s.sc
	l := leaf{path: n.id, kind: kind, esc: esc, start: int32(start), end: int32(end),
		trail: int32(len(sc.trails)), ntrail: int32(len(s.stack))}
	sc.trails = append(sc.trails, s.stack...)
	for _, p := range s.stack {
		switch first := sc.arrPath[p.arr]; {
		case first == -1:
			sc.arrPath[p.arr] = n.id
		case first != n.id:
			sc.arrMulti[p.arr] = true
		}
	}
	if sc.head[n.id] < 0 {
		sc.touched = append(sc.touched, n.id)
	}
	l.next = sc.head[n.id]
	sc.head[n.id] = int32(len(sc.leaves))
	sc.leaves = append(sc.leaves, l)
}

func (s *scanner) word(w string, n *pathNode) error {
	if len(s.buf)-s.i < len(w) || string(s.buf[s.i:s.i+len(w)]) != w {
		return ErrInvalidJSON
	}
	start := s.i
	s.i += len(w)
	if n != nil && n.id >= 0 {
		s.record(n, leafLiteral, false, start, s.i)
	}
	return nil
}

func (s *scanner) number() bool {
	b, i := s.buf, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	s.i = i
	return true
}

// str reads a string at its opening quote, leaving s.i past the closing one.
// It validates escapes and reports whether there were any.
func (s *scanner) str() (bool, error) {
	b := s.buf
	i := s.i + 1
	esc := false
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return false, ErrInvalidJSON
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return false, ErrInvalidJSON
				}
				for _, h := range b[i+2 : i+6] {
					if hexVal(rune(h)) < 0 {
						return false, ErrInvalidJSON
					}
				}
				i += 6
			default:
				return false, ErrInvalidJSON
			}
		case c < 0x20:
			return false, ErrInvalidJSON
		default:
			i++
		}
	}
	return false, ErrInvalidJSON
}

func (s *scanner) object(n *pathNode) error {
	if s.depth++; s.depth > maxEventDepth {
		return ErrInvalidJSON
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.buf) && s.buf[s.i] == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if s.i >= len(s.buf) || s.buf[s.i] != '"' {
			return ErrInvalidJSON
		}
		start := s.i + 1
		esc, err := s.str()
		if err != nil {
			return err
		}
		var kid *pathNode
		if n != nil && n.kids != nil {
			kid = s.lookup(n, s.buf[start:s.i-1], esc)
		}
		s.ws()
		if s.i >= len(s.buf) || s.buf[s.i] != ':' {
			return ErrInvalidJSON
		}
		s.i++
		s.ws()
		if err := s.value(kid); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.buf) {
			return ErrInvalidJSON
		}
		if s.buf[s.i] == '}' {
			s.i++
			s.depth--
			return nil
		}
		if s.buf[s.i] != ',' {
			return ErrInvalidJSON
		}
		s.i++
		s.ws()
	}
}

// lookup finds the path node for key under n; a key holding dots is the
// same path as nested keys.
func (s *scanner) lookup(n *pathNode, key []byte, esc bool) *pathNode {
	if esc {
		s.sc.key = unescape(s.sc.key[:0], key)
		key = s.sc.key
	}
	for {
		dot := -1
		for j, c := range key {
			if c == '.' {
				dot = j
				break
			}
		}
		if dot < 0 {
			return n.child(bytesString(key))
		}
		if n = n.child(bytesString(key[:dot])); n == nil {
			return nil
		}
		key = key[dot+1:]
	}
}

func (s *scanner) array(n *pathNode) error {
	if s.depth++; s.depth > maxEventDepth {
		return ErrInvalidJSON
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.buf) && s.buf[s.i] == ']' {
		s.i++
		s.depth--
		return nil
	}
	id := int32(len(s.sc.arrPath)) // arrays are numbered only on mentioned paths
	s.sc.arrPath = append(s.sc.arrPath, -1)
	s.sc.arrMulti = append(s.sc.arrMulti, false)
	for idx := int32(0); ; idx++ {
		if n != nil {
			s.stack = append(s.stack, arrayPos{id, idx})
		}
		if err := s.value(n); err != nil {
			return err
		}
		if n != nil {
			s.stack = s.stack[:len(s.stack)-1]
		}
		s.ws()
		if s.i >= len(s.buf) {
			return ErrInvalidJSON
		}
		if s.buf[s.i] == ']' {
			s.i++
			s.depth--
			return nil
		}
		if s.buf[s.i] != ',' {
			return ErrInvalidJSON
		}
		s.i++
		s.ws()
	}
}

// unescape appends the decoded form of a valid JSON string body b to dst.
func unescape(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch b[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(b[i+1:]))
			i += 4
			if utf16.IsSurrogate(r) && r < 0xdc00 && i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
				if lo := rune(hex4(b[i+3:])); lo >= 0xdc00 && lo <= 0xdfff {
					r = utf16.DecodeRune(r, lo)
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = append(dst, b[i])
		}
	}
	return dst
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b[:4] {
		v = v<<4 | hexVal(rune(c))
	}
	return v
}
