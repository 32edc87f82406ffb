package delivery

import "github.com/switchyard/switchyard/internal/transform"

// A Transformer shapes what a target receives from the job's event and the
// target's Input, InputPath or InputTransformer. It runs before Send for
// every kind that is not RawEvent. An error it returns is a failed attempt
// like any other (Classify applies); a bad transformation should be
// Permanent.
type Transformer interface {
	Transform(j *Job) ([]byte, error)
}

// TransformFunc adapts a function to Transformer.
type TransformFunc func(j *Job) ([]byte, error)

// Transform calls f(j).
func (f TransformFunc) Transform(j *Job) ([]byte, error) { return f(j) }

// TargetInput returns the Transformer a Dispatcher uses by default: package
// transform (Input, InputPath, InputTransformer) with each target compiled
// once in cache. Settings that do not compile fail the attempt for good
// with INVALID_PARAMETER, an event the paths cannot read with
// INVALID_JSON: retrying would not change either. It is safe for
// concurrent use.
func TargetInput(cache *transform.Cache) Transformer {
	return TransformFunc(func(j *Job) ([]byte, error) {
		t, err := cache.Get(j.RuleArn, j.Target)
		if err != nil {
			return nil, Permanent(CodeInvalidParameter, "target %s: %v", j.Target.ID, err)
		}
		in, err := t.Apply(j.Event.Envelope, transform.NewMeta(j.RuleArn, j.Event.IngestedAt))
		if err != nil {
			return nil, Permanent(CodeInvalidJSON, "target %s: %v", j.Target.ID, err)
		}
		return in, nil
	})
}
