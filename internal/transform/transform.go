package transform

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// ErrMalformedEvent is returned by Apply when the event is not JSON where
// the transformation reads it. Events built by eventbus.NewEnvelope never
// are.
var ErrMalformedEvent = errors.New("transform: event is not valid JSON")

// Limits of the API model (events-2015-10-07) on a target's input settings,
// checked again by Compile.
const (
	MaxInputLength     = 8192 // Input, in characters
	MaxInputPathLength = 256  // InputPath and each InputPathsMap value
	MaxPaths           = 100  // InputPathsMap entries
	MaxKeyLength       = 256  // an InputPathsMap key
	MaxTemplateLength  = 8192 // InputTemplate, in characters
)

// Meta is what a delivery knows besides the event, for the predefined
// placeholders.
type Meta struct {
	// RuleArn and RuleName are the matching rule's, for
	// <aws.events.rule-arn> and <aws.events.rule-name>.
	RuleArn, RuleName string
	// IngestionTime is when EventBridge first accepted the event
	// (eventbus.Event.IngestedAt), for <aws.events.event.ingestion-time>.
	IngestionTime time.Time
}

// NewMeta returns the Meta of a delivery for the rule ruleArn, its name
// taken from the ARN: the text after the ARN's last '/'
// ("arn:aws:events:us-east-1:111111111111:rule/bus/name" is "name").
func NewMeta(ruleArn string, ingested time.Time) Meta {
	name := ruleArn
	if i := strings.LastIndexByte(ruleArn, '/'); i >= 0 {
		name = ruleArn[i+1:]
	}
	return Meta{RuleArn: ruleArn, RuleName: name, IngestionTime: ingested}
}

// A mode is which of a target's input settings a Transformer applies.
type mode uint8

const (
	modeEvent    mode = iota // nothing set: the whole event
	modeConstant             // Input
	modePath                 // InputPath
	modeTemplate             // InputTransformer
)

// A Transformer shapes events for one target. It is immutable and safe for
// concurrent use.
type Transformer struct {
	mode     mode
	constant []byte   // modeConstant
	path     path     // modePath
	tmpl     template // modeTemplate
}

// Compile compiles the input settings of target t (Input, InputPath,
// InputTransformer; an empty Input or InputPath counts as absent, as in
// PutTargets). It returns a *awserr.Error (ValidationException) for
// settings PutTargets refuses: with eventbus.CheckTargetInput's message
// for what it checks (more than one setting, Input not JSON, a bad path, an
// InputPathsMap key starting "AWS", an undefined placeholder) and a message
// in the API model's phrasing for the model's limits, which the API checks
// first and better (it knows the target's position in the request).
func Compile(t eventbus.Target) (*Transformer, error) {
	in := eventbus.TargetInput{InputTransformer: t.InputTransformer}
	if t.Input != "" {
		in.Input = &t.Input
	}
	if t.InputPath != "" {
		in.InputPath = &t.InputPath
	}
	if msg := eventbus.CheckTargetInput(t.ID, in); msg != "" {
		return nil, awserr.New(awserr.Validation, msg)
	}
	if msg := checkLimits(t); msg != "" {
		return nil, awserr.ValidationErrors(msg)
	}
	switch {
	case t.Input != "":
		return &Transformer{mode: modeConstant, constant: []byte(t.Input)}, nil
	case t.InputPath != "":
		p, ok := parsePath(t.InputPath)
		if !ok { // eventbus.ValidJSONPath accepted it: the grammars disagree
			return nil, awserr.InputPathInvalid(t.ID, t.InputPath)
		}
		return &Transformer{mode: modePath, path: p}, nil
	case t.InputTransformer != nil:
		tmpl, bad, ok := compileTemplate(t.InputTransformer.Template, t.InputTransformer.PathsMap)
		if !ok { // eventbus accepted it: the grammars disagree
			return nil, awserr.PlaceholderInvalid(t.ID, bad)
		}
		return &Transformer{mode: modeTemplate, tmpl: tmpl}, nil
	}
	return &Transformer{mode: modeEvent}, nil
}

// checkLimits returns the first API model constraint t's input settings
// break, phrased as the API's validation phrases it, or "".
func checkLimits(t eventbus.Target) string {
	violation := func(at, constraint string) string {
		return "Value at '" + at + "' failed to satisfy constraint: " + constraint
	}
	longer := func(n int) string { return "Member must have length less than or equal to " + strconv.Itoa(n) }
	switch {
	case utf8.RuneCountInString(t.Input) > MaxInputLength:
		return violation("input", longer(MaxInputLength))
	case utf8.RuneCountInString(t.InputPath) > MaxInputPathLength:
		return violation("inputPath", longer(MaxInputPathLength))
	case t.InputTransformer == nil:
		return ""
	}
	it := t.InputTransformer
	if len(it.PathsMap) > MaxPaths {
		return violation("inputTransformer.inputPathsMap", longer(MaxPaths))
	}
	for k, p := range it.PathsMap {
		if n := utf8.RuneCountInString(k); n < 1 || n > MaxKeyLength || !isPathKey(k) {
			return violation("inputTransformer.inputPathsMap", "Map keys must satisfy constraint: [Member must have length less than or equal to 256, "+
				`Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\_\-]+]`)
		}
		if utf8.RuneCountInString(p) > MaxInputPathLength {
			return violation("inputTransformer.inputPathsMap", "Map value must satisfy constraint: [Member must have length less than or equal to 256]")
		}
	}
	switch n := utf8.RuneCountInString(it.Template); {
	case n < 1:
		return violation("inputTransformer.inputTemplate", "Member must have length greater than or equal to 1")
	case n > MaxTemplateLength:
		return violation("inputTransformer.inputTemplate", longer(MaxTemplateLength))
	}
	return ""
}

// isPathKey reports whether k matches the model's InputPathsMap key
// pattern, [A-Za-z0-9\_\-]+.
func isPathKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return k != ""
}

// Apply returns the input the target receives for event, the envelope
// exactly as rules see it (eventbus.NewEnvelope). The result may alias
// event or the Transformer's own memory: callers must not modify it.
//
// What EventBridge does, and what Apply does where AWS is silent:
//
//   - No setting: the event itself. Input: the constant, verbatim.
//   - InputPath: the JSON value at the path, verbatim from the event (a
//     string keeps its quotes); "$" is the whole event. A path that matches
//     nothing gives an empty input (nil).
//   - Paths: dot notation, "[n]" indexes, "*" wildcards (the grammar is at
//     the top of path.go). A wildcard path yields an array of every match,
//     [] for none. Of duplicate member names the last counts.
//   - InputTransformer: the InputTemplate, verbatim, with each <placeholder>
//     replaced. The template is read as JSON text only to know whether a
//     placeholder sits inside a JSON string. Outside one, a value is
//     written as JSON: strings quoted, numbers, booleans, null, objects and
//     arrays as they are (compacted), and "" for a path that matches
//     nothing. Inside one, a value is written as string content: a string
//     without its quotes (its JSON escapes kept, so the result stays
//     valid), numbers and literals as written, an object or array with the
//     quotes of its strings removed ({"a":"b"} becomes {a:b}), and nothing
//     for a path that matches nothing. A template that is itself a JSON
//     string ("<a> is <b>") is therefore delivered with its quotes, as AWS
//     delivers it.
//   - <aws.events.rule-arn>, <aws.events.rule-name>: strings from m.
//     <aws.events.event.ingestion-time>: a string, m.IngestionTime in ISO
//     8601 UTC to the millisecond. <aws.events.event.json>: the whole
//     event, an object. <aws.events.event>: an object of the event's id,
//     account, detailType (from detail-type), time, source, region,
//     resources and version, in that order: no detail.
//
// It returns ErrMalformedEvent if the event is not JSON where it is read.
func (t *Transformer) Apply(event []byte, m Meta) ([]byte, error) {
	switch t.mode {
	case modeEvent:
		return event, nil
	case modeConstant:
		return t.constant, nil
	case modePath:
		return t.applyPath(event)
	}
	return t.tmpl.apply(nil, event, m)
}

// AppendApply is Apply appending the input to dst, never aliasing event or
// the Transformer. On error it returns dst unchanged.
func (t *Transformer) AppendApply(dst, event []byte, m Meta) ([]byte, error) {
	if t.mode == modeTemplate {
		return t.tmpl.apply(dst, event, m)
	}
	out, err := t.Apply(event, m)
	if err != nil {
		return dst, err
	}
	return append(dst, out...), nil
}

// applyPath returns the value at the InputPath: aliasing event, except for
// a wildcard path's array.
func (t *Transformer) applyPath(event []byte) ([]byte, error) {
	var scratch []byte
	v, ok := t.path.eval(event, &scratch)
	if !ok {
		return nil, ErrMalformedEvent
	}
	return v.raw, nil
}
