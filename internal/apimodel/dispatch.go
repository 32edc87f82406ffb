package apimodel

import "github.com/switchyard/switchyard/internal/awserr"

func unsupported(op string) error {
	return awserr.OperationUnsupported(op)
}

// serviceError passes a Service error on as an *awserr.Error (anything else
// becomes InternalException carrying it as the logged cause).
func serviceError(err error) error {
	if err == nil {
		return nil
	}
	return awserr.From(err)
}

// output returns a Service result as Dispatch does: a nil *T becomes a nil
// any, so the wire layer writes {} rather than null.
func output[T any](out *T, err error) (any, error) {
	if err != nil {
		return nil, serviceError(err)
	}
	if out == nil {
		return nil, nil
	}
	return out, nil
}
