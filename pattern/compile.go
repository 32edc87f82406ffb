package pattern

import (
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// maxCombinations is the most branches a pattern may expand to through $or.
const maxCombinations = 1000

// Reasons AWS gives for checks its rule compiler does not make; AWS does not
// publish these texts (see BENCHMARKS.md, "Behaviours not confirmed against AWS").
const (
	reasonTooManyCombinations = "Rule is too complex - try using fewer $or combinations"
	reasonWildcardComplexity  = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
)

// A Pattern is a compiled, valid event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src      string
	branches []branch
	solo     atomic.Pointer[solo] // set by the first Matches
}

// A solo is a Pattern's own automaton, for Matches. A pattern added to a
// Matcher never needs one, so this is built only when Matches is called.
type solo struct {
	a    *automaton // this pattern alone; read-only once built
	pool sync.Pool  // *scratch
}

// A branch is one conjunction of fields, sorted by path; a pattern matches
// when any of its branches does.
type branch []field

// A field is a path (keys joined by '.') and its value list.
type field struct {
	path  string
	conds []cond
	key   string // fieldKey: path and value list, for sharing states
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// Compile validates and compiles an event pattern. A bad pattern yields an
// *Error carrying AWS's reason and location.
func Compile(src string) (p *Pattern, err error) {
	if javaLength(src) > MaxPatternLength {
		return nil, &Error{Reason: "Member must have length less than or equal to " + strconv.Itoa(MaxPatternLength), Source: src, TooLong: true}
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			p, err = nil, se.err
		}
	}()
	c := &compiler{lx: newLexer(src)}
	if c.lx.next() != tokStartObject {
		c.lx.fail("Filter is not an object")
	}
	c.parseObject(nil, false)
	p = &Pattern{src: src}
	for _, r := range c.rules {
		b := make(branch, 0, len(r))
		for path, conds := range r {
			f := field{path: path, conds: conds}
			f.key = fieldKey(&f)
			b = append(b, f)
		}
		sort.Slice(b, func(i, j int) bool { return b[i].path < b[j].path })
		p.branches = append(p.branches, b)
	}
	if reason := checkComplexity(p); reason != "" {
		return nil, &Error{Reason: reason, Source: src}
	}
	return p, nil
}

// A compiler turns the token stream into branches the way AWS's JSON rule
// compiler does, failing with its reasons at the same parser locations.
type compiler struct {
	lx    *lexer
	rules []map[string][]cond
}

func (c *compiler) fail(reason string) { c.lx.fail(reason) }

func joinPath(prefix []string, name string) string {
	n := len(name)
	for _, p := range prefix {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for _, p := range prefix {
		b = append(b, p...)
		b = append(b, '.')
	}
	return string(append(b, name...))
}

func (c *compiler) parseObject(path []string, inOr bool) {
	lx := c.lx
	fields := false
	for lx.next() != tokEndObject {
		fields = true
		name := lx.name
		if name == "$or" {
			c.parseOr(path)
			continue
		}
		if inOr && reservedInOr(name) {
			c.fail(name + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		switch lx.next() {
		case tokStartObject:
			c.parseObject(append(path[:len(path):len(path)], name), inOr)
		case tokStartArray:
			c.writeRules(joinPath(path, name))
		default:
			c.fail(`"` + name + `" must be an object or an array`)
		}
	}
	if !fields {
		c.fail("Empty objects are not allowed")
	}
}

// reservedInOr reports the names AWS reserves inside $or.
func reservedInOr(name string) bool {
	switch name {
	case "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but",
		"exists", "wildcard", "numeric", "cidr",
		"=", "<", "<=", ">", ">=",
		"regex", "not-wildcard", "not-equals-ignore-case",
		"date-after", "date-on-or-after", "date-before", "date-on-or-before",
		"in-date-range", "ip-address-in-range", "ip-address-not-in-range":
		return true
	}
	return false
}

func copyRules(rules []map[string][]cond) []map[string][]cond {
	out := make([]map[string][]cond, len(rules))
	for i, r := range rules {
		m := make(map[string][]cond, len(r)+1)
		for k, v := range r {
			m[k] = v
		}
		out[i] = m
	}
	return out
}

func (c *compiler) parseOr(path []string) {
	lx := c.lx
	current := copyRules(c.rules)
	c.rules = c.rules[:0:0]
	if lx.next() != tokStartArray {
		c.fail("It must be an Array followed with $or.")
	}
	count := 0
	for {
		t := lx.next()
		if t == tokEndArray {
			break
		}
		count++
		if t != tokStartObject {
			c.fail("Only JSON object is allowed in array of $or relationship.")
		}
		saved := c.rules
		c.rules = copyRules(current)
		if len(c.rules) == 0 {
			c.rules = append(c.rules, map[string][]cond{})
		}
		c.parseObject(path, true)
		c.rules = append(saved, c.rules...)
		if len(c.rules) > maxCombinations {
			panic(syntaxError{&Error{Reason: reasonTooManyCombinations, Source: lx.src}})
		}
	}
	if count < 2 {
		c.fail("There must have at least 2 Objects in $or relationship.")
	}
}

func (c *compiler) writeRules(name string) {
	lx := c.lx
	var conds []cond
	for {
		t := lx.next()
		if t == tokEndArray {
			break
		}
		switch t {
		case tokStartObject:
			conds = append(conds, c.matchExpression())
		case tokString:
			text := lx.getText()
			if addr, v6, _, ok := parseIP(text); ok {
				conds = append(conds, cond{kind: condIP, ip: ipPoint(addr, v6), str: text})
			} else {
				conds = append(conds, cond{kind: condString, str: text})
			}
		case tokInt, tokFloat:
			if f, ok := parseNumber(lx.text); ok {
				conds = append(conds, cond{kind: condNumber, num: f})
			} else {
				conds = append(conds, cond{kind: condLiteral, str: lx.text})
			}
		case tokNull, tokTrue, tokFalse:
			conds = append(conds, cond{kind: condLiteral, str: lx.getText()})
		default:
			c.fail("Match value must be String, number, true, false, or null")
		}
	}
	if len(conds) == 0 {
		c.fail("Empty arrays are not allowed")
	}
	if len(c.rules) == 0 {
		c.rules = append(c.rules, map[string][]cond{})
	}
	for _, r := range c.rules {
		r[name] = conds
	}
}

// matchExpression reads one {"<operator>": ...} object whose '{' is read.
func (c *compiler) matchExpression() cond {
	lx := c.lx
	if lx.next() != tokField {
		c.fail("Match expression name not found")
	}
	op := lx.name
	var out cond
	switch op {
	case "exactly":
		out = cond{kind: condString, str: c.stringOperand("exact match pattern must be a string")}
		c.endObject("Only one key allowed in match expression")
	case "prefix", "suffix":
		if lx.next() == tokStartObject {
			return c.ignoreCaseAffix(op)
		}
		kind := condPrefix
		if op == "suffix" {
			kind = condSuffix
		}
		if lx.cur != tokString {
			c.fail(op + " match pattern must be a string")
		}
		out = cond{kind: kind, str: lx.getText()}
		c.endObject("Only one key allowed in match expression")
	case "numeric":
		if lx.next() != tokStartArray {
			c.fail("Value of numeric must be an array.")
		}
		out = c.numeric()
		c.endObject("Too many elements in numeric expression")
	case "anything-but":
		return c.anythingBut()
	case "exists":
		switch lx.next() {
		case tokTrue:
			out = cond{kind: condExists}
		case tokFalse:
			out = cond{kind: condAbsent}
		default:
			c.fail("exists match pattern must be either true or false.")
		}
		c.endObject("Only one key allowed in match expression")
	case "cidr":
		text := c.stringOperand("prefix match pattern must be a string")
		r, reason := parseCIDR(text)
		if reason != "" {
			// AWS's compiler lets this error escape without a parser location.
			panic(syntaxError{&Error{Reason: reason, Source: lx.src}})
		}
		out = cond{kind: condIP, ip: &r, str: text}
		c.endObject("Only one key allowed in match expression")
	case "equals-ignore-case":
		out = cond{kind: condEqualsIgnoreCase, str: fold(c.stringOperand("equals-ignore-case match pattern must be a string"))}
		c.endObject("Only one key allowed in match expression")
	case "wildcard":
		text := c.stringOperand("wildcard match pattern must be a string")
		g, reason := parseGlob(text)
		if reason != "" {
			c.fail(reason)
		}
		out = cond{kind: condWildcard, glob: g, str: text}
		c.endObject("Only one key allowed in match expression")
	default:
		c.fail("Unrecognized match type " + op)
	}
	return out
}

// stringOperand reads the next token, which must be a string, and its text.
func (c *compiler) stringOperand(reason string) string {
	if c.lx.next() != tokString {
		c.fail(reason)
	}
	return c.lx.getText()
}

func (c *compiler) endObject(reason string) {
	if c.lx.next() != tokEndObject {
		c.fail(reason)
	}
}

// ignoreCaseAffix reads {"prefix"|"suffix": {"equals-ignore-case": "..."}}
// with the inner '{' read.
func (c *compiler) ignoreCaseAffix(op string) cond {
	lx := c.lx
	title := "Prefix"
	kind := condPrefixIgnoreCase
	if op == "suffix" {
		title, kind = "Suffix", condSuffixIgnoreCase
	}
	if lx.next() != tokField {
		c.fail(title + " expression name not found")
	}
	if lx.name != "equals-ignore-case" {
		c.fail("Unsupported " + op + " pattern: " + lx.name)
	}
	text := c.stringOperand("equals-ignore-case match pattern must be a string")
	c.endObject("Only one key allowed in match expression")
	c.endObject("Only one key allowed in match expression")
	return cond{kind: kind, str: fold(text)}
}

// Matches reports whether the event (a JSON object) matches the pattern. It
// returns ErrNotObject or ErrInvalidJSON for an event it cannot read.
func (p *Pattern) Matches(event []byte) (bool, error) {
	s := p.solo.Load()
	if s == nil {
		s = &solo{a: newAutomaton()}
		s.a.addPattern(0, "", p)
		if !p.solo.CompareAndSwap(nil, s) {
			s = p.solo.Load() // another goroutine built it first
		}
	}
	sc, _ := s.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	var buf [1]string
	out, err := s.a.match(event, sc, buf[:0])
	s.pool.Put(sc)
	return len(out) > 0, err
}
