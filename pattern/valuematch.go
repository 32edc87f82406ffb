package pattern

import "encoding/binary"

// A valueMatcher holds every condition some state of the automaton places on
// one field, each leading to a child state. Given one value of that field it
// lists the children whose condition the value meets. Conditions are indexed
// by kind: exact strings in a strIndex, other exact values in hash maps,
// prefixes and suffixes in byte tries, numbers and IP addresses in range
// tries, wildcards in tries keyed by their literal ends; only anything-but
// and unanchored wildcards are tested one by one.
type valueMatcher struct {
	strings strIndex // exact strings
	*vmRare          // every other kind of condition; nil until one is added
	count   int      // conditions held
}

// A vmRare holds the conditions other than exact strings. Most value
// matchers of a large automaton hold one exact string, so these fields are
// kept apart and allocated only when used.
type vmRare struct {
	exists    []int32
	absent    []int32
	literals  map[string][]int32 // true, false, null, and numbers beyond float64, by text
	numbers   map[uint64][]int32 // exact numbers, by numKey
	ranges    *rangeTrie         // numeric ranges over numKey, 64 bits, once there are many
	rangeList []numRange         // numeric ranges, scanned while there are few
	ip4, ip6  *rangeTrie
	prefix    *byteTrie
	suffix    *byteTrie // keys reversed
	folded    map[string][]int32
	prefixCI  *byteTrie // folded keys
	suffixCI  *byteTrie // folded keys, reversed

	globs     []globEntry // wildcard conditions; index = value stored in the tries below
	globFree  []int32
	globFirst *byteTrie   // leading literal -> index into globLast
	globLast  []*byteTrie // per leading literal: trailing literal (reversed) -> glob

	anyButs []anyButEntry
}

type numRange struct {
	lo, hi uint64
	child  int32
}

// maxRangeList is how many numeric ranges a matcher scans one by one before
// it indexes them in a rangeTrie.
const maxRangeList = 16

type globEntry struct {
	g     *glob
	child int32
}

type anyButEntry struct {
	c     *cond
	key   string
	child int32
}

func (m *valueMatcher) empty() bool { return m.count == 0 }

func appendTo(mp *map[string][]int32, k string, v int32) {
	if *mp == nil {
		*mp = map[string][]int32{}
	}
	(*mp)[k] = append((*mp)[k], v)
}

func removeFrom(mp map[string][]int32, k string, v int32) {
	s := mp[k]
	removeVal(&s, v)
	if len(s) == 0 {
		delete(mp, k)
	} else {
		mp[k] = s
	}
}

func trieFor(t **byteTrie) *byteTrie {
	if *t == nil {
		*t = &byteTrie{}
	}
	return *t
}

func rangeFor(t **rangeTrie, bits int) *rangeTrie {
	if *t == nil {
		*t = &rangeTrie{bits: bits}
	}
	return *t
}

func numBytes(k uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], k)
	return b[:]
}

// update adds (add) or removes the condition c leading to child.
func (m *valueMatcher) update(c *cond, child int32, add bool) {
	if add {
		m.count++
	} else {
		m.count--
	}
	if m.vmRare == nil && c.kind != condString {
		m.vmRare = &vmRare{}
	}
	switch c.kind {
	case condString:
		m.updateStr(c.str, child, add)
	case condLiteral:
		m.updateMap(&m.literals, c.str, child, add)
	case condNumber:
		k := numKey(c.num)
		if add {
			if m.numbers == nil {
				m.numbers = map[uint64][]int32{}
			}
			m.numbers[k] = append(m.numbers[k], child)
		} else {
			s := m.numbers[k]
			removeVal(&s, child)
			if len(s) == 0 {
				delete(m.numbers, k)
			} else {
				m.numbers[k] = s
			}
		}
	case condRange:
		if c.lo <= c.hi {
			m.updateRange(c.lo, c.hi, child, add)
		}
	case condIP:
		if c.ip.v6 {
			rangeFor(&m.ip6, 128).update(c.ip.lo[:16], c.ip.hi[:16], child, add)
		} else {
			rangeFor(&m.ip4, 32).update(c.ip.lo[:4], c.ip.hi[:4], child, add)
		}
	case condPrefix:
		m.updateTrie(&m.prefix, c.str, false, child, add)
	case condSuffix:
		m.updateTrie(&m.suffix, c.str, true, child, add)
	case condEqualsIgnoreCase:
		m.updateMap(&m.folded, c.str, child, add)
	case condPrefixIgnoreCase:
		m.updateTrie(&m.prefixCI, c.str, false, child, add)
	case condSuffixIgnoreCase:
		m.updateTrie(&m.suffixCI, c.str, true, child, add)
	case condWildcard:
		m.updateGlob(c.glob, child, add)
	case condExists:
		m.updateList(&m.exists, child, add)
	case condAbsent:
		m.updateList(&m.absent, child, add)
	default: // the anything-but family
		if add {
			m.anyButs = append(m.anyButs, anyButEntry{c: c, key: condKey(c), child: child})
			return
		}
		k := condKey(c)
		for i, e := range m.anyButs {
			if e.child == child && e.key == k {
				m.anyButs = append(m.anyButs[:i], m.anyButs[i+1:]...)
				return
			}
		}
	}
}

func (m *valueMatcher) updateRange(lo, hi uint64, child int32, add bool) {
	if add {
		m.rangeList = append(m.rangeList, numRange{lo, hi, child})
		if m.ranges != nil {
			m.ranges.update(numBytes(lo), numBytes(hi), child, true)
		} else if len(m.rangeList) > maxRangeList {
			for _, r := range m.rangeList {
				rangeFor(&m.ranges, 64).update(numBytes(r.lo), numBytes(r.hi), r.child, true)
			}
		}
		return
	}
	for i, r := range m.rangeList {
		if r.lo == lo && r.hi == hi && r.child == child {
			m.rangeList = append(m.rangeList[:i], m.rangeList[i+1:]...)
			break
		}
	}
	if m.ranges != nil {
		m.ranges.update(numBytes(lo), numBytes(hi), child, false)
	}
}

func (m *valueMatcher) updateMap(mp *map[string][]int32, k string, child int32, add bool) {
	if add {
		appendTo(mp, k, child)
	} else if *mp != nil {
		removeFrom(*mp, k, child)
	}
}

func (m *valueMatcher) updateStr(k string, child int32, add bool) {
	if add {
		m.strings.add(k, child)
	} else {
		m.strings.remove(k, child)
	}
}

func (m *valueMatcher) updateTrie(t **byteTrie, k string, reverse bool, child int32, add bool) {
	if add {
		trieFor(t).insert(k, reverse, child)
	} else if *t != nil {
		(*t).remove(k, reverse, child)
	}
}

func (m *valueMatcher) updateList(l *[]int32, child int32, add bool) {
	if add {
		*l = append(*l, child)
	} else {
		removeVal(l, child)
	}
}

// updateGlob indexes a wildcard by both its literal ends: a value reaches
// only the wildcards whose leading literal is a prefix of it and whose
// trailing literal is a suffix of it, and only those are run.
func (m *valueMatcher) updateGlob(g *glob, child int32, add bool) {
	if lit, ok := g.literal(); ok {
		m.updateStr(lit, child, add)
		return
	}
	first, last := g.segs[0], g.segs[len(g.segs)-1]
	sub := m.lastTrie(first, add)
	if !add {
		for i, e := range m.globs {
			if e.g != nil && e.child == child && e.g.src == g.src {
				idx := int32(i)
				if sub != nil {
					sub.remove(last, true, idx)
				}
				m.globs[i] = globEntry{}
				m.globFree = append(m.globFree, idx)
				return
			}
		}
		return
	}
	var idx int32
	if n := len(m.globFree); n > 0 {
		idx = m.globFree[n-1]
		m.globFree = m.globFree[:n-1]
		m.globs[idx] = globEntry{g, child}
	} else {
		idx = int32(len(m.globs))
		m.globs = append(m.globs, globEntry{g, child})
	}
	sub.insert(last, true, idx)
}

// lastTrie returns the trie of trailing literals for globs with the leading
// literal first, creating it when create is set.
func (m *valueMatcher) lastTrie(first string, create bool) *byteTrie {
	t := trieFor(&m.globFirst)
	n := &t.root
	for i := 0; i < len(first) && n != nil; i++ {
		if create {
			n = n.makeChild(first[i])
		} else {
			n = n.child(first[i])
		}
	}
	if n == nil {
		return nil
	}
	if len(n.vals) == 0 {
		if !create {
			return nil
		}
		n.vals = append(n.vals, int32(len(m.globLast)))
		m.globLast = append(m.globLast, &byteTrie{})
		t.size++
	}
	return m.globLast[n.vals[0]]
}

// leafKind is the JSON type of an event value.
type leafKind uint8

const (
	leafString leafKind = iota
	leafNumber
	leafLiteral // true, false, null
)

// matchString appends the children whose condition the string s (unescaped)
// meets. sc provides scratch space.
func (m *valueMatcher) matchString(s []byte, sc *scratch, out []int32) []int32 {
	out = m.strings.lookup(s, out)
	if m.vmRare == nil {
		return out
	}
	if m.prefix != nil {
		out = m.prefix.walk(s, false, out)
	}
	if m.suffix != nil {
		out = m.suffix.walk(s, true, out)
	}
	if m.folded != nil || m.prefixCI != nil || m.suffixCI != nil {
		sc.fold = appendFold(sc.fold[:0], s)
		f := sc.fold
		if m.folded != nil {
			out = append(out, m.folded[string(f)]...)
		}
		if m.prefixCI != nil {
			out = m.prefixCI.walk(f, false, out)
		}
		if m.suffixCI != nil {
			out = m.suffixCI.walk(f, true, out)
		}
	}
	if m.ip4 != nil || m.ip6 != nil {
		if addr, v6, _, ok := parseIP(bytesString(s)); ok {
			if v6 && m.ip6 != nil {
				out = m.ip6.lookup(addr[:16], out)
			} else if !v6 && m.ip4 != nil {
				out = m.ip4.lookup(addr[:4], out)
			}
		}
	}
	if len(m.globs) > 0 {
		out = m.matchGlobs(s, sc, out)
	}
	out = append(out, m.exists...)
	for i := range m.anyButs {
		if !excludesString(m.anyButs[i].c, s, sc) {
			out = append(out, m.anyButs[i].child)
		}
	}
	return out
}

func (m *valueMatcher) matchGlobs(s []byte, sc *scratch, out []int32) []int32 {
	subs := m.globFirst.walk(s, false, sc.globs[:0])
	cand := subs[len(subs):]
	for _, si := range subs {
		cand = m.globLast[si].walk(s, true, cand)
	}
	for _, idx := range cand {
		if e := m.globs[idx]; e.g.match(s) {
			out = append(out, e.child)
		}
	}
	sc.globs = subs[:0]
	if cap(cand) > cap(subs) {
		sc.globs = cand[:0]
	}
	return out
}

// matchNumber appends the children whose condition the number with literal
// text meets.
func (m *valueMatcher) matchNumber(text []byte, out []int32) []int32 {
	if m.vmRare == nil {
		return out
	}
	if m.numbers == nil && m.ranges == nil && len(m.rangeList) > 0 && m.literals == nil && !m.hasNumericAnyBut() {
		// Only a few ranges: an approximate value decides unless it is near
		// an end of one of them.
		if f, ok := approxNumber(text); ok {
			if o, ok := decideRanges(m.rangeList, numKey(f), out); ok {
				for i := range m.anyButs {
					o = append(o, m.anyButs[i].child)
				}
				return append(o, m.exists...)
			}
		}
	}
	if m.numbers != nil || len(m.rangeList) > 0 || m.hasNumericAnyBut() {
		if f, ok := parseNumber(bytesString(text)); ok {
			k := numKey(f)
			if m.numbers != nil {
				out = append(out, m.numbers[k]...)
			}
			if m.ranges != nil {
				out = m.ranges.lookup(numBytes(k), out)
			} else {
				for _, r := range m.rangeList {
					if r.lo <= k && k <= r.hi {
						out = append(out, r.child)
					}
				}
			}
			for i := range m.anyButs {
				if !excludesNumber(m.anyButs[i].c, f) {
					out = append(out, m.anyButs[i].child)
				}
			}
			out = append(out, m.exists...)
			if m.literals != nil {
				out = append(out, m.literals[string(text)]...)
			}
			return out
		}
	}
	if m.literals != nil {
		out = append(out, m.literals[string(text)]...)
	}
	for i := range m.anyButs {
		out = append(out, m.anyButs[i].child) // no numeric exclusion can hold
	}
	return append(out, m.exists...)
}

func (m *vmRare) hasNumericAnyBut() bool {
	for i := range m.anyButs {
		if len(m.anyButs[i].c.nums) > 0 {
			return true
		}
	}
	return false
}

// matchLiteral appends the children whose condition true, false or null
// (text) meets.
func (m *valueMatcher) matchLiteral(text []byte, out []int32) []int32 {
	if m.vmRare == nil {
		return out
	}
	if m.literals != nil {
		out = append(out, m.literals[string(text)]...)
	}
	for i := range m.anyButs {
		out = append(out, m.anyButs[i].child) // anything-but never excludes a literal
	}
	return append(out, m.exists...)
}

func excludesString(c *cond, s []byte, sc *scratch) bool {
	switch c.kind {
	case condAnythingBut:
		for _, x := range c.strs {
			if x == string(s) {
				return true
			}
		}
	case condAnythingButPrefix:
		for _, x := range c.strs {
			if len(s) >= len(x) && string(s[:len(x)]) == x {
				return true
			}
		}
	case condAnythingButSuffix:
		for _, x := range c.strs {
			if len(s) >= len(x) && string(s[len(s)-len(x):]) == x {
				return true
			}
		}
	case condAnythingButIgnoreCase:
		sc.fold = appendFold(sc.fold[:0], s)
		for _, x := range c.strs {
			if x == string(sc.fold) {
				return true
			}
		}
	case condAnythingButWildcard:
		for _, g := range c.globs {
			if g.match(s) {
				return true
			}
		}
	}
	return false
}

func excludesNumber(c *cond, f float64) bool {
	if c.kind != condAnythingBut {
		return false
	}
	for _, x := range c.nums {
		if x == f {
			return true
		}
	}
	return false
}
