package api_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// TestTestEventPattern checks TestEventPattern's answers and refusals
// through the SDK.
func TestTestEventPattern(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	const event = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"OrderPlaced","source":"com.acme.orders",` +
		`"account":"222222222222","time":"2026-11-22T13:56:00Z","region":"us-east-1","resources":["arn:aws:s3:::b"],"detail":{"total":300.0}}`
	const noResources = `{"id":"1","detail-type":"OrderPlaced","source":"com.acme.orders","account":"222222222222","time":"2026-11-22T13:56:00Z","region":"us-east-1"}`
	const arrayDetailType = `{"id":"1","source":"test-source","detail-type":["EC2 Instance State-change Notification"],"account":"123456789012","region":"us-east-2","time":"2022-07-13T13:48:01Z"}`
	const numericID = `{"id":1,"detail-type":"a","source":"b","account":"222222222222","time":"t","region":"us-east-1"}`
	cases := []struct {
		name, pattern, event string
		want                 bool
	}{
		{"match", orderPattern, event, true},
		{"no match", `{"source":["com.acme.billing"]}`, event, false},
		{"numeric", `{"detail":{"total":[{"numeric":[">=",300]}]}}`, event, true},
		{"numbers compare as numbers", `{"detail":{"total":[300]}}`, event, true},
		{"resources may be missing", orderPattern, noResources, true},
		{"prefix", `{"source":[{"prefix":"com.acme."}]}`, noResources, true},
		// AWS checks that the envelope members are present, not their types:
		// LocalStack's AWS-validated template content_ignorecase (and its _NEG
		// twin) sends detail-type as an array and gets a match (localstack/localstack
		// tests/aws/services/events/event_pattern_templates/content_ignorecase.json5).
		{"detail-type as an array", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, arrayDetailType, true},
		{"detail-type as an array, no match", `{"detail-type":[{"equals-ignore-case":"I do not match"}]}`, arrayDetailType, false},
		// No recorded AWS answer for other types; presence-only is the same rule.
		{"a numeric id is accepted", `{"id":[1]}`, numericID, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := must[*eventbridge.TestEventPatternOutput](t)(c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(tc.pattern), Event: aws.String(tc.event)}))
			if out.Result != tc.want {
				t.Errorf("Result %v, want %v", out.Result, tc.want)
			}
		})
	}
	bad := []struct{ name, pattern, event, code, msg string }{
		{"bad pattern", `{"source":[{"prefix":1}]}`, event, "InvalidEventPatternException", ""},
		{"event not JSON", orderPattern, `{`, "ValidationException", "Parameter Event is not valid."},
		{"event is a string", orderPattern, `"x"`, "ValidationException", "Parameter Event is not valid."},
		{"event without region", orderPattern, `{"id":"1","detail-type":"a","source":"b","account":"222222222222","time":"2026-11-22T13:56:00Z"}`, "ValidationException", "Parameter Event is not valid."},
		{"event is an array", orderPattern, `["plain string"]`, "ValidationException", "Parameter Event is not valid."},
		{"event lacking the envelope", orderPattern, `{"testEvent":"value"}`, "ValidationException", "Parameter Event is not valid."},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(tc.pattern), Event: aws.String(tc.event)})
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
}
