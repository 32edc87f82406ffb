package pattern

import (
	"math"
	"sort"
	"strings"
)

// numeric reads the operands of {"numeric": [...]} with the '[' read.
func (c *compiler) numeric() cond {
	lx := c.lx
	if lx.next() != tokString {
		c.fail("Invalid member in numeric match: " + lx.getText())
	}
	op := lx.getText()
	t := lx.next()
	operand := func(name string) float64 {
		if !t.isNumeric() {
			c.fail("Value of " + name + " must be numeric")
		}
		f, err := patternNumber(lx.text)
		if err != "" {
			c.fail(err)
		}
		return f
	}
	switch op {
	case "=":
		v := operand("equals")
		if lx.next() != tokEndArray {
			c.fail("Too many elements in numeric expression")
		}
		return cond{kind: condNumber, num: v}
	case ">=", ">":
		v := operand(op)
		t = lx.next()
		if t == tokEndArray {
			return rangeCond(v, op == ">", math.Inf(1), false)
		}
		return c.numericTop(t, v, op == ">")
	case "<=", "<":
		v := operand(op)
		if lx.next() != tokEndArray {
			c.fail("Too many elements in numeric expression")
		}
		return rangeCond(math.Inf(-1), false, v, op == "<")
	}
	c.fail("Unrecognized numeric range operator: " + op)
	return cond{}
}

// patternNumber reads a number operand. Operands beyond the float64 range
// are taken as infinities, so they bound nothing.
func patternNumber(text string) (float64, string) {
	f, ok := parseNumber(text)
	if ok {
		return f, ""
	}
	if text[0] == '-' {
		return math.Inf(-1), ""
	}
	return math.Inf(1), ""
}

func (c *compiler) numericTop(t token, bottom float64, openBottom bool) cond {
	lx := c.lx
	if t != tokString {
		c.fail("Bad value in numeric range: " + lx.getText())
	}
	op := lx.getText()
	if op != "<" && op != "<=" {
		c.fail("Bad numeric range operator: " + op)
	}
	if !lx.next().isNumeric() {
		c.fail("Value of " + op + " must be numeric")
	}
	top, _ := patternNumber(lx.text)
	if lx.next() != tokEndArray {
		c.fail("Too many terms in numeric range expression")
	}
	if bottom >= top {
		c.fail("Bottom must be less than top")
	}
	return rangeCond(bottom, openBottom, top, op == "<")
}

// rangeCond builds an inclusive key range; an empty range gets lo > hi.
func rangeCond(lo float64, openLo bool, hi float64, openHi bool) cond {
	l, h := numKey(lo), numKey(hi)
	if openLo {
		l++
	}
	if openHi {
		h--
	}
	return cond{kind: condRange, lo: l, hi: h}
}

// anythingBut reads the operand of {"anything-but": ...} with the field name
// read, and the closing brace(s).
func (c *compiler) anythingBut() cond {
	lx := c.lx
	kind := condAnythingBut
	t := lx.next()
	if t == tokStartObject {
		if lx.next() != tokField {
			c.fail("Anything-But expression name not found")
		}
		switch lx.name {
		case "equals-ignore-case":
			kind = condAnythingButIgnoreCase
		case "prefix":
			kind = condAnythingButPrefix
		case "suffix":
			kind = condAnythingButSuffix
		case "wildcard":
			kind = condAnythingButWildcard
		default:
			c.fail("Unsupported anything-but pattern: " + lx.name)
		}
		t = lx.next()
	}
	if t != tokStartArray && t != tokString && !t.isNumeric() {
		c.fail("Value of anything-but must be an array or single string/number value.")
	}
	var out cond
	switch {
	case kind == condAnythingBut && t == tokStartArray:
		out = c.anythingButList()
	case kind == condAnythingBut:
		out = cond{kind: condAnythingBut, condList: &condList{}}
		if t == tokString {
			out.strs = []string{lx.getText()}
		} else {
			f, _ := patternNumber(lx.text)
			out.nums = []float64{f}
		}
	default:
		out = c.anythingButSet(kind, t == tokStartArray)
	}
	c.endObject("Too many elements in numeric expression")
	if kind != condAnythingBut {
		c.endObject("Too many elements in numeric expression")
	}
	return out
}

func (c *compiler) anythingButList() cond {
	lx := c.lx
	out := cond{kind: condAnythingBut, condList: &condList{}}
	c.rethrown(func() {
		for {
			t := lx.next()
			if t == tokEndArray {
				break
			}
			switch {
			case t == tokString:
				out.strs = append(out.strs, lx.getText())
			case t.isNumeric():
				f, _ := patternNumber(lx.text)
				out.nums = append(out.nums, f)
			default:
				c.fail("Inside anything but list, start|null|boolean is not supported.")
			}
		}
	})
	if (len(out.strs) > 0) == (len(out.nums) > 0) {
		c.fail("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	return out
}

// anythingButSet reads the string operand(s) of anything-but with
// equals-ignore-case, prefix, suffix or wildcard.
func (c *compiler) anythingButSet(kind condKind, list bool) cond {
	lx := c.lx
	out := cond{kind: kind, condList: &condList{}}
	seen := map[string]bool{}
	var order []string // distinct values, as AWS's parser sees them
	add := func() {
		if lx.cur != tokString {
			switch kind {
			case condAnythingButIgnoreCase:
				c.fail("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
			case condAnythingButWildcard:
				c.fail("wildcard match pattern must be a string")
			default:
				c.fail("prefix/suffix match pattern must be a string")
			}
		}
		text := lx.getText()
		if text == "" && (kind == condAnythingButPrefix || kind == condAnythingButSuffix) {
			c.fail("Null prefix/suffix not allowed")
		}
		if kind == condAnythingButIgnoreCase {
			text = fold(text)
		}
		if !seen[text] {
			seen[text] = true
			order = append(order, text)
			out.strs = append(out.strs, text)
		}
	}
	if list {
		c.rethrown(func() {
			for lx.next() != tokEndArray {
				add()
			}
		})
	} else {
		add()
	}
	if kind == condAnythingButWildcard {
		quoted := make([]string, len(order))
		for i, s := range order {
			quoted[i] = `"` + s + `"`
		}
		for _, q := range javaHashOrder(quoted) {
			g, reason := parseGlob(q[1 : len(q)-1])
			if reason != "" {
				c.fail(reason)
			}
			out.globs = append(out.globs, g)
		}
	}
	return out
}

// checkComplexity applies the limits AWS checks after compiling: the
// wildcard complexity of each field, over the distinct wildcard and
// anything-but wildcard conditions the pattern puts on it. AWS measures each
// field's automaton of the rule; grouping by path is the same whenever a
// field's conditions share one automaton, and counts more (never less) when
// $or branches keep them apart.
func checkComplexity(p *Pattern) string {
	byPath := map[string][]wildcardTerm{}
	seen := map[string]bool{}
	for _, b := range p.branches {
		for _, f := range b {
			for _, cd := range f.conds {
				var key string
				var term wildcardTerm
				switch cd.kind {
				case condWildcard:
					key, term = "w\x00"+cd.str, wildcardTerm{[]*glob{cd.glob}}
				case condAnythingButWildcard:
					srcs := make([]string, len(cd.globs))
					for i, g := range cd.globs {
						srcs[i] = g.src
					}
					sort.Strings(srcs)
					key, term = "a\x00"+strings.Join(srcs, "\x00"), wildcardTerm{cd.globs}
				default:
					continue
				}
				if k := f.path + "\x00" + key; !seen[k] {
					seen[k] = true
					byPath[f.path] = append(byPath[f.path], term)
				}
			}
		}
	}
	for _, terms := range byPath {
		if wildcardComplexity(terms, maxWildcardComplexity) > maxWildcardComplexity {
			return reasonWildcardComplexity
		}
	}
	return ""
}

// rethrown runs f, and turns a failure inside it into a failure whose reason
// is the whole inner message, location included. AWS's compiler catches the
// parser exceptions of an anything-but list and throws them again that way,
// so those messages carry the location twice.
func (c *compiler) rethrown(f func()) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok || se.err.Column == 0 {
				panic(r)
			}
			inner := se.err.Reason + "\n at " + jacksonLocation(se.err.Source, se.err.Line, se.err.Column)
			c.fail(inner)
		}
	}()
	f()
}
