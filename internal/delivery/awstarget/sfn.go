package awstarget

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/switchyard/switchyard/internal/delivery"
)

// sfnSender delivers to Step Functions state machines
// (arn:aws:states:<region>:<account>:stateMachine:<name>) with
// StartExecution, the target input as the execution's input and the
// execution name left to Step Functions.
type sfnSender struct{ c *clients }

var _ delivery.Sender = (*sfnSender)(nil)

func (s *sfnSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	cl, err := get(ctx, s.c, "sfn", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config, ep *string) *sfn.Client {
		return sfn.NewFromConfig(cfg, func(o *sfn.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	_, err = cl.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(d.Job.Target.Arn), Input: aws.String(string(d.Input)),
	})
	return classify(err, "state machine "+d.Job.Target.Arn)
}
