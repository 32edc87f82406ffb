package api

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/pattern"
)

// This file holds TestEventPattern and the pattern check PutRule shares.

// compilePattern compiles an event pattern, turning a bad one into AWS's
// error: InvalidEventPatternException with package pattern's message, or
// ValidationException for a pattern over the length limit.
func compilePattern(src string) (*pattern.Pattern, error) {
	p, err := pattern.Compile(src)
	if err == nil {
		return p, nil
	}
	var pe *pattern.Error
	if !errors.As(err, &pe) {
		return nil, awserr.InternalError(err)
	}
	if pe.TooLong {
		return nil, awserr.New(awserr.Validation, pe.Error())
	}
	return nil, awserr.New(awserr.InvalidEventPattern, pe.Error())
}

// requiredEventFields are the members TestEventPattern insists on; AWS lets
// resources be missing.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// checkTestEvent reports whether event is a JSON object in which every
// required member is present. AWS checks presence only, not the members'
// types: it accepts and matches an event whose detail-type is an array of
// strings (LocalStack's AWS-validated case content_ignorecase, in
// localstack/localstack tests/aws/services/events/event_pattern_templates,
// validated 2025-10-15), and refuses a string, an array or an object lacking
// a member with "Parameter Event is not valid." (test_plain_string_payload,
// test_array_event_payload, test_invalid_event_payload in
// test_events_patterns.snapshot.json).
func checkTestEvent(event string) bool {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(event), &fields); err != nil || fields == nil {
		return false
	}
	for _, name := range requiredEventFields {
		if _, ok := fields[name]; !ok {
			return false
		}
	}
	return true
}

// TestEventPattern reports whether an event matches a pattern. A bad pattern
// is InvalidEventPatternException; an event that is not a JSON object with
// members id, account, source, time, region and detail-type (of any JSON
// type) is ValidationException.
func (s *Service) TestEventPattern(ctx context.Context, in *apimodel.TestEventPatternRequest) (*apimodel.TestEventPatternResponse, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	p, err := compilePattern(*in.EventPattern)
	if err != nil {
		return nil, err
	}
	if !checkTestEvent(*in.Event) {
		return nil, awserr.EventNotValid()
	}
	ok, err := p.Matches([]byte(*in.Event))
	if err != nil {
		return nil, awserr.EventNotValid()
	}
	return &apimodel.TestEventPatternResponse{Result: ptr(ok)}, nil
}
