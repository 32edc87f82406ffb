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
// (arn:aws:firehose:<region>:<account>:deliverystream/<name>): concurrent
// deliveries to one stream share PutRecordBatch calls (a lone one is a
// PutRecord), the target input as each record's data, unchanged.
type firehoseSender struct {
	c     *clients
	batch *batcher[firehoseEntry]
}

// A firehoseEntry is one record for a batch; entries of one batch share
// the stream, so its client.
type firehoseEntry struct {
	cl           *firehose.Client
	stream, what string
	data         []byte
}

// Firehose's bounds on PutRecordBatch.
const (
	firehoseMaxBatch      = 500
	firehoseMaxBatchBytes = 4 << 20
)

func newFirehoseSender(c *clients) *firehoseSender {
	s := &firehoseSender{c: c}
	s.batch = newBatcher(firehoseMaxBatch, firehoseMaxBatchBytes, batchesInFlight,
		func(e firehoseEntry) int { return len(e.data) }, s.sendBatch)
	return s
}

var _ delivery.Sender = (*firehoseSender)(nil)

func (s *firehoseSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	role := d.Job.Target.RoleArn
	cl, err := get(ctx, s.c, "firehose", a.Region, role, func(cfg aws.Config, ep *string) *firehose.Client {
		return firehose.NewFromConfig(cfg, func(o *firehose.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	e := firehoseEntry{cl: cl, stream: strings.TrimPrefix(a.Resource, "deliverystream/"), what: "delivery stream " + d.Job.Target.Arn, data: d.Input}
	return s.batch.send(ctx, d.Job.Target.Arn+" "+s.c.roleOf(role), e)
}

// sendBatch puts entries on their stream: PutRecord for one,
// PutRecordBatch for more, with each entry's error.
func (s *firehoseSender) sendBatch(ctx context.Context, _ string, entries []firehoseEntry) []error {
	first := entries[0]
	errs := make([]error, len(entries))
	if len(entries) == 1 {
		_, err := first.cl.PutRecord(ctx, &firehose.PutRecordInput{
			DeliveryStreamName: aws.String(first.stream), Record: &types.Record{Data: first.data},
		})
		errs[0] = classify(err, first.what)
		return errs
	}
	in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(first.stream), Records: make([]types.Record, len(entries))}
	for i, e := range entries {
		in.Records[i] = types.Record{Data: e.data}
	}
	out, err := first.cl.PutRecordBatch(ctx, in)
	if err != nil {
		err = classify(err, first.what)
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, r := range out.RequestResponses {
		if i < len(errs) && r.ErrorCode != nil {
			errs[i] = entryError(first.what, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), false)
		}
	}
	return errs
}
