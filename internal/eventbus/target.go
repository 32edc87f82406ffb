package eventbus

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds what PutTargets checks about a target that the API model
// cannot express (its input settings and ARN), and how a target that is an
// event bus is recognized for routing.

// The InputTemplate placeholders EventBridge fills in itself, usable
// without an InputPathsMap entry.
const (
	PlaceholderRuleArn       = "aws.events.rule-arn"
	PlaceholderRuleName      = "aws.events.rule-name"
	PlaceholderIngestionTime = "aws.events.event.ingestion-time"
	PlaceholderEvent         = "aws.events.event"
	PlaceholderEventJSON     = "aws.events.event.json"
)

var predefinedPlaceholders = map[string]bool{
	PlaceholderRuleArn:       true,
	PlaceholderRuleName:      true,
	PlaceholderIngestionTime: true,
	PlaceholderEvent:         true,
	PlaceholderEventJSON:     true,
}

// IsPredefinedPlaceholder reports whether name (without angle brackets) is
// one of the placeholders EventBridge defines: aws.events.rule-arn,
// aws.events.rule-name, aws.events.event.ingestion-time, aws.events.event
// and aws.events.event.json.
func IsPredefinedPlaceholder(name string) bool { return predefinedPlaceholders[name] }

// TargetInput is the input-shaping part of a target as PutTargets received
// it; a nil field was absent.
type TargetInput struct {
	Input            *string
	InputPath        *string
	InputTransformer *InputTransformer
}

// CheckTargetInput applies PutTargets' rules to the input settings of the
// target with the given Id and returns the ValidationException message for
// the first it breaks, or "" when they are acceptable:
//
//   - at most one of Input, InputPath and InputTransformer (an empty Input or
//     InputPath counts as absent);
//   - Input is JSON text;
//   - InputPath and every InputPathsMap value are JSONPaths in dot notation;
//   - InputPathsMap keys do not start with "AWS";
//   - every <placeholder> of InputTemplate is an InputPathsMap key or a
//     predefined placeholder.
func CheckTargetInput(id string, in TargetInput) string {
	hasInput := in.Input != nil && *in.Input != ""
	hasPath := in.InputPath != nil && *in.InputPath != ""
	n := 0
	for _, set := range []bool{hasInput, hasPath, in.InputTransformer != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "Only one of Input, InputPath, or InputTransformer must be provided for target " + id + "."
	}
	switch {
	case hasInput:
		return checkJSONInput(id, *in.Input)
	case hasPath:
		if !ValidJSONPath(*in.InputPath) {
			return "Invalid InputPath for target " + id + ": " + *in.InputPath + " is not a valid JSON path."
		}
	case in.InputTransformer != nil:
		return checkTransformer(id, *in.InputTransformer)
	}
	return ""
}

func checkTransformer(id string, it InputTransformer) string {
	for key, path := range it.PathsMap {
		if strings.HasPrefix(key, "AWS") {
			return "InputPathsMap for target " + id + " contains invalid key " + key + ": keys can't start with \"AWS\"."
		}
		if !ValidJSONPath(path) {
			return "Invalid InputPathsMap for target " + id + ": " + path + " is not a valid JSON path."
		}
	}
	for _, p := range TemplatePlaceholders(it.Template) {
		if _, ok := it.PathsMap[p.Name]; !ok && !IsPredefinedPlaceholder(p.Name) {
			return "InputTemplate for target " + id + " contains invalid placeholder " + p.Name + "."
		}
	}
	return ""
}

// A Placeholder is one <name> of an InputTemplate: the template's bytes
// [Start, End) are "<" + Name + ">".
type Placeholder struct {
	Name       string
	Start, End int
}

// TemplatePlaceholders returns the <placeholder>s of an InputTemplate in
// order of appearance: '<', a run of letters, digits, '_', '-' and '.',
// then '>'. Other text in angle brackets is literal. It is the one rule
// both PutTargets (CheckTargetInput) and delivery (package transform) use.
func TemplatePlaceholders(template string) []Placeholder {
	var out []Placeholder
	for pos := 0; ; {
		open := strings.IndexByte(template[pos:], '<')
		if open < 0 {
			return out
		}
		open += pos
		end := strings.IndexByte(template[open+1:], '>')
		if end < 0 {
			return out
		}
		end += open + 1
		if name := template[open+1 : end]; name != "" && isPlaceholderName(name) {
			out = append(out, Placeholder{Name: name, Start: open, End: end + 1})
			pos = end + 1
		} else {
			pos = open + 1
		}
	}
}

func isPlaceholderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ValidJSONPath reports whether p is a JSONPath in the dot notation
// EventBridge takes: "$" followed by ".name" steps (a name is any run of
// characters other than '.', '[', ']' and whitespace), each optionally
// followed by array indexes "[n]".
func ValidJSONPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok {
		return false
	}
	for rest != "" {
		if rest[0] != '.' {
			return false
		}
		rest = rest[1:]
		n := strings.IndexAny(rest, ".[")
		if n < 0 {
			n = len(rest)
		}
		if n == 0 || strings.ContainsAny(rest[:n], "] \t\r\n") {
			return false
		}
		rest = rest[n:]
		for strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 2 || !allDigits(rest[1:end]) {
				return false
			}
			rest = rest[end+1:]
		}
	}
	return true
}

// checkJSONInput returns AWS's message for an Input that is not JSON text:
// "JSON syntax error in input for target <id>: [Source: (String)"<input>";
// line: <l>, column: <c>]". The location approximates where Jackson stops
// reading: just past the offending character, or past the whole word when
// the offending text is a bare word.
func checkJSONInput(id, input string) string {
	var v any
	err := json.Unmarshal([]byte(input), &v)
	if err == nil {
		return ""
	}
	offset := len(input)
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(input) {
		offset = int(se.Offset)
		// Jackson reads a bare word whole before rejecting it.
		if c := input[offset-1]; isWordByte(c) {
			for offset < len(input) && isWordByte(input[offset]) {
				offset++
			}
		}
	}
	line, col := 1, 1
	for _, r := range input[:offset] {
		if r == '\n' {
			line, col = line+1, 1
			continue
		}
		col += utf16Units(r)
	}
	return "JSON syntax error in input for target " + id + ": " + jacksonSource(input, line, col)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// jacksonSource renders a parser location as Jackson does for a String
// source: the first 500 characters quoted (the rest counted as truncated),
// then line and column.
func jacksonSource(src string, line, col int) string {
	const maxSnippet = 500
	var b strings.Builder
	b.WriteString(`[Source: (String)"`)
	units, truncated := 0, 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if units+utf16Units(r) > maxSnippet {
			for _, r := range src[i:] {
				truncated += utf16Units(r)
			}
			break
		}
		units += utf16Units(r)
		b.WriteString(src[i : i+size])
		i += size
	}
	b.WriteByte('"')
	if truncated > 0 {
		b.WriteString("[truncated " + strconv.Itoa(truncated) + " chars]")
	}
	b.WriteString("; line: " + strconv.Itoa(line) + ", column: " + strconv.Itoa(col) + "]")
	return b.String()
}

// CheckTargetARN returns the ValidationException message for a target Arn
// that is not an ARN, or "".
func CheckTargetARN(arn string) string {
	if _, ok := ParseARN(arn); !ok {
		return "Parameter " + arn + " is not valid. Reason: Provided Arn is not in correct format."
	}
	return ""
}

// A BusTarget is a target that is an event bus: events matched by the rule
// are put on that bus, which may belong to another account.
type BusTarget struct {
	Region, Account, Bus string
}

// ParseBusTarget recognizes a target Arn naming an event bus,
// arn:<partition>:events:<region>:<account>:event-bus/<name>. ok is false for
// any other Arn. The router delivers bus targets whose Region is its own;
// a bus in another account accepts the event only if its policy allows the
// rule's account (PolicyAllows with ActionPutEvents).
func ParseBusTarget(arn string) (BusTarget, bool) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "events" || !IsAccountID(a.Account) || a.Region == "" {
		return BusTarget{}, false
	}
	name, found := strings.CutPrefix(a.Resource, "event-bus/")
	if !found || name == "" {
		return BusTarget{}, false
	}
	return BusTarget{Region: a.Region, Account: a.Account, Bus: name}, true
}
