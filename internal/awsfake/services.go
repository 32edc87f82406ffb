package awsfake

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// serveSQS answers SQS's awsJson1_0 calls (X-Amz-Target AmazonSQS.<Op>).
func (s *Server) serveSQS(w http.ResponseWriter, r *http.Request, body []byte) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if !ok {
		writeJSONError(w, 400, "InvalidAction", "", "not an awsJson1_0 SQS call")
		return
	}
	if f, ok := s.takeFault("sqs", op); ok {
		writeJSONError(w, f.status, f.code, f.code, "injected")
		return
	}
	switch op {
	case "GetQueueUrl":
		var in sqs.GetQueueUrlInput
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSONError(w, 400, "InvalidParameterValue", "", err.Error())
			return
		}
		name := aws.ToString(in.QueueName)
		if !s.exists("sqs", name) {
			writeJSONError(w, 400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
			return
		}
		writeJSON(w, map[string]string{"QueueUrl": s.URL + "/" + aws.ToString(in.QueueOwnerAWSAccountId) + "/" + name})
	case "SendMessage":
		var in sqs.SendMessageInput
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSONError(w, 400, "InvalidParameterValue", "", err.Error())
			return
		}
		name := lastSegment(aws.ToString(in.QueueUrl), "/")
		if !s.exists("sqs", name) {
			writeJSONError(w, 400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
			return
		}
		if strings.HasSuffix(name, ".fifo") != (in.MessageGroupId != nil) {
			writeJSONError(w, 400, "InvalidParameterValue", "", "MessageGroupId is required for FIFO queues and only for them.")
			return
		}
		rec := Record{Service: "sqs", Op: op, Resource: name, Body: aws.ToString(in.MessageBody), GroupID: aws.ToString(in.MessageGroupId)}
		out := map[string]string{"MessageId": fmt.Sprintf("m-%d", len(s.Records(nil))), "MD5OfMessageBody": md5Hex([]byte(rec.Body))}
		if len(in.MessageAttributes) > 0 {
			rec.Attributes = map[string]string{}
			for k, v := range in.MessageAttributes {
				rec.Attributes[k] = aws.ToString(v.StringValue)
			}
			out["MD5OfMessageAttributes"] = attributesMD5(in.MessageAttributes)
		}
		s.record(r, rec)
		writeJSON(w, out)
	case "SendMessageBatch":
		s.serveSQSBatch(w, r, body)
	default:
		writeJSONError(w, 400, "InvalidAction", "", "unsupported operation "+op)
	}
}

// serveSQSBatch answers SendMessageBatch, recording each entry with Op
// "SendMessageBatch".
func (s *Server) serveSQSBatch(w http.ResponseWriter, r *http.Request, body []byte) {
	var in sqs.SendMessageBatchInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSONError(w, 400, "InvalidParameterValue", "", err.Error())
		return
	}
	name := lastSegment(aws.ToString(in.QueueUrl), "/")
	if !s.exists("sqs", name) {
		writeJSONError(w, 400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
		return
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		writeJSONError(w, 400, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "1 to 10 entries")
		return
	}
	type ok struct {
		Id, MessageId, MD5OfMessageBody string
		MD5OfMessageAttributes          string `json:",omitempty"`
	}
	type failed struct {
		Id, Code, Message string
		SenderFault       bool
	}
	out := struct {
		Successful []ok
		Failed     []failed
	}{Successful: []ok{}, Failed: []failed{}}
	for _, e := range in.Entries {
		if strings.HasSuffix(name, ".fifo") != (e.MessageGroupId != nil) {
			out.Failed = append(out.Failed, failed{Id: aws.ToString(e.Id), Code: "InvalidParameterValue", Message: "MessageGroupId", SenderFault: true})
			continue
		}
		rec := Record{Service: "sqs", Op: "SendMessageBatch", Resource: name, Body: aws.ToString(e.MessageBody), GroupID: aws.ToString(e.MessageGroupId)}
		res := ok{Id: aws.ToString(e.Id), MessageId: "m", MD5OfMessageBody: md5Hex([]byte(rec.Body))}
		if len(e.MessageAttributes) > 0 {
			rec.Attributes = map[string]string{}
			for k, v := range e.MessageAttributes {
				rec.Attributes[k] = aws.ToString(v.StringValue)
			}
			res.MD5OfMessageAttributes = attributesMD5(e.MessageAttributes)
		}
		s.record(r, rec)
		out.Successful = append(out.Successful, res)
	}
	writeJSON(w, out)
}

// attributesMD5 is SQS's digest of message attributes: for each name in
// order, the length-prefixed name, data type, a transport byte (1: string,
// 2: binary) and the length-prefixed value.
func attributesMD5(attrs map[string]sqstypes.MessageAttributeValue) string {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	var b []byte
	lp := func(v []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	for _, n := range names {
		v := attrs[n]
		lp([]byte(n))
		lp([]byte(aws.ToString(v.DataType)))
		if v.StringValue != nil {
			b = append(b, 1)
			lp([]byte(*v.StringValue))
		} else {
			b = append(b, 2)
			lp(v.BinaryValue)
		}
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// serveSNS answers SNS's query-protocol Publish.
func (s *Server) serveSNS(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryError(w, 400, "InvalidParameter", err.Error())
		return
	}
	op := form.Get("Action")
	if f, ok := s.takeFault("sns", op); ok {
		writeQueryError(w, f.status, f.code, "injected")
		return
	}
	if op != "Publish" {
		writeQueryError(w, 400, "InvalidAction", "unsupported operation "+op)
		return
	}
	topic := lastSegment(form.Get("TopicArn"), ":")
	if !s.exists("sns", topic) {
		writeQueryError(w, 404, "NotFound", "Topic does not exist")
		return
	}
	if strings.HasSuffix(topic, ".fifo") != form.Has("MessageGroupId") {
		writeQueryError(w, 400, "InvalidParameter", "Invalid parameter: MessageGroupId")
		return
	}
	s.record(r, Record{Service: "sns", Op: op, Resource: topic, Body: form.Get("Message"), GroupID: form.Get("MessageGroupId")})
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`)
}

func writeQueryError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`, code, msg)
}

// serveLambda answers Lambda's restJson1 Invoke:
// POST /2015-03-31/functions/{name}/invocations.
func (s *Server) serveLambda(w http.ResponseWriter, r *http.Request, body []byte) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 || r.Method != http.MethodPost {
		writeRESTError(w, 404, "UnknownOperationException", "unsupported call "+r.Method+" "+r.URL.Path)
		return
	}
	if f, ok := s.takeFault("lambda", "Invoke"); ok {
		writeRESTError(w, f.status, f.code, "injected")
		return
	}
	fn := name
	if strings.HasPrefix(name, "arn:") { // arn:...:function:<name>[:<qualifier>]
		_, after, _ := strings.Cut(name, ":function:")
		fn, _, _ = strings.Cut(after, ":")
	}
	if !s.exists("lambda", fn) {
		writeRESTError(w, 404, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	if it := r.Header.Get("X-Amz-Invocation-Type"); it != "Event" {
		writeRESTError(w, 400, "InvalidParameterValueException", "expected an Event invocation, got "+it)
		return
	}
	s.record(r, Record{Service: "lambda", Op: "Invoke", Resource: fn, Body: string(body)})
	w.WriteHeader(http.StatusAccepted)
}

func writeRESTError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// serveJSON answers the awsJson calls of Kinesis, Firehose, Step Functions
// and CloudWatch Logs.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, svc string, body []byte) {
	target := r.Header.Get("X-Amz-Target")
	op := lastSegment(target, ".")
	if f, ok := s.takeFault(svc, op); ok {
		writeJSONError(w, f.status, f.code, "", "injected")
		return
	}
	missing := func(what string) { writeJSONError(w, 400, "ResourceNotFoundException", "", what+" not found.") }
	bad := func(err error) { writeJSONError(w, 400, "ValidationException", "", err.Error()) }
	switch svc + "." + op {
	case "kinesis.PutRecord":
		var in kinesis.PutRecordInput
		if err := json.Unmarshal(body, &in); err != nil {
			bad(err)
			return
		}
		stream := lastSegment(aws.ToString(in.StreamARN), "/")
		if !s.exists("kinesis", stream) {
			missing("Stream " + stream)
			return
		}
		s.record(r, Record{Service: svc, Op: op, Resource: stream, Body: string(in.Data), PartitionKey: aws.ToString(in.PartitionKey)})
		writeJSON(w, map[string]string{"ShardId": "shardId-000000000000", "SequenceNumber": "1"})
	case "kinesis.PutRecords":
		var in kinesis.PutRecordsInput
		if err := json.Unmarshal(body, &in); err != nil {
			bad(err)
			return
		}
		stream := lastSegment(aws.ToString(in.StreamARN), "/")
		if !s.exists("kinesis", stream) {
			missing("Stream " + stream)
			return
		}
		type result struct{ ShardId, SequenceNumber string }
		out := struct {
			FailedRecordCount int
			Records           []result
		}{}
		for _, e := range in.Records {
			s.record(r, Record{Service: svc, Op: op, Resource: stream, Body: string(e.Data), PartitionKey: aws.ToString(e.PartitionKey)})
			out.Records = append(out.Records, result{"shardId-000000000000", "1"})
		}
		writeJSON(w, out)
	case "firehose.PutRecordBatch":
		var in firehose.PutRecordBatchInput
		if err := json.Unmarshal(body, &in); err != nil {
			bad(err)
			return
		}
		stream := aws.ToString(in.DeliveryStreamName)
		if !s.exists("firehose", stream) {
			missing("Delivery stream " + stream)
			return
		}
		type result struct{ RecordId string }
		out := struct {
			FailedPutCount   int
			Encrypted        bool
			RequestResponses []result
		}{}
		for _, e := range in.Records {
			s.record(r, Record{Service: svc, Op: op, Resource: stream, Body: string(e.Data)})
			out.RequestResponses = append(out.RequestResponses, result{"r-1"})
		}
		writeJSON(w, out)
	case "firehose.PutRecord":
		var in firehose.PutRecordInput
		if err := json.Unmarshal(body, &in); err != nil || in.Record == nil {
			bad(fmt.Errorf("bad PutRecord: %v", err))
			return
		}
		stream := aws.ToString(in.DeliveryStreamName)
		if !s.exists("firehose", stream) {
			missing("Delivery stream " + stream)
			return
		}
		s.record(r, Record{Service: svc, Op: op, Resource: stream, Body: string(in.Record.Data)})
		writeJSON(w, map[string]any{"RecordId": "r-1", "Encrypted": false})
	case "states.StartExecution":
		var in sfn.StartExecutionInput
		if err := json.Unmarshal(body, &in); err != nil {
			bad(err)
			return
		}
		sm := aws.ToString(in.StateMachineArn)
		if !s.exists("states", sm) {
			writeJSONError(w, 400, "StateMachineDoesNotExist", "", "State Machine Does Not Exist: '"+sm+"'")
			return
		}
		s.record(r, Record{Service: svc, Op: op, Resource: sm, Body: aws.ToString(in.Input)})
		writeJSON(w, map[string]any{"executionArn": sm + ":x", "startDate": 1.7e9})
	case "logs.CreateLogStream", "logs.PutLogEvents":
		s.serveLogs(w, r, op, body, bad, missing)
	default:
		writeJSONError(w, 400, "UnknownOperationException", "", "unsupported call "+target)
	}
}

func (s *Server) serveLogs(w http.ResponseWriter, r *http.Request, op string, body []byte, bad func(error), missing func(string)) {
	if op == "CreateLogStream" {
		var in cloudwatchlogs.CreateLogStreamInput
		if err := json.Unmarshal(body, &in); err != nil {
			bad(err)
			return
		}
		group, stream := aws.ToString(in.LogGroupName), aws.ToString(in.LogStreamName)
		if !s.exists("logs", group) {
			missing("Log group " + group)
			return
		}
		if s.exists("logs", group+"/"+stream) {
			writeJSONError(w, 400, "ResourceAlreadyExistsException", "", "The specified log stream already exists")
			return
		}
		s.Create("logs", group+"/"+stream)
		writeJSON(w, map[string]any{})
		return
	}
	var in cloudwatchlogs.PutLogEventsInput
	if err := json.Unmarshal(body, &in); err != nil {
		bad(err)
		return
	}
	key := aws.ToString(in.LogGroupName) + "/" + aws.ToString(in.LogStreamName)
	if !s.exists("logs", key) {
		missing("Log stream " + key)
		return
	}
	for _, e := range in.LogEvents {
		s.record(r, Record{Service: "logs", Op: op, Resource: key, Body: aws.ToString(e.Message), Timestamp: aws.ToInt64(e.Timestamp)})
	}
	writeJSON(w, map[string]any{})
}

// serveSTS answers STS's query-protocol AssumeRole: the role's credentials
// for a role AllowRole named, AccessDenied for any other.
func (s *Server) serveSTS(w http.ResponseWriter, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") != "AssumeRole" {
		writeSTSError(w, 400, "InvalidAction", "unsupported call")
		return
	}
	role := form.Get("RoleArn")
	if !s.exists("sts", role) {
		writeSTSError(w, 403, "AccessDenied", "not authorized to perform sts:AssumeRole on "+role)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
		`<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>token</SessionToken>`+
		`<Expiration>2100-01-01T00:00:00Z</Expiration></Credentials>`+
		`<AssumedRoleUser><Arn>%s/switchyard</Arn><AssumedRoleId>AROA:switchyard</AssumedRoleId></AssumedRoleUser>`+
		`</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		RoleAccessKeyID, RoleSecretAccessKey, role)
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`, code, msg)
}
