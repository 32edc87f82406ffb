package apimodel

import (
	"context"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

// TestLongValuesAreCut checks that a validation message quotes at most
// maxValueChars characters of an offending value, so a 1.9 MB Name cannot
// become a 1.9 MB error, while a value at the bound is quoted whole.
func TestLongValuesAreCut(t *testing.T) {
	const constraint = "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64"
	cases := []struct {
		name   string
		body   string
		want   string // the message, exactly
		prefix bool   // want is only the message's beginning
	}{
		{"at the bound, quoted whole", `{"Name":"` + strings.Repeat("a", maxValueChars) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("a", maxValueChars) + constraint, false},
		{"one over the bound", `{"Name":"` + strings.Repeat("a", maxValueChars+1) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("a", maxValueChars) + "...[truncated 1 chars]" + constraint, false},
		{"1.9 MB", `{"Name":"` + strings.Repeat("b", 1900000) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("b", maxValueChars) + "...[truncated 1898976 chars]" + constraint, false},
		{"cut between characters, not bytes", `{"Name":"` + strings.Repeat("é", 2000) + `"}`,
			"2 validation errors detected: Value '" + strings.Repeat("é", maxValueChars) + "...[truncated 976 chars]" + constraint + "; Value '" +
				strings.Repeat("é", maxValueChars) + "...[truncated 976 chars]' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Dispatch(context.Background(), Unimplemented{}, "DescribeRule", []byte(c.body))
			e, ok := err.(*awserr.Error)
			if !ok || e.Code != awserr.Validation {
				t.Fatalf("got %v, want a ValidationException", err)
			}
			if e.Message != c.want && !(c.prefix && strings.HasPrefix(e.Message, c.want)) {
				t.Errorf("message (%d bytes) %.200q..., want (%d bytes) %.200q...", len(e.Message), e.Message, len(c.want), c.want)
			}
		})
	}
}
