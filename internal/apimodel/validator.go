package apimodel

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchyard/switchyard/internal/awserr"
)

// A stringRule is the model's constraints on a string shape. min and max are
// -1 when the model sets none. member is every constraint as AWS lists them
// in "Member must satisfy constraint: [...]" when the shape is a list
// element or a map key or value.
type stringRule struct {
	min, max  int
	pattern   string         // the model's pattern, verbatim, for messages
	re        *regexp.Regexp // pattern in RE2, anchored at both ends
	notRe     *regexp.Regexp // set when the pattern began with a negative lookahead
	enum      []string
	sensitive bool
	member    string
}

// An intRule is the model's range on an integer or long shape.
type intRule struct {
	min, max       int64
	hasMin, hasMax bool
}

// A sizeRule is the model's bounds on a list or map (-1: none).
type sizeRule struct {
	min, max  int
	sensitive bool
}

// A validator collects violations in the order they are found: members in
// model order, each member's own constraints before those of what it holds.
type validator struct {
	msgs []string
}

// err returns nil or the ValidationException listing every violation.
func (v *validator) err() error {
	if len(v.msgs) == 0 {
		return nil
	}
	return awserr.ValidationErrors(v.msgs...)
}

// join appends a member to a path: "" + "name" is "name", "a" + "b" is "a.b".
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// element is the path of the i-th (0-based) element of a list member, which
// AWS numbers from 1: "entries.1.member".
func element(path, name string, i int) string {
	return join(path, name) + "." + strconv.Itoa(i+1) + ".member"
}

// maxValueChars bounds how much of an offending value a message quotes.
//
// AWS's services echo the value in "Value '...' at '...' failed to satisfy
// constraint" messages, but we found no public statement of how their
// validation layer (Coral) bounds a long one: searches of issue threads and
// pages turned up short values only, and Smithy's open-source server
// frameworks, AWS's published successor, avoid the question by never echoing
// a value whose length fails ("Value with length N at ..." in the Smithy
// protocol tests). So this bound is switchyard's own choice, not AWS's rule:
// the first 1024 characters are quoted, then "...[truncated N chars]" counts
// the rest, in the form pattern errors already use. Every value within the
// bound is quoted whole, so messages about ordinary values stay exactly as
// AWS words them.
const maxValueChars = 1024

// add records one violation. value is the rendered value: "null", a quoted
// value, or "" for a sensitive one, which AWS leaves out; a quoted value
// longer than maxValueChars is cut (see maxValueChars).
func (v *validator) add(path, name, value, constraint string) {
	var b strings.Builder
	b.WriteString("Value ")
	if value != "" {
		writeCut(&b, value)
		b.WriteByte(' ')
	}
	b.WriteString("at '")
	b.WriteString(join(path, name))
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	v.msgs = append(v.msgs, b.String())
}

// writeCut writes value, a quoted value or "null", cutting a quoted one
// whose content is longer than maxValueChars characters to that many,
// followed by "...[truncated N chars]" inside the quotes.
func writeCut(b *strings.Builder, value string) {
	inner, quoted := strings.CutPrefix(value, "'")
	inner, _ = strings.CutSuffix(inner, "'")
	if !quoted || len(inner) <= maxValueChars { // bytes >= characters: short for sure
		b.WriteString(value)
		return
	}
	end, n := 0, 0
	for i := range inner {
		if n == maxValueChars {
			end = i
			break
		}
		n++
	}
	if end == 0 { // maxValueChars characters or fewer
		b.WriteString(value)
		return
	}
	b.WriteByte('\'')
	b.WriteString(inner[:end])
	b.WriteString("...[truncated ")
	b.WriteString(strconv.Itoa(utf8.RuneCountInString(inner[end:])))
	b.WriteString(" chars]'")
}

const msgNotNull = "Member must not be null"

func quote(s string) string { return "'" + s + "'" }

func nullValue(sensitive bool) string {
	if sensitive {
		return ""
	}
	return "null"
}

func lengthMax(n int) string {
	return "Member must have length less than or equal to " + strconv.Itoa(n)
}

func lengthMin(n int) string {
	return "Member must have length greater than or equal to " + strconv.Itoa(n)
}

// checkPresent records "must not be null" for a missing required member.
func (v *validator) checkPresent(path, name string, present bool) {
	if !present {
		v.add(path, name, "null", msgNotNull)
	}
}

// checkString checks a string member: presence, then length, then pattern,
// then enum. A value failing several constraints yields several errors.
func (v *validator) checkString(path, name string, s *string, required bool, r *stringRule) {
	if s == nil {
		if required {
			v.add(path, name, nullValue(r != nil && r.sensitive), msgNotNull)
		}
		return
	}
	if r == nil {
		return
	}
	value := ""
	if !r.sensitive {
		value = quote(*s)
	}
	for _, c := range r.violations(*s) {
		v.add(path, name, value, c)
	}
}

// violations returns the constraints s fails, in AWS's order.
func (r *stringRule) violations(s string) []string {
	var out []string
	if r.max >= 0 || r.min >= 0 {
		n := utf8.RuneCountInString(s)
		if r.max >= 0 && n > r.max {
			out = append(out, lengthMax(r.max))
		}
		if r.min >= 0 && n < r.min {
			out = append(out, lengthMin(r.min))
		}
	}
	if r.re != nil && !r.matches(s) {
		out = append(out, "Member must satisfy regular expression pattern: "+r.pattern)
	}
	if len(r.enum) > 0 && !slices.Contains(r.enum, s) {
		out = append(out, "Member must satisfy enum value set: ["+strings.Join(r.enum, ", ")+"]")
	}
	return out
}

// ok reports whether s meets every constraint.
func (r *stringRule) ok(s string) bool {
	if r.max >= 0 || r.min >= 0 {
		n := utf8.RuneCountInString(s)
		if (r.max >= 0 && n > r.max) || (r.min >= 0 && n < r.min) {
			return false
		}
	}
	if r.re != nil && !r.matches(s) {
		return false
	}
	return len(r.enum) == 0 || slices.Contains(r.enum, s)
}

func (r *stringRule) matches(s string) bool {
	return r.re.MatchString(s) && (r.notRe == nil || !r.notRe.MatchString(s))
}

// checkInt checks an integer or long member.
func (v *validator) checkInt(path, name string, n *int64, required bool, r *intRule) {
	if n == nil {
		if required {
			v.add(path, name, "null", msgNotNull)
		}
		return
	}
	if r == nil {
		return
	}
	value := quote(strconv.FormatInt(*n, 10))
	if r.hasMax && *n > r.max {
		v.add(path, name, value, "Member must have value less than or equal to "+strconv.FormatInt(r.max, 10))
	}
	if r.hasMin && *n < r.min {
		v.add(path, name, value, "Member must have value greater than or equal to "+strconv.FormatInt(r.min, 10))
	}
}

// checkSize checks the number of elements of a list or map. render writes
// the value for the message.
func (v *validator) checkSize(path, name string, n int, r *sizeRule, render func(*strings.Builder)) {
	if r == nil {
		return
	}
	var c string
	switch {
	case r.max >= 0 && n > r.max:
		c = lengthMax(r.max)
	case r.min >= 0 && n < r.min:
		c = lengthMin(r.min)
	default:
		return
	}
	v.add(path, name, renderValue(r.sensitive, render), c)
}

// renderValue quotes what render writes, or returns "" for a sensitive value.
func renderValue(sensitive bool, render func(*strings.Builder)) string {
	if sensitive {
		return ""
	}
	var b strings.Builder
	b.WriteByte('\'')
	render(&b)
	b.WriteByte('\'')
	return b.String()
}

// checkList checks presence and size of a list of structures and reports
// whether it is present, so the caller goes on to its elements.
func (v *validator) checkList(path, name string, isNil bool, n int, required bool, r *sizeRule, render func(*strings.Builder)) bool {
	if isNil {
		if required {
			v.add(path, name, nullValue(r != nil && r.sensitive), msgNotNull)
		}
		return false
	}
	v.checkSize(path, name, n, r, render)
	return true
}

// checkStringList checks a list of strings. Element violations are reported
// the way AWS does: once, at the list, naming every constraint of the
// element shape.
func (v *validator) checkStringList(path, name string, l []string, required bool, r *sizeRule, er *stringRule) {
	sensitive := (r != nil && r.sensitive) || (er != nil && er.sensitive)
	if l == nil {
		if required {
			v.add(path, name, nullValue(sensitive), msgNotNull)
		}
		return
	}
	render := func(b *strings.Builder) { writeJavaStrings(b, l) }
	v.checkSize(path, name, len(l), r, render)
	if er == nil {
		return
	}
	for _, s := range l {
		if !er.ok(s) {
			v.add(path, name, renderValue(sensitive, render), "Member must satisfy constraint: "+er.member)
			return
		}
	}
}

// checkStringMap checks a map of strings: size, then keys, then values, each
// reported once at the map, as AWS does.
func (v *validator) checkStringMap(path, name string, m map[string]string, required bool, r *sizeRule, kr, vr *stringRule) {
	if m == nil {
		if required {
			v.add(path, name, nullValue(r != nil && r.sensitive), msgNotNull)
		}
		return
	}
	sensitive := (r != nil && r.sensitive) || (vr != nil && vr.sensitive)
	render := func(b *strings.Builder) { writeJavaMap(b, m) }
	v.checkSize(path, name, len(m), r, render)
	if kr != nil {
		for k := range m {
			if !kr.ok(k) {
				v.add(path, name, renderValue(sensitive, render), "Map keys must satisfy constraint: "+kr.member)
				break
			}
		}
	}
	if vr != nil {
		for _, s := range m {
			if !vr.ok(s) {
				v.add(path, name, renderValue(sensitive, render), "Map value must satisfy constraint: "+vr.member)
				break
			}
		}
	}
}
