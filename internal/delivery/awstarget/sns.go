package awstarget

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/switchyard/switchyard/internal/delivery"
)

// snsSender delivers to SNS topics (arn:aws:sns:<region>:<account>:<topic>)
// with Publish: the target input is the message. A FIFO topic (name ending
// ".fifo") takes SqsParameters.MessageGroupId as the message group, and,
// like a FIFO queue, relies on the topic's content-based de-duplication.
type snsSender struct{ c *clients }

var _ delivery.Sender = (*snsSender)(nil)

func (s *snsSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	in := &sns.PublishInput{TopicArn: aws.String(d.Job.Target.Arn), Message: aws.String(string(d.Input))}
	if strings.HasSuffix(a.Resource, ".fifo") { // only FIFO targets read their parameters
		p, err := paramsOf(&d.Job.Target)
		if err != nil {
			return err
		}
		if p.SqsParameters == nil || p.SqsParameters.MessageGroupId == nil || *p.SqsParameters.MessageGroupId == "" {
			return delivery.Permanent(delivery.CodeInvalidParameter,
				"Target %s is a FIFO topic and needs SqsParameters.MessageGroupId.", d.Job.Target.ID)
		}
		in.MessageGroupId = p.SqsParameters.MessageGroupId
	}
	cl, err := get(ctx, s.c, "sns", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config, ep *string) *sns.Client {
		return sns.NewFromConfig(cfg, func(o *sns.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	_, err = cl.Publish(ctx, in)
	return classify(err, "SNS topic "+d.Job.Target.Arn)
}
