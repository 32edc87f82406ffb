package pattern

// A reference interpreter for event patterns, written plainly and
// independently of the automaton: it decodes the pattern and the event with
// encoding/json, expands $or, flattens the event into leaves and tries every
// assignment of leaves to fields. It is slow and obviously right, and the
// tests hold the automaton to it.

import (
	"encoding/json"
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
)

type refKV struct {
	key string
	val any
}

type refObj []refKV

func refDecode(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			var o refObj
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				val, err := refDecode(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, refKV{k.(string), val})
			}
			_, err := dec.Token()
			return o, err
		}
		var a []any
		for dec.More() {
			val, err := refDecode(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, val)
		}
		_, err := dec.Token()
		if a == nil {
			a = []any{}
		}
		return a, err
	}
	return tok, nil
}

func refParse(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return refDecode(dec)
}

type refRule map[string][]any

func refExpand(o refObj, prefix string, rules []refRule) []refRule {
	for _, kv := range o {
		switch v := kv.val.(type) {
		case refObj:
			rules = refExpand(v, prefix+kv.key+".", rules)
		case []any:
			if kv.key == "$or" {
				current := rules
				rules = nil
				for _, b := range v {
					var next []refRule
					for _, r := range current {
						c := refRule{}
						for k, x := range r {
							c[k] = x
						}
						next = append(next, c)
					}
					if len(next) == 0 {
						next = []refRule{{}}
					}
					rules = append(rules, refExpand(b.(refObj), prefix, next)...)
				}
				continue
			}
			if len(rules) == 0 {
				rules = []refRule{{}}
			}
			for _, r := range rules {
				r[prefix+kv.key] = v
			}
		}
	}
	return rules
}

// A refLeaf is a scalar of the event with its path and array positions.
type refLeaf struct {
	path  string
	val   any // string, json.Number, bool, nil
	trail map[int]int
}

func refFlatten(v any, path string, trail map[int]int, nextArr *int, out *[]refLeaf) {
	switch x := v.(type) {
	case refObj:
		for _, kv := range x {
			p := kv.key
			if path != "" {
				p = path + "." + kv.key
			}
			refFlatten(kv.val, p, trail, nextArr, out)
		}
	case []any:
		id := *nextArr
		*nextArr++
		for i, e := range x {
			t := map[int]int{id: i}
			for k, v := range trail {
				t[k] = v
			}
			refFlatten(e, path, t, nextArr, out)
		}
	default:
		*out = append(*out, refLeaf{path, x, trail})
	}
}

// refMatches reports whether event matches pattern, both valid JSON.
func refMatches(t testing.TB, pattern, event string) bool {
	t.Helper()
	pv, err := refParse(pattern)
	if err != nil {
		t.Fatalf("reference: pattern %s: %v", pattern, err)
	}
	ev, err := refParse(event)
	if err != nil {
		t.Fatalf("reference: event %s: %v", event, err)
	}
	var leaves []refLeaf
	n := 0
	refFlatten(ev, "", map[int]int{}, &n, &leaves)
	for _, r := range refExpand(pv.(refObj), "", nil) {
		var paths []string
		for p := range r {
			paths = append(paths, p)
		}
		if refAssign(r, paths, leaves, map[int]int{}) {
			return true
		}
	}
	return false
}

// refAssign tries every way to pick, for each field, a leaf meeting one of
// its values, with no array entered at two indexes.
func refAssign(r refRule, paths []string, leaves []refLeaf, chosen map[int]int) bool {
	if len(paths) == 0 {
		return true
	}
	path, rest := paths[0], paths[1:]
	present := false
	for _, l := range leaves {
		if l.path != path {
			continue
		}
		present = true
		ok := true
		for a, i := range l.trail {
			if j, seen := chosen[a]; seen && j != i {
				ok = false
			}
		}
		if !ok || !refAnyValue(r[path], l.val) {
			continue
		}
		next := map[int]int{}
		for a, i := range chosen {
			next[a] = i
		}
		for a, i := range l.trail {
			next[a] = i
		}
		if refAssign(r, rest, leaves, next) {
			return true
		}
	}
	if !present {
		for _, c := range r[path] {
			if o, ok := c.(refObj); ok && o[0].key == "exists" && o[0].val == false {
				return refAssign(r, rest, leaves, chosen)
			}
		}
	}
	return false
}

func refAnyValue(conds []any, v any) bool {
	for _, c := range conds {
		if refValue(c, v) {
			return true
		}
	}
	return false
}

func refNum(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil && !math.IsInf(f, 0)
}

func refFold(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}

// refIP parses a dotted quad (decimal parts, leading zeros allowed) or an
// IPv6 address into 4 or 16 bytes.
var (
	refIPv4 = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	refIPv6 = regexp.MustCompile(`^[0-9a-fA-F:]*:[0-9a-fA-F:]*$`)
	refRes  sync.Map // glob -> *regexp.Regexp
)

func refIP(s string) net.IP {
	if refIPv4.MatchString(s) {
		ip := make(net.IP, 4)
		for i, p := range strings.Split(s, ".") {
			v, err := strconv.Atoi(p)
			if err != nil || v > 255 {
				return nil
			}
			ip[i] = byte(v)
		}
		return ip
	}
	if !refIPv6.MatchString(s) {
		return nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil
	}
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip
}

func refCIDR(c string, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	ip := refIP(s)
	base, bitsText, _ := strings.Cut(c, "/")
	bits, _ := strconv.Atoi(bitsText)
	b := refIP(base)
	if ip == nil || len(ip) != len(b) {
		return false
	}
	for i := 0; i < bits; i++ {
		if ip[i/8]&(0x80>>(i%8)) != b[i/8]&(0x80>>(i%8)) {
			return false
		}
	}
	return true
}

func refGlob(g, s string) bool {
	if re, ok := refRes.Load(g); ok {
		return re.(*regexp.Regexp).MatchString(s)
	}
	var re strings.Builder
	re.WriteString(`(?s)^`)
	for i := 0; i < len(g); i++ {
		switch {
		case g[i] == '*':
			re.WriteString(`.*`)
		case g[i] == '\\':
			i++
			re.WriteString(regexp.QuoteMeta(g[i : i+1]))
		default:
			re.WriteString(regexp.QuoteMeta(g[i : i+1]))
		}
	}
	re.WriteString(`$`)
	compiled := regexp.MustCompile(re.String())
	refRes.Store(g, compiled)
	return compiled.MatchString(s)
}

func refStrings(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// refValue reports whether event value v meets one pattern value c.
func refValue(c, v any) bool {
	switch c := c.(type) {
	case string:
		if ip := refIP(c); ip != nil {
			s, ok := v.(string)
			return ok && refIP(s).Equal(ip) && len(refIP(s)) == len(ip)
		}
		return v == c
	case json.Number:
		f, ok := refNum(c)
		g, ok2 := refNum(v)
		if !ok {
			n, isNum := v.(json.Number)
			return isNum && n == c
		}
		return ok2 && f == g
	case bool, nil:
		return v == c
	}
	op := c.(refObj)[0]
	s, isStr := v.(string)
	switch op.key {
	case "exactly":
		return isStr && s == op.val
	case "prefix", "suffix":
		if o, ok := op.val.(refObj); ok {
			p := refFold(o[0].val.(string))
			if op.key == "prefix" {
				return isStr && strings.HasPrefix(refFold(s), p)
			}
			return isStr && strings.HasSuffix(refFold(s), p)
		}
		if op.key == "prefix" {
			return isStr && strings.HasPrefix(s, op.val.(string))
		}
		return isStr && strings.HasSuffix(s, op.val.(string))
	case "equals-ignore-case":
		return isStr && refFold(s) == refFold(op.val.(string))
	case "wildcard":
		return isStr && refGlob(op.val.(string), s)
	case "exists":
		return op.val == true
	case "cidr":
		return refCIDR(op.val.(string), v)
	case "numeric":
		f, ok := refNum(v)
		if !ok {
			return false
		}
		terms := op.val.([]any)
		for i := 0; i < len(terms); i += 2 {
			b, _ := strconv.ParseFloat(string(terms[i+1].(json.Number)), 64)
			var in bool
			switch terms[i].(string) {
			case "=":
				in = f == b
			case "<":
				in = f < b
			case "<=":
				in = f <= b
			case ">":
				in = f > b
			case ">=":
				in = f >= b
			}
			if !in {
				return false
			}
		}
		return true
	case "anything-but":
		return !refExcluded(op.val, v)
	}
	panic("reference: unknown operator " + op.key)
}

func refExcluded(spec, v any) bool {
	s, isStr := v.(string)
	if o, ok := spec.(refObj); ok {
		if !isStr {
			return false
		}
		for _, x := range refStrings(o[0].val) {
			switch o[0].key {
			case "prefix":
				if strings.HasPrefix(s, x) {
					return true
				}
			case "suffix":
				if strings.HasSuffix(s, x) {
					return true
				}
			case "equals-ignore-case":
				if refFold(s) == refFold(x) {
					return true
				}
			case "wildcard":
				if refGlob(x, s) {
					return true
				}
			}
		}
		return false
	}
	list, ok := spec.([]any)
	if !ok {
		list = []any{spec}
	}
	for _, x := range list {
		switch x := x.(type) {
		case string:
			if isStr && s == x {
				return true
			}
		case json.Number:
			f, _ := refNum(x)
			if g, ok := refNum(v); ok && f == g {
				return true
			}
		}
	}
	return false
}
