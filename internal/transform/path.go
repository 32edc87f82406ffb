package transform

import (
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/jsontext"
)

// This file evaluates the JSONPaths of InputPath and InputPathsMap. The
// grammar is the dot notation EventBridge documents: "$", then ".name"
// steps, each followed by any number of "[n]" array indexes. A name is any
// run of characters other than '.', '[', ']' and whitespace (dashes,
// slashes, colons and so on included); the name "*" and the index "[*]"
// are wildcards. eventbus.ValidJSONPath accepts the same grammar except
// "[*]", and PutTargets is where paths are first checked, so "[*]" is
// unreachable until eventbus accepts it.

// An op is what a step of a path does.
type op uint8

const (
	opMember   op = iota // the member called name of an object
	opIndex              // element index of an array
	opWildcard           // every member value of an object, every element of an array
)

type step struct {
	op    op
	name  string
	index int
}

// A path is a compiled JSONPath. A definite path (no wildcard) yields one
// value or nothing; an indefinite one yields an array of every match,
// possibly empty, as Jayway JsonPath (which the AWS documentation links
// to) does.
type path struct {
	steps      []step
	indefinite bool
}

// parsePath compiles p, reporting false if it is not in the grammar above.
func parsePath(p string) (path, bool) {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok {
		return path{}, false
	}
	var out path
	for rest != "" {
		if rest[0] != '.' {
			return path{}, false
		}
		rest = rest[1:]
		n := strings.IndexAny(rest, ".[")
		if n < 0 {
			n = len(rest)
		}
		name := rest[:n]
		if name == "" || strings.ContainsAny(name, "] \t\r\n") {
			return path{}, false
		}
		if name == "*" {
			out.steps = append(out.steps, step{op: opWildcard})
			out.indefinite = true
		} else {
			out.steps = append(out.steps, step{op: opMember, name: name})
		}
		rest = rest[n:]
		for strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 2 {
				return path{}, false
			}
			s, ok := parseIndex(rest[1:end])
			if !ok {
				return path{}, false
			}
			out.steps = append(out.steps, s)
			out.indefinite = out.indefinite || s.op == opWildcard
			rest = rest[end+1:]
		}
	}
	return out, true
}

// parseIndex parses what is between the brackets of an index step: digits
// or "*".
func parseIndex(s string) (step, bool) {
	if s == "*" {
		return step{op: opWildcard}, true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return step{}, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil { // too many digits: no array is that long
		n = -1
	}
	return step{op: opIndex, index: n}, true
}

// A value is what a path yields: its kind and its raw JSON text (strings
// with their quotes), which aliases the event or the scratch buffer the
// value was built in.
type value struct {
	kind kind
	raw  []byte
}

// eval applies p to the JSON document doc. A definite path that matches
// nothing yields kindMissing. An indefinite path yields an array built at
// the end of *scratch. ok is false if doc is malformed where eval read it.
func (p *path) eval(doc []byte, scratch *[]byte) (v value, ok bool) {
	// The root runs to the end of doc: members and elements stop at their
	// closing bracket, so the whole event is measured only for "$".
	root := doc[jsontext.SkipSpace(doc, 0):]
	if len(root) == 0 || kindOf(root[0]) == kindMissing {
		return value{}, false
	}
	if len(p.steps) == 0 {
		end, ok := jsontext.ValueEnd(root, 0)
		return value{kind: kindOf(root[0]), raw: root[:end]}, ok
	}
	if !p.indefinite {
		return definite(root, p.steps)
	}
	from := len(*scratch)
	*scratch = append(*scratch, '[')
	if !collect(root, p.steps, scratch, from+1) {
		*scratch = (*scratch)[:from]
		return value{}, false
	}
	*scratch = append(*scratch, ']')
	return value{kind: kindArray, raw: (*scratch)[from:]}, true
}

// definite follows steps, none a wildcard, from v.
func definite(v []byte, steps []step) (value, bool) {
	for _, s := range steps {
		next, ok := child(v, s)
		if !ok {
			return value{}, false
		}
		if next == nil {
			return value{}, true
		}
		v = next
	}
	return value{kind: kindOf(v[0]), raw: v}, true
}

// child returns the value step s selects in v (a member or an element), nil
// if there is none. Of duplicate member names the last one counts, as in
// the Jackson tree EventBridge parses events into.
func child(v []byte, s step) ([]byte, bool) {
	var found []byte
	switch {
	case s.op == opMember && v[0] == '{':
		ok := members(v, func(m member) bool {
			if nameEquals(m.name, s.name) {
				found = m.value
			}
			return true
		})
		return found, ok
	case s.op == opIndex && v[0] == '[':
		i := 0
		ok := elements(v, func(e []byte) bool {
			if i == s.index {
				found = e
				return false
			}
			i++
			return true
		})
		return found, ok
	}
	return nil, true
}

// collect appends to *out, comma-separated, every value steps select from
// v. first is where the first element goes (no comma before it).
func collect(v []byte, steps []step, out *[]byte, first int) bool {
	if len(steps) == 0 {
		if len(*out) > first {
			*out = append(*out, ',')
		}
		*out = jsontext.AppendCompact(*out, v)
		return true
	}
	s, rest := steps[0], steps[1:]
	if s.op != opWildcard {
		next, ok := child(v, s)
		if !ok || next == nil {
			return ok
		}
		return collect(next, rest, out, first)
	}
	ok := true
	switch v[0] {
	case '{':
		ok = members(v, func(m member) bool {
			ok = collect(m.value, rest, out, first)
			return ok
		}) && ok
	case '[':
		ok = elements(v, func(e []byte) bool {
			ok = collect(e, rest, out, first)
			return ok
		}) && ok
	}
	return ok
}

// A trie evaluates many definite paths in one pass over a document: paths
// that share a prefix share its steps, and each object or array on the way
// is scanned once for all the steps leaving it.
type trie struct {
	root  trieNode
	edges int // edges in the trie: the slots eval needs
}

type trieNode struct {
	ends    []int // variables whose path ends here
	members []trieEdge
	indexes []trieEdge
	maxIdx  int // the largest index of indexes
}

type trieEdge struct {
	step step // opMember or opIndex
	slot int  // where eval keeps the value this edge selects
	next *trieNode
}

// add adds the definite path p, whose value is variable v.
func (t *trie) add(p path, v int) {
	n := &t.root
	for _, s := range p.steps {
		n = n.child(s, &t.edges)
	}
	n.ends = append(n.ends, v)
}

func (n *trieNode) child(s step, edges *int) *trieNode {
	list := &n.members
	if s.op == opIndex {
		list = &n.indexes
		n.maxIdx = max(n.maxIdx, s.index)
	}
	for _, e := range *list {
		if e.step == s {
			return e.next
		}
	}
	e := trieEdge{step: s, slot: *edges, next: &trieNode{}}
	*edges++
	*list = append(*list, e)
	return e.next
}

// eval sets vals[v] for every variable v of the trie whose path matches doc;
// the others are left alone. slots must have t.edges nil entries. It
// reports false if doc is malformed where eval read it.
func (t *trie) eval(doc []byte, vals []value, slots [][]byte) bool {
	root := doc[jsontext.SkipSpace(doc, 0):]
	if len(root) == 0 || kindOf(root[0]) == kindMissing {
		return false
	}
	if len(t.root.ends) > 0 { // "$": measure the whole document
		end, ok := jsontext.ValueEnd(root, 0)
		if !ok {
			return false
		}
		root = root[:end]
	}
	return t.root.eval(root, vals, slots)
}

// eval is trie.eval from node n at the value v, which runs to the end of
// the document if n has no variables.
func (n *trieNode) eval(v []byte, vals []value, slots [][]byte) bool {
	for _, i := range n.ends {
		vals[i] = value{kind: kindOf(v[0]), raw: v}
	}
	var edges []trieEdge
	switch {
	case len(n.members) > 0 && v[0] == '{':
		edges = n.members
		ok := members(v, func(m member) bool {
			for _, e := range edges {
				if nameEquals(m.name, e.step.name) {
					slots[e.slot] = m.value // the last duplicate wins
				}
			}
			return true
		})
		if !ok {
			return false
		}
	case len(n.indexes) > 0 && v[0] == '[':
		edges = n.indexes
		i := 0
		ok := elements(v, func(el []byte) bool {
			for _, e := range edges {
				if e.step.index == i {
					slots[e.slot] = el
				}
			}
			i++
			return i <= n.maxIdx
		})
		if !ok {
			return false
		}
	}
	for _, e := range edges {
		if s := slots[e.slot]; s != nil && !e.next.eval(s, vals, slots) {
			return false
		}
	}
	return true
}
