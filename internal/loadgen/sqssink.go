package loadgen

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// benchQueue is the queue `bench --sink sqs` targets.
const benchQueue = "bench"

// startSQSSink starts the endpoint of `bench --sink sqs`: a local server
// answering the SQS calls switchyard's SQS targets make (GetQueueUrl,
// SendMessage and SendMessageBatch, awsJson1_0) for any queue, recording
// each message's arrival as the HTTP sink does. It checks no signature:
// it measures, and shares the machine with what it measures.
func startSQSSink() (*httpSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &httpSink{name: "sqs sink", ln: ln}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveSQS), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *httpSink) url() string { return "http://" + s.ln.Addr().String() }

// serveSQS answers one SQS call.
func (s *httpSink) serveSQS(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS."); op {
	case "GetQueueUrl":
		_ = json.NewEncoder(w).Encode(map[string]string{"QueueUrl": s.url() + "/000000000000/" + benchQueue})
	case "SendMessage":
		var in struct{ MessageBody string }
		if err := json.Unmarshal(body, &in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.arrived([]byte(in.MessageBody), now)
		_ = json.NewEncoder(w).Encode(map[string]string{"MessageId": "m", "MD5OfMessageBody": md5Hex(in.MessageBody)})
	case "SendMessageBatch":
		var in struct {
			Entries []struct{ Id, MessageBody string }
		}
		if err := json.Unmarshal(body, &in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		type ok struct{ Id, MessageId, MD5OfMessageBody string }
		out := struct {
			Successful []ok
			Failed     []struct{}
		}{Failed: []struct{}{}}
		for _, e := range in.Entries {
			s.arrived([]byte(e.MessageBody), now)
			out.Successful = append(out.Successful, ok{Id: e.Id, MessageId: "m", MD5OfMessageBody: md5Hex(e.MessageBody)})
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.Header().Set("X-Amzn-ErrorType", "UnsupportedOperation")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"UnsupportedOperation","message":"bench sink: %s"}`, op)
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// routeToSQS creates the rule sending the benched events to the sink's
// queue, then sends warm-up events until one arrives.
func (s *httpSink) routeToSQS(ctx context.Context, cfg Config, endpoint string, e benchEntries) error {
	bus, source := "default", "bench"
	if e.partner != nil {
		bus, source = aws.ToString(e.partner[0].Source), aws.ToString(e.partner[0].Source)
	}
	c, name := benchClient(endpoint, cfg.Customer), "bench-sqs-"+cfg.SourceTag
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"source":["` + source + `"]}`)}); err != nil {
		return fmt.Errorf("bench --sink sqs: create the rule: %w", err)
	}
	queue := "arn:aws:sqs:us-east-1:" + cfg.Customer + ":" + benchQueue
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), EventBusName: aws.String(bus),
		Targets: []types.Target{{Id: aws.String("sqs"), Arn: aws.String(queue)}}}); err != nil {
		return fmt.Errorf("bench --sink sqs: add the rule's target: %w", err)
	}
	if err := s.warmUp(ctx, cfg, endpoint, e); err != nil {
		return fmt.Errorf("bench --sink sqs: warm up: %w", err)
	}
	return nil
}
