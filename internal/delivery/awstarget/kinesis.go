package awstarget

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/transform"
)

// kinesisSender delivers to Kinesis data streams
// (arn:aws:kinesis:<region>:<account>:stream/<name>) with PutRecord, the
// target input as the record's data. The partition key is the value at
// KinesisParameters.PartitionKeyPath in the event (a string as is, any
// other JSON value as its text), or, without the parameter, the event id,
// as AWS documents. A path that finds nothing in an event also falls back
// to the event id (AWS's documentation is silent on it).
type kinesisSender struct{ c *clients }

var _ delivery.Sender = (*kinesisSender)(nil)

func (s *kinesisSender) Send(ctx context.Context, d delivery.Delivery) error {
	a, err := arnOf(d)
	if err != nil {
		return err
	}
	key, err := partitionKey(d.Job)
	if err != nil {
		return err
	}
	cl, err := get(ctx, s.c, "kinesis", a.Region, d.Job.Target.RoleArn, func(cfg aws.Config) *kinesis.Client { return kinesis.NewFromConfig(cfg) })
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	_, err = cl.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamARN: aws.String(d.Job.Target.Arn), Data: d.Input, PartitionKey: aws.String(key),
	})
	return classify(err, "Kinesis stream "+d.Job.Target.Arn)
}

// maxPartitionKey is Kinesis's bound on a partition key, in characters.
const maxPartitionKey = 256

// partitionKey returns the partition key of j's record.
func partitionKey(j *delivery.Job) (string, error) {
	p, err := paramsOf(&j.Target)
	if err != nil {
		return "", err
	}
	if p.KinesisParameters == nil || p.KinesisParameters.PartitionKeyPath == nil || *p.KinesisParameters.PartitionKeyPath == "" {
		return j.Event.ID, nil
	}
	path := *p.KinesisParameters.PartitionKeyPath
	t, err := transform.Compile(eventbus.Target{ID: j.Target.ID, InputPath: path})
	if err != nil {
		return "", delivery.Permanent(delivery.CodeInvalidParameter, "target %s: PartitionKeyPath %s: %v", j.Target.ID, path, err)
	}
	v, err := t.Apply(j.Event.Envelope, transform.Meta{})
	if err != nil || len(v) == 0 || string(v) == "null" {
		return j.Event.ID, nil
	}
	key := string(v)
	var s string
	if json.Unmarshal(v, &s) == nil {
		key = s
	}
	if key == "" {
		return j.Event.ID, nil
	}
	if r := []rune(key); len(r) > maxPartitionKey {
		key = string(r[:maxPartitionKey])
	}
	return key, nil
}
