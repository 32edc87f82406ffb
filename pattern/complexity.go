package pattern

import (
	"sort"
	"strconv"
	"strings"
)

// maxWildcardComplexity is the highest wildcard complexity (see
// wildcardComplexity) a pattern may have on one field. AWS does not publish
// its limit; its recorded answers bound it: complexity 9 is accepted and 11
// is refused (see BENCHMARKS.md, "Choices", and testdata/conformance.txt).
// 10 is accepted here, as in event-ruler's README example of a per-rule
// limit.
const maxWildcardComplexity = 10

// complexitySearchLimit bounds the sets of positions the search visits, so a
// pathological pattern costs bounded time to check. Patterns that reach it
// are judged by what was seen.
const complexitySearchLimit = 1 << 15

// A wildcardTerm is one wildcard condition of a field as the complexity
// measure counts it: a wildcard is one glob; an anything-but wildcard list is
// one term with several globs.
type wildcardTerm struct {
	globs []*glob
}

// A globPos is a position in one glob of one term: the glob's value between
// quotes, read as a token list (bytes, with the star as a token of its own),
// after tok tokens. Positions that are still in the glob's determinate prefix
// (up to and including its first star) are shared by the term's globs that
// have that prefix, and carry the prefix text in shared.
type globPos struct {
	term, glob, tok int
}

// wildcardComplexity returns the measure AWS applies to the wildcard
// conditions of one field, capped at limit+1: the largest number of pattern
// prefixes that one value can match at once, where a prefix ends after a
// literal byte or after a star of the quoted value ("x*y" is read as the
// tokens `"`, x, *, y, `"`). This is event-ruler's MachineComplexityEvaluator
// (the number of wildcard rule prefixes a worst-case value keeps alive), with
// its sharing: the prefixes of a term's globs up to the first star are one
// state, counted once for the term, and so are the term's full matches. For
// wildcard conditions this gives event-ruler's figures exactly (checked on
// the cases in complexity_test.go). For an anything-but wildcard list it can
// count one more per extra glob than event-ruler: event-ruler shares some
// states after a star between a list's globs and not others, depending on
// the bytes involved, in a way this package does not reproduce.
func wildcardComplexity(terms []wildcardTerm, limit int) int {
	toks := make([][][]int, len(terms)) // term, glob -> tokens; -1 is the star
	alphabet := map[int]bool{-2: true}  // -2 stands for every byte not mentioned
	for t, term := range terms {
		for _, g := range term.globs {
			tk := []int{'"'}
			for i, seg := range g.segs {
				if i > 0 {
					tk = append(tk, -1)
				}
				for j := 0; j < len(seg); j++ {
					tk = append(tk, int(seg[j]))
					alphabet[int(seg[j])] = true
				}
			}
			tk = append(tk, '"')
			toks[t] = append(toks[t], tk)
		}
	}
	alphabet['"'] = true
	bytes := make([]int, 0, len(alphabet))
	for b := range alphabet {
		bytes = append(bytes, b)
	}
	sort.Ints(bytes)

	// firstStar[t][g] is the token index of the glob's first star, or
	// len(tokens) when it has none.
	firstStar := make([][]int, len(terms))
	for t := range toks {
		for _, tk := range toks[t] {
			fs := len(tk)
			for i, x := range tk {
				if x == -1 {
					fs = i
					break
				}
			}
			firstStar[t] = append(firstStar[t], fs)
		}
	}
	// weight counts the distinct states among the positions: shared
	// determinate prefixes of one term count once.
	weight := func(set []globPos) int {
		seen := map[string]bool{}
		n := 0
		for _, p := range set {
			if p.tok == 0 {
				continue
			}
			tk := toks[p.term][p.glob]
			var k string
			switch {
			case p.tok == len(tk):
				k = strconv.Itoa(p.term) + ":end"
			case p.tok-1 <= firstStar[p.term][p.glob]:
				k = strconv.Itoa(p.term) + ":" + tokenText(tk[:p.tok])
			}
			if k != "" {
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			n++
		}
		return n
	}
	// closure adds the star positions reachable without reading a byte: a
	// prefix followed by a star is matched by whatever matches the prefix.
	closure := func(set []globPos) []globPos {
		for i := 0; i < len(set); i++ {
			p := set[i]
			tk := toks[p.term][p.glob]
			if p.tok < len(tk) && tk[p.tok] == -1 {
				set = append(set, globPos{p.term, p.glob, p.tok + 1})
			}
		}
		return dedupPositions(set)
	}
	var start []globPos
	for t := range toks {
		for g := range toks[t] {
			start = append(start, globPos{t, g, 0})
		}
	}
	start = closure(start)
	best := 0
	visited := map[string]bool{positionsKey(start): true}
	queue := [][]globPos{start}
	for len(queue) > 0 && len(visited) < complexitySearchLimit {
		set := queue[0]
		queue = queue[1:]
		for _, c := range bytes {
			var next []globPos
			for _, p := range set {
				tk := toks[p.term][p.glob]
				if p.tok > 0 && tk[p.tok-1] == -1 {
					next = append(next, p) // the star absorbs c
				}
				if p.tok < len(tk) && tk[p.tok] == c {
					next = append(next, globPos{p.term, p.glob, p.tok + 1})
				}
			}
			if len(next) == 0 {
				continue
			}
			next = closure(next)
			if w := weight(next); w > best {
				best = w
				if best > limit {
					return best
				}
			}
			if k := positionsKey(next); !visited[k] {
				visited[k] = true
				queue = append(queue, next)
			}
		}
	}
	return best
}

// tokenText renders tokens as text for use as a map key.
func tokenText(tk []int) string {
	var b strings.Builder
	for _, x := range tk {
		if x == -1 {
			b.WriteString("\x00*")
		} else {
			b.WriteByte(byte(x))
		}
	}
	return b.String()
}

// dedupPositions sorts positions and drops repeats.
func dedupPositions(set []globPos) []globPos {
	sort.Slice(set, func(i, j int) bool {
		a, b := set[i], set[j]
		if a.term != b.term {
			return a.term < b.term
		}
		if a.glob != b.glob {
			return a.glob < b.glob
		}
		return a.tok < b.tok
	})
	out := set[:0]
	for i, p := range set {
		if i == 0 || p != set[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// positionsKey identifies a sorted set of positions.
func positionsKey(set []globPos) string {
	var b strings.Builder
	for _, p := range set {
		b.WriteString(strconv.Itoa(p.term))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(p.glob))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(p.tok))
		b.WriteByte(';')
	}
	return b.String()
}
