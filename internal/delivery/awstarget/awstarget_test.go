package awstarget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awsfake"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/delivery/awstarget"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/transform"
)

const (
	region  = "us-east-1"
	acct    = awsfake.Account
	ruleArn = "arn:aws:events:us-east-1:111111111111:rule/aws.partner/acme.com/1234/orders/orders"
	eventID = "6a7e8feb-b491-4cf7-a9f1-bf3703467718"
)

func arn(svc, resource string) string {
	return "arn:aws:" + svc + ":" + region + ":" + acct + ":" + resource
}

// job returns a job of the event in testdata for target t, whose API form
// (Spec) is built from the given API target, as PutTargets stores it.
func job(t *testing.T, api apimodel.Target) *delivery.Job {
	t.Helper()
	env, err := os.ReadFile("testdata/event.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(api)
	if err != nil {
		t.Fatal(err)
	}
	tg := eventbus.Target{ID: aws.ToString(api.Id), Arn: aws.ToString(api.Arn), Spec: spec, RetryPolicy: eventbus.DefaultRetryPolicy()}
	if it := api.InputTransformer; it != nil {
		tg.InputTransformer = &eventbus.InputTransformer{PathsMap: it.InputPathsMap, Template: aws.ToString(it.InputTemplate)}
	}
	tg.InputPath = aws.ToString(api.InputPath)
	tg.RoleArn = aws.ToString(api.RoleArn)
	return &delivery.Job{Account: "111111111111", Bus: "aws.partner/acme.com/1234/orders", RuleArn: ruleArn, Target: tg,
		Event: eventbus.Event{ID: eventID, Envelope: env, IngestedAt: time.Date(2026, 11, 22, 13, 56, 1, 0, time.UTC)}}
}

// send shapes the job's input as the dispatcher does and sends it with the
// kind that accepts its ARN.
func send(t *testing.T, kinds delivery.Kinds, j *delivery.Job) error {
	t.Helper()
	k, ok := kinds.For(j.Target.Arn)
	if !ok {
		t.Fatalf("no kind accepts %s", j.Target.Arn)
	}
	in, err := delivery.TargetInput(transform.NewCache(16)).Transform(j)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return k.Sender.Send(ctx, delivery.Delivery{Job: j, Input: in, Attempt: 1})
}

func newTargets(fake *awsfake.Server) delivery.Kinds {
	base := fake.Config()
	return awstarget.New(awstarget.Config{Base: &base}).Kinds()
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDelivered sends one event to each kind and checks what the service
// received: body (after input shaping), FIFO group, partition key, log
// stream and timestamp.
func TestDelivered(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders", "orders.fifo")
	fake.Create("sns", "alerts", "alerts.fifo")
	fake.Create("lambda", "handler")
	fake.Create("kinesis", "clicks")
	fake.Create("firehose", "archive")
	fake.Create("states", arn("states", "stateMachine:flow"))
	fake.Create("logs", "/aws/events/orders")
	kinds := newTargets(fake)
	env, err := os.ReadFile("testdata/event.json")
	if err != nil {
		t.Fatal(err)
	}
	whole := compact(t, string(env))
	eventTime := time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC).UnixMilli()
	transformer := &apimodel.InputTransformer{
		InputPathsMap: map[string]string{"c": "$.detail.customer"}, InputTemplate: aws.String(`{"customer": <c>, "rule": <aws.events.rule-name>}`),
	}
	group := &apimodel.SqsParameters{MessageGroupId: aws.String("g-1")}
	for name, tc := range map[string]struct {
		target apimodel.Target
		want   awsfake.Record
	}{
		"sqs whole event": {apimodel.Target{Arn: aws.String(arn("sqs", "orders"))},
			awsfake.Record{Service: "sqs", Resource: "orders", Body: whole}},
		"sqs transformed": {apimodel.Target{Arn: aws.String(arn("sqs", "orders")), InputTransformer: transformer},
			awsfake.Record{Service: "sqs", Resource: "orders", Body: `{"customer":"c-42","rule":"orders"}`}},
		"sqs fifo group": {apimodel.Target{Arn: aws.String(arn("sqs", "orders.fifo")), SqsParameters: group},
			awsfake.Record{Service: "sqs", Resource: "orders.fifo", Body: whole, GroupID: "g-1"}},
		"sns": {apimodel.Target{Arn: aws.String(arn("sns", "alerts")), InputPath: aws.String("$.detail.customer")},
			awsfake.Record{Service: "sns", Resource: "alerts", Body: `"c-42"`}},
		"sns fifo group": {apimodel.Target{Arn: aws.String(arn("sns", "alerts.fifo")), SqsParameters: group},
			awsfake.Record{Service: "sns", Resource: "alerts.fifo", Body: whole, GroupID: "g-1"}},
		"lambda": {apimodel.Target{Arn: aws.String(arn("lambda", "function:handler"))},
			awsfake.Record{Service: "lambda", Resource: "handler", Body: whole}},
		"lambda qualified": {apimodel.Target{Arn: aws.String(arn("lambda", "function:handler:live"))},
			awsfake.Record{Service: "lambda", Resource: "handler", Body: whole}},
		"kinesis default key": {apimodel.Target{Arn: aws.String(arn("kinesis", "stream/clicks"))},
			awsfake.Record{Service: "kinesis", Resource: "clicks", Body: whole, PartitionKey: eventID}},
		"kinesis key path": {apimodel.Target{Arn: aws.String(arn("kinesis", "stream/clicks")),
			KinesisParameters: &apimodel.KinesisParameters{PartitionKeyPath: aws.String("$.detail.customer")}},
			awsfake.Record{Service: "kinesis", Resource: "clicks", Body: whole, PartitionKey: "c-42"}},
		"kinesis key path to a number": {apimodel.Target{Arn: aws.String(arn("kinesis", "stream/clicks")),
			KinesisParameters: &apimodel.KinesisParameters{PartitionKeyPath: aws.String("$.detail.total")}},
			awsfake.Record{Service: "kinesis", Resource: "clicks", Body: whole, PartitionKey: "99.5"}},
		"kinesis key path finding nothing": {apimodel.Target{Arn: aws.String(arn("kinesis", "stream/clicks")),
			KinesisParameters: &apimodel.KinesisParameters{PartitionKeyPath: aws.String("$.detail.missing")}},
			awsfake.Record{Service: "kinesis", Resource: "clicks", Body: whole, PartitionKey: eventID}},
		"firehose": {apimodel.Target{Arn: aws.String(arn("firehose", "deliverystream/archive"))},
			awsfake.Record{Service: "firehose", Resource: "archive", Body: whole}},
		"step functions": {apimodel.Target{Arn: aws.String(arn("states", "stateMachine:flow"))},
			awsfake.Record{Service: "states", Resource: arn("states", "stateMachine:flow"), Body: whole}},
		"logs": {apimodel.Target{Arn: aws.String(arn("logs", "log-group:/aws/events/orders:*"))},
			awsfake.Record{Service: "logs", Resource: "/aws/events/orders/" + eventID, Body: whole, Timestamp: eventTime}},
		"logs template": {apimodel.Target{Arn: aws.String(arn("logs", "log-group:/aws/events/orders")),
			InputTransformer: &apimodel.InputTransformer{InputPathsMap: map[string]string{"t": "$.time", "d": "$.detail-type"},
				InputTemplate: aws.String(`{"timestamp": <t>, "message": <d>}`)}},
			awsfake.Record{Service: "logs", Resource: "/aws/events/orders/" + eventID, Body: "Order Placed", Timestamp: eventTime}},
	} {
		t.Run(name, func(t *testing.T) {
			tc.target.Id = aws.String("t1")
			j := job(t, tc.target)
			before := len(fake.Records(nil))
			if err := send(t, kinds, j); err != nil {
				t.Fatalf("Send: %v", err)
			}
			recs := fake.Records(nil)
			if len(recs) != before+1 {
				t.Fatalf("service got %d calls, want 1", len(recs)-before)
			}
			got := recs[before]
			if got.Attributes != nil || got.Service != tc.want.Service || got.Resource != tc.want.Resource ||
				compact(t, got.Body) != compact(t, tc.want.Body) ||
				got.GroupID != tc.want.GroupID || got.PartitionKey != tc.want.PartitionKey || got.Timestamp != tc.want.Timestamp {
				t.Errorf("service got\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// TestFailures checks how failures are classified: what is retried (by the
// target's RetryPolicy) and what is dead-lettered at once, with which
// ERROR_CODE.
func TestFailures(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders", "orders.fifo")
	fake.Create("sns", "alerts")
	fake.Create("lambda", "handler")
	fake.Create("kinesis", "clicks")
	kinds := newTargets(fake)
	for name, tc := range map[string]struct {
		target    apimodel.Target
		fault     func()
		code      string
		retryable bool
	}{
		"missing queue":            {target: apimodel.Target{Arn: aws.String(arn("sqs", "nope"))}, code: delivery.CodeNoResource},
		"missing topic":            {target: apimodel.Target{Arn: aws.String(arn("sns", "nope"))}, code: delivery.CodeNoResource},
		"missing function":         {target: apimodel.Target{Arn: aws.String(arn("lambda", "function:nope"))}, code: delivery.CodeNoResource},
		"missing stream":           {target: apimodel.Target{Arn: aws.String(arn("kinesis", "stream/nope"))}, code: delivery.CodeNoResource},
		"missing delivery stream":  {target: apimodel.Target{Arn: aws.String(arn("firehose", "deliverystream/nope"))}, code: delivery.CodeNoResource},
		"missing state machine":    {target: apimodel.Target{Arn: aws.String(arn("states", "stateMachine:nope"))}, code: delivery.CodeNoResource},
		"missing log group":        {target: apimodel.Target{Arn: aws.String(arn("logs", "log-group:nope"))}, code: delivery.CodeNoResource},
		"fifo queue without group": {target: apimodel.Target{Arn: aws.String(arn("sqs", "orders.fifo"))}, code: delivery.CodeInvalidParameter},
		"sqs throttled": {target: apimodel.Target{Arn: aws.String(arn("sqs", "orders"))}, retryable: true, code: delivery.CodeThrottling,
			fault: func() { fake.Fail("sqs", "SendMessage", "RequestThrottled", 400, 1) }},
		"kinesis throughput exceeded": {target: apimodel.Target{Arn: aws.String(arn("kinesis", "stream/clicks"))}, retryable: true,
			code: delivery.CodeThrottling, fault: func() { fake.Fail("kinesis", "PutRecord", "ProvisionedThroughputExceededException", 400, 1) }},
		"lambda too many requests": {target: apimodel.Target{Arn: aws.String(arn("lambda", "function:handler"))}, retryable: true,
			code: delivery.CodeThrottling, fault: func() { fake.Fail("lambda", "Invoke", "TooManyRequestsException", 429, 1) }},
		"sns access denied": {target: apimodel.Target{Arn: aws.String(arn("sns", "alerts"))}, code: delivery.CodeNoPermissions,
			fault: func() { fake.Fail("sns", "Publish", "AuthorizationError", 403, 1) }},
		"sqs internal error": {target: apimodel.Target{Arn: aws.String(arn("sqs", "orders"))}, retryable: true, code: delivery.CodeInternalError,
			fault: func() { fake.Fail("sqs", "SendMessage", "InternalError", 500, 1) }},
		"lambda unknown 5xx": {target: apimodel.Target{Arn: aws.String(arn("lambda", "function:handler"))}, retryable: true,
			code: delivery.CodeInternalError, fault: func() { fake.Fail("lambda", "Invoke", "EC2UnexpectedException", 502, 1) }},
		"lambda invalid payload": {target: apimodel.Target{Arn: aws.String(arn("lambda", "function:handler"))},
			code: delivery.CodeInvalidParameter, fault: func() { fake.Fail("lambda", "Invoke", "InvalidRequestContentException", 400, 1) }},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.fault != nil {
				tc.fault()
			}
			tc.target.Id = aws.String("t1")
			err := send(t, kinds, job(t, tc.target))
			var e *delivery.Error
			if !errors.As(err, &e) {
				t.Fatalf("Send = %v, want a *delivery.Error", err)
			}
			if e.Code != tc.code || e.Retryable != tc.retryable {
				t.Errorf("Send = %s (retryable %v), want %s (retryable %v)", e, e.Retryable, tc.code, tc.retryable)
			}
		})
	}
}

// TestConnectionFailure: an endpoint nobody listens on is a retryable
// CONNECTION_FAILURE.
func TestConnectionFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	fake := awsfake.Start(t)
	base := fake.Config()
	kinds := awstarget.New(awstarget.Config{Base: &base, Endpoint: "http://" + addr}).Kinds()
	err = send(t, kinds, job(t, apimodel.Target{Id: aws.String("t1"), Arn: aws.String(arn("sns", "alerts"))}))
	if e := delivery.Classify(err); e.Code != delivery.CodeConnectionFailure || !e.Retryable {
		t.Errorf("Send = %v, want a retryable %s", err, delivery.CodeConnectionFailure)
	}
}

// TestDeadLetterAttributes: a job forwarding a dead letter to an SQS queue
// carries AWS's attributes as String message attributes.
func TestDeadLetterAttributes(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "dlq")
	kinds := newTargets(fake)
	j := job(t, apimodel.Target{Id: aws.String("t1"), Arn: aws.String(arn("lambda", "function:gone"))})
	dl := delivery.DeadLetter{Job: *j, ErrorCode: delivery.CodeNoResource, ErrorMessage: "Function not found", RetryAttempts: 0}
	fwd := dl.Job
	fwd.Target = eventbus.Target{ID: "t1", Arn: arn("sqs", "dlq"), RetryPolicy: eventbus.DefaultRetryPolicy()}
	fwd.DeadLetter = dl.Attributes()
	if err := send(t, kinds, &fwd); err != nil {
		t.Fatal(err)
	}
	recs := fake.Records(nil)
	if len(recs) != 1 {
		t.Fatalf("got %d messages, want 1", len(recs))
	}
	want := map[string]string{
		"RULE_ARN": ruleArn, "TARGET_ARN": arn("lambda", "function:gone"), "ERROR_CODE": "NO_RESOURCE",
		"ERROR_MESSAGE": "Function not found", "RETRY_ATTEMPTS": "0",
	}
	if got := recs[0].Attributes; len(got) != len(want) {
		t.Errorf("attributes %v, want %v", got, want)
	} else {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("attribute %s = %q, want %q", k, got[k], v)
			}
		}
	}
}

// TestUnsupported: kinds AWS accepts and switchyard does not deliver fail
// for good, naming the kind.
func TestUnsupported(t *testing.T) {
	k := awstarget.Unsupported()
	for _, a := range []string{
		"arn:aws:ecs:us-east-1:111111111111:cluster/c", "arn:aws:batch:us-east-1:111111111111:job-queue/q",
		"arn:aws:ssm:us-east-1:111111111111:document/d", "arn:aws:execute-api:us-east-1:111111111111:abc/prod/POST/x",
		"arn:aws:events:us-east-1:111111111111:target/create-snapshot", "arn:aws:ssm-incidents::111111111111:response-plan/p",
	} {
		ka, ok := delivery.Kinds{k}.For(a)
		if !ok || !ka.Undelivered {
			t.Fatalf("%s: not accepted as undelivered", a)
		}
		j := job(t, apimodel.Target{Id: aws.String("t1"), Arn: aws.String(a)})
		e := delivery.Classify(ka.Sender.Send(t.Context(), delivery.Delivery{Job: j}))
		if e == nil || e.Retryable || e.Code != delivery.CodeInvalidParameter {
			t.Errorf("%s: Send = %v, want a permanent INVALID_PARAMETER", a, e)
		}
	}
	for _, a := range []string{arn("sqs", "q"), "arn:aws:events:us-east-1:111111111111:event-bus/b"} {
		if _, ok := (delivery.Kinds{k}).For(a); ok {
			t.Errorf("%s is taken for unsupported", a)
		}
	}
}

// TestNotice: putting a target of a kind switchyard does not deliver logs
// one warning naming the kind; a delivered kind logs nothing.
func TestNotice(t *testing.T) {
	var buf bytes.Buffer
	tg := awstarget.New(awstarget.Config{Log: slog.New(slog.NewTextHandler(&buf, nil))})
	tg.Notice(ruleArn, eventbus.Target{ID: "q", Arn: arn("sqs", "orders")})
	if buf.Len() != 0 {
		t.Fatalf("SQS target logged %q", buf.String())
	}
	tg.Notice(ruleArn, eventbus.Target{ID: "b", Arn: "arn:aws:batch:us-east-1:111111111111:job-queue/q"})
	if n := strings.Count(buf.String(), "\n"); n != 1 || !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "Batch") {
		t.Errorf("Batch target logged %q: want one warning naming the kind", buf.String())
	}
}

// TestAssumeRole: with AssumeRoles on, a call is signed with the
// credentials STS gives for the target's RoleArn; a role STS refuses is
// FAILED_TO_ASSUME_ROLE, dead-lettered at once; with AssumeRoles off the
// base credentials sign, RoleArn or not.
func TestAssumeRole(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders")
	role := "arn:aws:iam::" + acct + ":role/events"
	fake.Create("sts", role)
	base := fake.Config()
	for name, tc := range map[string]struct {
		assume bool
		role   string
		akid   string // "" : the send fails
	}{
		"assumed":         {assume: true, role: role, akid: awsfake.RoleAccessKeyID},
		"no role":         {assume: true, akid: awsfake.AccessKeyID},
		"refused":         {assume: true, role: "arn:aws:iam::" + acct + ":role/other"},
		"assuming is off": {assume: false, role: role, akid: awsfake.AccessKeyID},
	} {
		t.Run(name, func(t *testing.T) {
			kinds := awstarget.New(awstarget.Config{Base: &base, AssumeRoles: tc.assume}).Kinds()
			before := len(fake.Records(nil))
			err := send(t, kinds, job(t, apimodel.Target{Id: aws.String("t1"), Arn: aws.String(arn("sqs", "orders")), RoleArn: aws.String(tc.role)}))
			if tc.akid == "" {
				if e := delivery.Classify(err); e.Code != delivery.CodeFailedToAssumeRole || e.Retryable {
					t.Fatalf("Send = %v, want a permanent %s", err, delivery.CodeFailedToAssumeRole)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			recs := fake.Records(nil)[before:]
			if len(recs) != 1 || recs[0].AccessKeyID != tc.akid {
				t.Errorf("calls %+v: want one signed by %s", recs, tc.akid)
			}
		})
	}
}

// TestSDKSettings: without Config.Base the SDK's own settings apply:
// credentials and region from the environment, AWS_ENDPOINT_URL_<SERVICE>
// before AWS_ENDPOINT_URL; Config.Endpoint (--aws-endpoint-url) overrides
// both.
func TestSDKSettings(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("sqs", "orders")
	fake.Create("sns", "alerts")
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": awsfake.AccessKeyID, "AWS_SECRET_ACCESS_KEY": awsfake.SecretAccessKey, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": fake.URL, "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:1",
	} {
		t.Setenv(k, v)
	}
	sqsJob := func() *delivery.Job {
		return job(t, apimodel.Target{Id: aws.String("q"), Arn: aws.String(arn("sqs", "orders"))})
	}
	snsJob := job(t, apimodel.Target{Id: aws.String("s"), Arn: aws.String(arn("sns", "alerts"))})

	kinds := awstarget.New(awstarget.Config{}).Kinds()
	if err := send(t, kinds, snsJob); err != nil {
		t.Errorf("SNS through AWS_ENDPOINT_URL: %v", err)
	}
	if e := delivery.Classify(send(t, kinds, sqsJob())); e == nil || e.Code != delivery.CodeConnectionFailure {
		t.Errorf("SQS went elsewhere than AWS_ENDPOINT_URL_SQS: %v", e)
	}
	kinds = awstarget.New(awstarget.Config{Endpoint: fake.URL}).Kinds()
	if err := send(t, kinds, sqsJob()); err != nil {
		t.Errorf("SQS through Config.Endpoint: %v", err)
	}
	if n := len(fake.Records(nil)); n != 2 {
		t.Errorf("%d calls arrived, want 2", n)
	}
}

// TestLogsRetry: an event delivered again to a log group (a retry, or
// at-least-once redelivery) finds its log stream already there and is
// logged in it again.
func TestLogsRetry(t *testing.T) {
	fake := awsfake.Start(t)
	fake.Create("logs", "g")
	kinds := newTargets(fake)
	j := job(t, apimodel.Target{Id: aws.String("l"), Arn: aws.String(arn("logs", "log-group:g"))})
	for range 2 {
		if err := send(t, kinds, j); err != nil {
			t.Fatal(err)
		}
	}
	recs := fake.Records(nil)
	if len(recs) != 2 || recs[0].Resource != "g/"+eventID || recs[1].Resource != recs[0].Resource {
		t.Errorf("log events %+v: want two in stream %s", recs, eventID)
	}
}
