package awstarget

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// lambdaSender delivers to Lambda functions
// (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]) with an
// asynchronous Invoke (InvocationType Event), the target input as payload.
// The function's own errors are Lambda's to retry, as with EventBridge:
// the delivery succeeds once Lambda has queued the invocation.
type lambdaSender struct{ c *clients }

var _ delivery.Sender = (*lambdaSender)(nil)

func (s *lambdaSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	cl, err := get(ctx, s.c, "lambda", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config, ep *string) *lambda.Client {
		return lambda.NewFromConfig(cfg, func(o *lambda.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	_, err = cl.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(d.Job.Target.Arn), InvocationType: types.InvocationTypeEvent, Payload: d.Input,
	})
	return classify(err, "Lambda function "+d.Job.Target.Arn)
}
