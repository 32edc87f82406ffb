package transform

import (
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"

	"github.com/switchyard/switchyard/internal/jsontext"
)

// This file compiles an InputTemplate into literal text and placeholders,
// each placeholder marked with whether it sits inside a JSON string of the
// template, and renders it against one event.

// A source is where a template variable's value comes from.
type source uint8

const (
	srcPath          source = iota // an InputPathsMap JSONPath
	srcRuleArn                     // Meta.RuleArn, a string
	srcRuleName                    // Meta.RuleName, a string
	srcIngestionTime               // Meta.IngestionTime, a string
	srcEvent                       // the event without detail, an object
	srcEventJSON                   // the whole event, an object
)

// A variable is one distinct placeholder name of a template.
type variable struct {
	name string
	src  source
	path path // for srcPath
}

// A segment is literal template text followed by a placeholder (variable
// < 0 for the last segment, which has none).
type segment struct {
	literal  string
	variable int
	inString bool // the placeholder is inside a JSON string of the template
}

// A template is a compiled InputTemplate. It is immutable.
type template struct {
	segs       []segment
	vars       []variable
	literalLen int
	paths      trie  // the definite paths of vars
	nPaths     int   // how many vars paths holds
	wildcards  []int // the vars with indefinite paths
}

// scanQuotes advances the template's string state over literal text: a
// '"' outside a string opens one, an unescaped '"' inside closes it, and
// '\' inside a string escapes the next byte.
func scanQuotes(text string, inString, escaped bool) (bool, bool) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case !inString:
			inString = c == '"'
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inString = false
		}
	}
	return inString, escaped
}

// compileTemplate compiles text, resolving each placeholder to a
// predefined variable or to its InputPathsMap path. It reports the first
// placeholder that is neither, or whose path does not parse, with ok false.
func compileTemplate(text string, paths map[string]string) (t template, bad string, ok bool) {
	index := map[string]int{}
	inString, escaped := false, false
	pos := 0
	for _, sp := range eventbus.TemplatePlaceholders(text) {
		lit := text[pos:sp.Start]
		inString, escaped = scanQuotes(lit, inString, escaped)
		escaped = false // a placeholder is never half of an escape
		i, seen := index[sp.Name]
		if !seen {
			v, ok := resolve(sp.Name, paths)
			if !ok {
				return template{}, sp.Name, false
			}
			i = len(t.vars)
			index[sp.Name] = i
			t.vars = append(t.vars, v)
			switch {
			case v.src != srcPath:
			case v.path.indefinite:
				t.wildcards = append(t.wildcards, i)
			default:
				t.paths.add(v.path, i)
				t.nPaths++
			}
		}
		t.segs = append(t.segs, segment{literal: lit, variable: i, inString: inString})
		t.literalLen += len(lit)
		pos = sp.End
	}
	t.segs = append(t.segs, segment{literal: text[pos:], variable: -1})
	t.literalLen += len(text) - pos
	return t, "", true
}

// resolve returns the variable called name. Predefined names win: EventBridge
// reserves them, and InputPathsMap keys cannot contain '.' anyway.
func resolve(name string, paths map[string]string) (variable, bool) {
	switch name {
	case eventbus.PlaceholderRuleArn:
		return variable{name: name, src: srcRuleArn}, true
	case eventbus.PlaceholderRuleName:
		return variable{name: name, src: srcRuleName}, true
	case eventbus.PlaceholderIngestionTime:
		return variable{name: name, src: srcIngestionTime}, true
	case eventbus.PlaceholderEvent:
		return variable{name: name, src: srcEvent}, true
	case eventbus.PlaceholderEventJSON:
		return variable{name: name, src: srcEventJSON}, true
	}
	p, ok := paths[name]
	if !ok {
		return variable{}, false
	}
	compiled, ok := parsePath(p)
	return variable{name: name, src: srcPath, path: compiled}, ok
}

// maxStackVars and maxStackSlots bound the variables and path steps apply
// keeps on the stack; more cost an allocation each.
const (
	maxStackVars  = 16
	maxStackSlots = 32
)

// apply renders the template against event, appending to dst; a nil dst
// is allocated at the size the output needs. It returns ErrMalformedEvent
// (and dst unchanged) if the event is malformed where a path or a
// predefined variable read it.
func (t *template) apply(dst, event []byte, m Meta) ([]byte, error) {
	var stackVals [maxStackVars]value
	vals := stackVals[:0]
	if len(t.vars) > maxStackVars {
		vals = make([]value, 0, len(t.vars))
	}
	vals = vals[:len(t.vars)]
	if t.nPaths > 0 {
		var stackSlots [maxStackSlots][]byte
		slots := stackSlots[:0]
		if t.paths.edges > maxStackSlots {
			slots = make([][]byte, 0, t.paths.edges)
		}
		if !t.paths.eval(event, vals, slots[:t.paths.edges]) {
			return dst, ErrMalformedEvent
		}
	}
	var scratch []byte // for indefinite paths' arrays
	if len(t.wildcards) > 0 {
		scratch = make([]byte, 0, 256)
	}
	for _, i := range t.wildcards {
		var ok bool
		if vals[i], ok = t.vars[i].path.eval(event, &scratch); !ok {
			return dst, ErrMalformedEvent
		}
	}
	size, ok := t.measure(event, m, vals)
	if !ok {
		return dst, ErrMalformedEvent
	}
	if dst == nil {
		dst = make([]byte, 0, size)
	}
	for _, s := range t.segs {
		dst = append(dst, s.literal...)
		if s.variable >= 0 {
			dst = appendVariable(dst, t.vars[s.variable].src, vals[s.variable], s.inString, m)
		}
	}
	return dst, nil
}

// measure fills in the values of the event variables and returns about
// how long the output is (escaping and quotes can make it a little longer
// or shorter).
func (t *template) measure(event []byte, m Meta, vals []value) (int, bool) {
	size := t.literalLen
	for i, v := range t.vars {
		switch v.src {
		case srcPath:
			size += len(vals[i].raw) + 2
		case srcRuleArn:
			size += len(m.RuleArn) + 2
		case srcRuleName:
			size += len(m.RuleName) + 2
		case srcIngestionTime:
			size += len(javaInstantLayout) + 2
		case srcEvent, srcEventJSON:
			var ok bool
			if vals[i], ok = rootObject(event); !ok {
				return 0, false
			}
			size += len(vals[i].raw)
		}
	}
	return size, true
}

// appendVariable appends the value of a variable from src.
func appendVariable(dst []byte, src source, val value, inString bool, m Meta) []byte {
	switch src {
	case srcRuleArn:
		return appendText(dst, m.RuleArn, inString)
	case srcRuleName:
		return appendText(dst, m.RuleName, inString)
	case srcIngestionTime:
		return appendIngestionTime(dst, m.IngestionTime, inString)
	case srcEvent:
		return appendEventSummary(dst, val.raw, inString)
	}
	return appendValue(dst, val, inString)
}

// rootObject returns the event's top-level value, which must be an object.
func rootObject(event []byte) (value, bool) {
	start := jsontext.SkipSpace(event, 0)
	if start >= len(event) || event[start] != '{' {
		return value{}, false
	}
	end, ok := jsontext.ValueEnd(event, start)
	return value{kind: kindObject, raw: event[start:end]}, ok
}

// appendValue appends v as EventBridge substitutes a JSON value: outside a
// JSON string, the value itself (compact), with "" for a path that matched
// nothing; inside one, strings without their quotes (their escapes kept),
// numbers and literals as written, objects and arrays with the quotes of
// their strings removed, and nothing for a path that matched nothing.
func appendValue(dst []byte, v value, inString bool) []byte {
	switch v.kind {
	case kindMissing:
		if !inString {
			dst = append(dst, '"', '"')
		}
	case kindString:
		if inString {
			dst = append(dst, v.raw[1:len(v.raw)-1]...)
		} else {
			dst = append(dst, v.raw...)
		}
	case kindObject, kindArray:
		if inString {
			dst = appendUnquoted(dst, v.raw)
		} else {
			dst = jsontext.AppendCompact(dst, v.raw)
		}
	default:
		dst = append(dst, v.raw...)
	}
	return dst
}

// appendText appends the string s: JSON-quoted outside a JSON string,
// escaped without quotes inside one.
func appendText(dst []byte, s string, inString bool) []byte {
	if inString {
		return jsontext.AppendEscaped(dst, s)
	}
	dst = append(dst, '"')
	dst = jsontext.AppendEscaped(dst, s)
	return append(dst, '"')
}

// javaInstantLayout is the longest form appendIngestionTime writes.
const javaInstantLayout = "2006-01-02T15:04:05.000Z"

// appendIngestionTime appends t in ISO 8601, UTC, to the millisecond, as
// Java's Instant.toString writes it: the fraction is left out when it is
// zero ("2026-11-22T13:56:00Z", "2026-11-22T13:56:00.120Z"). It is a
// string, quoted or not as appendText does.
func appendIngestionTime(dst []byte, t time.Time, inString bool) []byte {
	if !inString {
		dst = append(dst, '"')
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Nanosecond() == 0 {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05Z")
	} else {
		dst = t.AppendFormat(dst, javaInstantLayout)
	}
	if !inString {
		dst = append(dst, '"')
	}
	return dst
}

// summaryFields are the members of <aws.events.event>, in the order AWS
// writes them, with the envelope member each comes from: the event without
// "detail", "detail-type" renamed "detailType".
var summaryFields = [...]struct{ out, in string }{
	{"id", "id"},
	{"account", "account"},
	{"detailType", "detail-type"},
	{"time", "time"},
	{"source", "source"},
	{"region", "region"},
	{"resources", "resources"},
	{"version", "version"},
}

// appendEventSummary appends <aws.events.event> built from the event
// object obj: the members of summaryFields the event has, as an object
// (keys and values unquoted inside a JSON string, like any object).
func appendEventSummary(dst, obj []byte, inString bool) []byte {
	var found [len(summaryFields)][]byte
	members(obj, func(m member) bool {
		for i, f := range summaryFields {
			if nameEquals(m.name, f.in) {
				found[i] = m.value
			}
		}
		return true
	})
	dst = append(dst, '{')
	first := true
	for i, f := range summaryFields {
		if found[i] == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if inString {
			dst = append(dst, f.out...)
		} else {
			dst = append(dst, '"')
			dst = append(dst, f.out...)
			dst = append(dst, '"')
		}
		dst = append(dst, ':')
		dst = appendValue(dst, value{kind: kindOf(found[i][0]), raw: found[i]}, inString)
	}
	return append(dst, '}')
}
