package awstarget

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// sqsSender delivers to SQS queues (arn:aws:sqs:<region>:<account>:<name>)
// with SendMessageBatch, as EventBridge does: concurrent deliveries to one
// queue share calls of up to 10 messages (a lone one is a SendMessage). The
// target input is the message body. A FIFO queue (name ending ".fifo")
// takes SqsParameters.MessageGroupId as the message group and no
// de-duplication id: as AWS documents, a FIFO queue target needs
// content-based de-duplication. A job forwarding a dead letter carries the
// failure's attributes (RULE_ARN, ...) as String message attributes.
type sqsSender struct {
	c     *clients
	urls  sync.Map // queueKey -> string: queue URLs from GetQueueUrl
	batch *batcher[sqsEntry]
}

type queueKey struct{ region, account, name, role string }

// An sqsEntry is one message for a batch; entries of one batch share the
// queue, so its client and URL.
type sqsEntry struct {
	cl   *sqs.Client
	key  queueKey
	url  string
	what string
	msg  types.SendMessageBatchRequestEntry
}

// SQS's bounds on SendMessageBatch.
const (
	sqsMaxBatch      = 10
	sqsMaxBatchBytes = 256 << 10
)

func newSQSSender(c *clients) *sqsSender {
	s := &sqsSender{c: c}
	s.batch = newBatcher(sqsMaxBatch, sqsMaxBatchBytes, batchesInFlight, sqsEntrySize, s.sendBatch)
	return s
}

var _ delivery.Sender = (*sqsSender)(nil)

// Send sends one message, within a batch. A queue URL is looked up once
// (GetQueueUrl) and kept until the queue is reported missing.
func (s *sqsSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	msg := types.SendMessageBatchRequestEntry{MessageBody: aws.String(string(d.Input))}
	if strings.HasSuffix(a.Resource, ".fifo") { // only FIFO targets read their parameters
		p, err := paramsOf(&d.Job.Target)
		if err != nil {
			return err
		}
		if p.SqsParameters == nil || p.SqsParameters.MessageGroupId == nil || *p.SqsParameters.MessageGroupId == "" {
			return delivery.Permanent(delivery.CodeInvalidParameter,
				"Target %s is a FIFO queue and needs SqsParameters.MessageGroupId.", d.Job.Target.ID)
		}
		msg.MessageGroupId = p.SqsParameters.MessageGroupId
	}
	if len(d.Job.DeadLetter) > 0 {
		msg.MessageAttributes = make(map[string]types.MessageAttributeValue, len(d.Job.DeadLetter))
		for k, v := range d.Job.DeadLetter {
			msg.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	role := d.Job.Target.RoleArn
	cl, err := get(ctx, s.c, "sqs", a.Region, role, func(cfg aws.Config, ep *string) *sqs.Client {
		return sqs.NewFromConfig(cfg, func(o *sqs.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	what := "SQS queue " + d.Job.Target.Arn
	key := queueKey{a.Region, a.Account, a.Resource, s.c.roleOf(role)}
	url, err := s.queueURL(ctx, cl, key)
	if err != nil {
		return classify(err, what)
	}
	return s.batch.send(ctx, url+" "+key.role, sqsEntry{cl: cl, key: key, url: url, what: what, msg: msg})
}

// sqsEntrySize is a message's size as SQS counts it: body, attribute names,
// types and values.
func sqsEntrySize(e sqsEntry) int {
	n := len(aws.ToString(e.msg.MessageBody))
	for k, v := range e.msg.MessageAttributes {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// sendBatch sends entries to their queue: SendMessage for one,
// SendMessageBatch for more, with each entry's error.
func (s *sqsSender) sendBatch(ctx context.Context, _ string, entries []sqsEntry) []error {
	first := entries[0]
	errs := make([]error, len(entries))
	if len(entries) == 1 {
		m := first.msg
		_, err := first.cl.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(first.url), MessageBody: m.MessageBody,
			MessageGroupId: m.MessageGroupId, MessageAttributes: m.MessageAttributes})
		errs[0] = s.failed(first, classify(err, first.what))
		return errs
	}
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(first.url), Entries: make([]types.SendMessageBatchRequestEntry, len(entries))}
	for i, e := range entries {
		in.Entries[i] = e.msg
		in.Entries[i].Id = aws.String(strconv.Itoa(i))
	}
	out, err := first.cl.SendMessageBatch(ctx, in)
	if err != nil {
		err = s.failed(first, classify(err, first.what))
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(errs) {
			continue
		}
		errs[i] = s.failed(first, entryError(first.what, aws.ToString(f.Code), aws.ToString(f.Message), f.SenderFault))
	}
	return errs
}

// failed forgets the queue's URL when err says the queue is missing, and
// returns err.
func (s *sqsSender) failed(e sqsEntry, err error) error {
	if err != nil && delivery.Classify(err).Code == delivery.CodeNoResource {
		s.urls.Delete(e.key)
	}
	return err
}

// queueURL returns the URL of the queue k names.
func (s *sqsSender) queueURL(ctx context.Context, cl *sqs.Client, k queueKey) (string, error) {
	if v, ok := s.urls.Load(k); ok {
		return v.(string), nil
	}
	out, err := cl.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(k.name), QueueOwnerAWSAccountId: aws.String(k.account)})
	if err != nil {
		return "", err
	}
	url := aws.ToString(out.QueueUrl)
	s.urls.Store(k, url)
	return url, nil
}
