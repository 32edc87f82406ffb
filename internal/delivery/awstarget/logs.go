package awstarget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// logsSender delivers to CloudWatch Logs log groups
// (arn:aws:logs:<region>:<account>:log-group:<name>[:*]) as EventBridge
// does: each event goes to a log stream of its own, named by the event id
// (created if missing), as one log event whose message is the target input
// and whose timestamp is the event's time. An input transformed into a
// JSON object of exactly "timestamp" and "message" (the form AWS requires
// of a log group target's template) gives the log event those instead.
type logsSender struct{ c *clients }

var _ delivery.Sender = (*logsSender)(nil)

func (s *logsSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	group := strings.TrimSuffix(strings.TrimPrefix(a.Resource, "log-group:"), ":*")
	cl, err := get(ctx, s.c, "logs", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config, ep *string) *cloudwatchlogs.Client {
		return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	what := "log group " + d.Job.Target.Arn
	stream := d.Job.Event.ID
	_, err = cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	var exists *types.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return classify(err, what)
	}
	msg, ts := logEvent(d.Input, eventTime(d.Job.Event.Envelope, d.Job.Event.IngestedAt))
	_, err = cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(ts.UnixMilli())}},
	})
	return classify(err, what)
}

// logEvent returns the message and timestamp of the log event for input:
// the input's "message" and "timestamp" when it is an object of exactly
// those two members, otherwise input itself at the event's time.
func logEvent(input []byte, eventTime time.Time) (string, time.Time) {
	var m map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(input), []byte("{")) && json.Unmarshal(input, &m) == nil && len(m) == 2 {
		rawMsg, okM := m["message"]
		rawTS, okT := m["timestamp"]
		if okM && okT {
			msg := string(rawMsg)
			var s string
			if json.Unmarshal(rawMsg, &s) == nil {
				msg = s
			}
			return msg, parseTimestamp(rawTS, eventTime)
		}
	}
	return string(input), eventTime
}

// parseTimestamp reads a template's timestamp: epoch milliseconds (number
// or numeric string) or RFC 3339 text; otherwise def.
func parseTimestamp(raw json.RawMessage, def time.Time) time.Time {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return def
}

// eventTime returns the envelope's "time", or def when it has none.
func eventTime(envelope []byte, def time.Time) time.Time {
	var e struct {
		Time string `json:"time"`
	}
	if json.Unmarshal(envelope, &e) != nil {
		return def
	}
	t, err := time.Parse(time.RFC3339, e.Time)
	if err != nil {
		return def
	}
	return t
}
