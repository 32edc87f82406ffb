package pattern

import "errors"

var errNilPattern = errors.New("pattern: nil pattern")

// A scratch holds the per-event working state of a match, reused across
// calls through a sync.Pool so matching does not allocate.
type scratch struct {
	leaves   []leaf
	trails   []arrayPos
	stack    []arrayPos
	head     []int32 // path id -> first leaf, or -1
	touched  []int32 // path ids whose head is set
	key      []byte  // an unescaped key
	str      []byte  // an unescaped string value
	fold     []byte  // a folded string value
	globs    []int32 // wildcard candidates
	cand     []int32 // candidate child states, a stack shared by the walk
	ctx      []arrayPos
	arrPath  []int32 // array id -> first path id seen in it, or -1
	arrMulti []bool  // array id -> holds leaves of more than one path

	stamp      uint32
	stateStamp []uint32 // state id -> stamp of the leaf or edge that last reached it
	ruleStamp  []uint32 // rule id -> stamp of the match that last reported it
	matchStamp uint32
	out        []string
}

func (sc *scratch) fit(a *automaton) {
	for len(sc.head) < len(a.pathRefs) {
		sc.head = append(sc.head, -1)
	}
	if len(sc.stateStamp) < len(a.states) {
		sc.stateStamp = append(sc.stateStamp, make([]uint32, len(a.states)-len(sc.stateStamp))...)
	}
	if len(sc.ruleStamp) < len(a.names) {
		sc.ruleStamp = append(sc.ruleStamp, make([]uint32, len(a.names)-len(sc.ruleStamp))...)
	}
	if sc.matchStamp++; sc.matchStamp == 0 {
		clear(sc.ruleStamp)
		sc.matchStamp = 1
	}
}

func (sc *scratch) nextStamp() uint32 {
	if sc.stamp++; sc.stamp == 0 {
		clear(sc.stateStamp)
		sc.stamp = 1
	}
	return sc.stamp
}

func (sc *scratch) reset() {
	for _, p := range sc.touched {
		sc.head[p] = -1
	}
	sc.touched = sc.touched[:0]
	sc.leaves = sc.leaves[:0]
	sc.trails = sc.trails[:0]
	sc.ctx = sc.ctx[:0]
	sc.cand = sc.cand[:0]
	sc.arrPath = sc.arrPath[:0]
	sc.arrMulti = sc.arrMulti[:0]
}

// match scans the event and walks the automaton from its root.
func (a *automaton) match(event []byte, sc *scratch, dst []string) ([]string, error) {
	sc.fit(a)
	defer sc.reset()
	if err := scanEvent(event, a.pathRoot, sc); err != nil {
		return dst, err
	}
	w := walker{a: a, sc: sc, event: event, out: dst}
	w.visit(0)
	return w.out, nil
}

type walker struct {
	a     *automaton
	sc    *scratch
	event []byte
	out   []string
}

func (w *walker) visit(sid int32) {
	a, sc := w.a, w.sc
	s := a.states[sid]
	for _, r := range s.rules {
		if sc.ruleStamp[r] != sc.matchStamp {
			sc.ruleStamp[r] = sc.matchStamp
			w.out = append(w.out, a.names[r])
		}
	}
	for ei := range s.edges {
		e := &s.edges[ei]
		li := sc.head[e.path]
		if li < 0 {
			if e.vm.vmRare != nil {
				for _, c := range e.vm.absent {
					w.visit(c)
				}
			}
			continue
		}
		shared := sc.nextStamp() // dedups children reached by leaves without trails
		for ; li >= 0; li = sc.leaves[li].next {
			if sc.leaves[li].ntrail == 0 {
				w.follow(e.vm, li, shared)
			} else if w.compatible(li) {
				w.follow(e.vm, li, 0)
			}
		}
	}
}

// compatible reports whether leaf li can join the values already chosen:
// no array may be entered at two different indexes.
func (w *walker) compatible(li int32) bool {
	sc := w.sc
	l := &sc.leaves[li]
	for _, p := range sc.trails[l.trail : l.trail+l.ntrail] {
		for _, q := range sc.ctx {
			if p.arr == q.arr && p.idx != q.idx {
				return false
			}
		}
	}
	return true
}

// follow applies vm to leaf li and visits each child it reaches, once: once
// per leaf, or once per edge (stamp) for a leaf without a trail.
func (w *walker) follow(vm *valueMatcher, li int32, stamp uint32) {
	sc := w.sc
	l := sc.leaves[li]
	mark := len(sc.cand)
	v := w.event[l.start:l.end]
	switch l.kind {
	case leafString:
		if l.esc {
			sc.str = unescape(sc.str[:0], v)
			v = sc.str
		}
		sc.cand = vm.matchString(v, sc, sc.cand)
	case leafNumber:
		sc.cand = vm.matchNumber(v, sc.cand)
	default:
		sc.cand = vm.matchLiteral(v, sc.cand)
	}
	if len(sc.cand) == mark {
		return
	}
	if stamp == 0 {
		stamp = sc.nextStamp()
	}
	ctxMark := len(sc.ctx)
	sc.ctx = append(sc.ctx, sc.trails[l.trail:l.trail+l.ntrail]...)
	for j := mark; j < len(sc.cand); j++ {
		c := sc.cand[j]
		if sc.stateStamp[c] == stamp {
			continue
		}
		sc.stateStamp[c] = stamp
		w.visit(c)
	}
	sc.ctx = sc.ctx[:ctxMark]
	sc.cand = sc.cand[:mark]
}
