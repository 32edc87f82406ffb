package pattern

import (
	"strconv"
	"strings"
	"sync/atomic"
)

// An automaton holds many patterns as one trie of states. Every branch of a
// pattern is a sequence of fields sorted by path; a state is reached by a
// sequence of (path, value list) steps, so patterns that share their first
// fields share their first states, and a state's value matcher for a path
// looks an event value up once for all the patterns that continue there.
//
// An automaton is not safe for concurrent mutation; a Matcher keeps two and
// mutates only the one no reader holds.
type automaton struct {
	readers atomic.Int64 // Match calls holding this automaton

	states    []*state // by id; nil when free
	freeState []int32

	pathIDs   map[string]int32
	pathRefs  []int // edges per path id; 0 when free
	freePath  []int32
	pathRoot  *pathNode
	names     []string // rule id -> name; "" when free
	ruleCount int
}

// A state is a node of the automaton.
type state struct {
	children *childIndex // field key -> child state; nil when none
	edges    []edge
	rules    []int32 // rules whose branch ends here, with multiplicity
	refs     int     // branches through or ending at this state
}

// An edge is the value matcher a state applies to one path.
type edge struct {
	path int32
	vm   *valueMatcher
}

func newAutomaton() *automaton {
	a := &automaton{pathIDs: map[string]int32{}, pathRoot: &pathNode{id: -1}}
	a.states = append(a.states, &state{})
	return a
}

func (a *automaton) newState() int32 {
	s := &state{}
	if n := len(a.freeState); n > 0 {
		id := a.freeState[n-1]
		a.freeState = a.freeState[:n-1]
		a.states[id] = s
		return id
	}
	a.states = append(a.states, s)
	return int32(len(a.states) - 1)
}

// pathRef counts one more edge on path and returns its id.
func (a *automaton) pathRef(path string) int32 {
	if id, ok := a.pathIDs[path]; ok {
		a.pathRefs[id]++
		return id
	}
	var id int32
	if n := len(a.freePath); n > 0 {
		id = a.freePath[n-1]
		a.freePath = a.freePath[:n-1]
		a.pathRefs[id] = 1
	} else {
		id = int32(len(a.pathRefs))
		a.pathRefs = append(a.pathRefs, 1)
	}
	a.pathIDs[path] = id
	n := a.pathRoot
	n.refs++
	for _, seg := range strings.Split(path, ".") {
		k := n.child(seg)
		if k == nil {
			k = &pathNode{id: -1}
			if n.kids == nil {
				n.kids = map[string]*pathNode{}
			}
			n.kids[seg] = k
			n.reindex()
		}
		k.refs++
		n = k
	}
	n.id = id
	return id
}

func (a *automaton) pathUnref(id int32, path string) {
	if a.pathRefs[id]--; a.pathRefs[id] > 0 {
		return
	}
	delete(a.pathIDs, path)
	a.freePath = append(a.freePath, id)
	n := a.pathRoot
	n.refs--
	for _, seg := range strings.Split(path, ".") {
		k := n.child(seg)
		if k.refs--; k.refs == 0 {
			delete(n.kids, seg)
			n.reindex()
			return
		}
		n = k
	}
	n.id = -1
}

// addPattern adds every branch of p under rule id.
func (a *automaton) addPattern(id int32, name string, p *Pattern) {
	for int(id) >= len(a.names) {
		a.names = append(a.names, "")
	}
	a.names[id] = name
	a.ruleCount++
	for _, b := range p.branches {
		a.addBranch(id, b)
	}
}

// removePattern undoes addPattern.
func (a *automaton) removePattern(id int32, p *Pattern) {
	for _, b := range p.branches {
		a.removeBranch(id, b)
	}
	a.names[id] = ""
	a.ruleCount--
}

func (a *automaton) addBranch(rule int32, b branch) {
	sid := int32(0)
	for i := range b {
		f := &b[i]
		s := a.states[sid]
		cid, ok := s.children.get(f.key)
		if !ok {
			cid = a.newState()
			if s.children == nil {
				s.children = &childIndex{}
			}
			s.children.set(f.key, cid)
			vm := a.edgeFor(s, f.path)
			for j := range f.conds {
				vm.update(&f.conds[j], cid, true)
			}
		}
		a.states[cid].refs++
		sid = cid
	}
	s := a.states[sid]
	s.rules = append(s.rules, rule)
}

func (a *automaton) edgeFor(s *state, path string) *valueMatcher {
	id, ok := a.pathIDs[path]
	if ok {
		for i := range s.edges {
			if s.edges[i].path == id {
				return s.edges[i].vm
			}
		}
	}
	id = a.pathRef(path)
	vm := &valueMatcher{}
	s.edges = append(s.edges, edge{path: id, vm: vm})
	return vm
}

func (a *automaton) removeBranch(rule int32, b branch) {
	ids := make([]int32, 1, len(b)+1)
	for i := range b {
		cid, _ := a.states[ids[i]].children.get(b[i].key)
		ids = append(ids, cid)
	}
	last := a.states[ids[len(ids)-1]]
	removeVal(&last.rules, rule)
	for i := len(b) - 1; i >= 0; i-- {
		cid := ids[i+1]
		c := a.states[cid]
		if c.refs--; c.refs > 0 {
			continue
		}
		parent := a.states[ids[i]]
		f := &b[i]
		parent.children.del(f.key)
		pid := a.pathIDs[f.path]
		for ei := range parent.edges {
			e := &parent.edges[ei]
			if e.path != pid {
				continue
			}
			for j := range f.conds {
				e.vm.update(&f.conds[j], cid, false)
			}
			if e.vm.empty() {
				parent.edges = append(parent.edges[:ei], parent.edges[ei+1:]...)
				a.pathUnref(pid, f.path)
			}
			break
		}
		a.states[cid] = nil
		a.freeState = append(a.freeState, cid)
	}
}

// fieldKey identifies a field's path and value list; branches whose next
// field has the same key share the next state. Every part is written with its
// length, so distinct fields never share a key.
func fieldKey(f *field) string {
	var b strings.Builder
	writePart(&b, f.path)
	for i := range f.conds {
		writePart(&b, condKey(&f.conds[i]))
	}
	return b.String()
}

func writePart(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// condKey is a canonical text for a condition.
func condKey(c *cond) string {
	var b strings.Builder
	b.WriteByte(byte('A' + c.kind))
	switch c.kind {
	case condNumber:
		writePart(&b, strconv.FormatUint(numKey(c.num), 16))
	case condRange:
		writePart(&b, strconv.FormatUint(c.lo, 16))
		writePart(&b, strconv.FormatUint(c.hi, 16))
	case condIP:
		writePart(&b, string(c.ip.lo[:]))
		writePart(&b, string(c.ip.hi[:]))
		if c.ip.v6 {
			b.WriteByte('6')
		}
	case condAnythingBut, condAnythingButPrefix, condAnythingButSuffix, condAnythingButIgnoreCase, condAnythingButWildcard:
		for _, s := range c.strs {
			writePart(&b, s)
		}
		for _, f := range c.nums {
			b.WriteByte('#')
			writePart(&b, strconv.FormatUint(numKey(f), 16))
		}
	default:
		writePart(&b, c.str)
	}
	return b.String()
}
