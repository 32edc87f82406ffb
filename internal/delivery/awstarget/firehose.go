package awstarget

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// firehoseSender delivers to Firehose delivery streams
// (arn:aws:firehose:<region>:<account>:deliverystream/<name>) with
// PutRecord, the target input as the record's data, unchanged.
type firehoseSender struct{ c *clients }

var _ delivery.Sender = (*firehoseSender)(nil)

func (s *firehoseSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	cl, err := get(ctx, s.c, "firehose", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config) *firehose.Client { return firehose.NewFromConfig(cfg) })
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	_, err = cl.PutRecord(ctx, &firehose.PutRecordInput{
		DeliveryStreamName: aws.String(strings.TrimPrefix(a.Resource, "deliverystream/")),
		Record:             &types.Record{Data: d.Input},
	})
	return classify(err, "delivery stream "+d.Job.Target.Arn)
}
