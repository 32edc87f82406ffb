package awstarget

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// sqsSender delivers to SQS queues (arn:aws:sqs:<region>:<account>:<name>)
// with SendMessage: the target input is the message body. A FIFO queue
// (name ending ".fifo") takes SqsParameters.MessageGroupId as the message
// group and no de-duplication id: as AWS documents, a FIFO queue target
// needs content-based de-duplication. A job forwarding a dead letter
// carries the failure's attributes (RULE_ARN, ...) as String message
// attributes.
type sqsSender struct {
	c    *clients
	urls sync.Map // queueKey -> string: queue URLs from GetQueueUrl
}

type queueKey struct{ region, account, name, role string }

var _ delivery.Sender = (*sqsSender)(nil)

// Send sends one message. A queue URL is looked up once (GetQueueUrl) and
// kept until the queue is reported missing.
func (s *sqsSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	p, err := paramsOf(&d.Job.Target)
	if err != nil {
		return err
	}
	in := &sqs.SendMessageInput{MessageBody: aws.String(string(d.Input))}
	if strings.HasSuffix(a.Resource, ".fifo") {
		if p.SqsParameters == nil || p.SqsParameters.MessageGroupId == nil || *p.SqsParameters.MessageGroupId == "" {
			return delivery.Permanent(delivery.CodeInvalidParameter,
				"Target %s is a FIFO queue and needs SqsParameters.MessageGroupId.", d.Job.Target.ID)
		}
		in.MessageGroupId = p.SqsParameters.MessageGroupId
	}
	if len(d.Job.DeadLetter) > 0 {
		in.MessageAttributes = make(map[string]types.MessageAttributeValue, len(d.Job.DeadLetter))
		for k, v := range d.Job.DeadLetter {
			in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	role := d.Job.Target.RoleArn
	cl, err := get(ctx, s.c, "sqs", a.Region, role, func(cfg aws.Config) *sqs.Client { return sqs.NewFromConfig(cfg) })
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	key := queueKey{a.Region, a.Account, a.Resource, role}
	url, err := s.queueURL(ctx, cl, key)
	if err != nil {
		return classify(err, "SQS queue "+d.Job.Target.Arn)
	}
	in.QueueUrl = aws.String(url)
	if _, err := cl.SendMessage(ctx, in); err != nil {
		err = classify(err, "SQS queue "+d.Job.Target.Arn)
		if e := delivery.Classify(err); e.Code == delivery.CodeNoResource {
			s.urls.Delete(key)
		}
		return err
	}
	return nil
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
