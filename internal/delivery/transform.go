package delivery

import (
	"bytes"
	"encoding/json"
	"strings"
)

// A Transformer shapes what a target receives from the job's event and the
// target's Input, InputPath or InputTransformer. It runs before Send for
// every kind that is not RawEvent. An error it returns is a failed attempt
// like any other (Classify applies); a bad transformation should be
// Permanent.
//
// BasicTransform is the default. The InputTransformer language belongs
// elsewhere: a Transformer that handles it (and falls back to
// BasicTransform for the rest) is set in Config.Transform.
type Transformer interface {
	Transform(j *Job) ([]byte, error)
}

// TransformFunc adapts a function to Transformer.
type TransformFunc func(j *Job) ([]byte, error)

// Transform calls f(j).
func (f TransformFunc) Transform(j *Job) ([]byte, error) { return f(j) }

// BasicTransform gives the whole event when the target sets nothing, the
// constant Input when set, and the value at InputPath when set (plain
// JSONPath only: "$" or "$.a.b" with names of letters, digits, '_' and
// '-'). A path that does not resolve gives an empty input. A target with an
// InputTransformer fails permanently with INVALID_PARAMETER, until a
// Transformer that implements the template language is configured.
func BasicTransform(j *Job) ([]byte, error) {
	t := &j.Target
	switch {
	case t.InputTransformer != nil:
		return nil, Permanent(CodeInvalidParameter, "InputTransformer is not supported by this switchyard build")
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		return InputPath(j.Event.Envelope, t.InputPath)
	}
	return j.Event.Envelope, nil
}

// InputPath returns the JSON value at path in doc: doc itself for "$", the
// member chain for "$.a.b". It returns nil, nil when a member is missing or
// a step is not an object, and a Permanent INVALID_PARAMETER error for a
// path it does not support or a doc that is not JSON.
func InputPath(doc []byte, path string) ([]byte, error) {
	if path == "$" {
		return doc, nil
	}
	rest, ok := strings.CutPrefix(path, "$.")
	if !ok || rest == "" {
		return nil, Permanent(CodeInvalidParameter, "InputPath %q is not supported (plain $.a.b paths only)", path)
	}
	cur := json.RawMessage(doc)
	for name := range strings.SplitSeq(rest, ".") {
		if !plainName(name) {
			return nil, Permanent(CodeInvalidParameter, "InputPath %q is not supported (plain $.a.b paths only)", path)
		}
		if t := bytes.TrimLeft(cur, " \t\r\n"); len(t) == 0 || t[0] != '{' {
			return nil, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil {
			return nil, Permanent(CodeInvalidJSON, "event is not valid JSON: %v", err)
		}
		v, found := obj[name]
		if !found {
			return nil, nil
		}
		cur = v
	}
	return cur, nil
}

func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
