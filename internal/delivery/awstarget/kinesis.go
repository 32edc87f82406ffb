package awstarget

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/transform"
)

// kinesisSender delivers to Kinesis data streams
// (arn:aws:kinesis:<region>:<account>:stream/<name>): concurrent deliveries
// to one stream share PutRecords calls (a lone one is a PutRecord), the
// target input as each record's data. Calls name the stream by ARN and by
// name, which Kinesis allows (and emulators that predate stream ARNs
// need). The partition key is the value at
// KinesisParameters.PartitionKeyPath in the event (a string as is, any
// other JSON value as its text), or, without the parameter, the event id,
// as AWS documents. A path that finds nothing in an event also falls back
// to the event id (AWS's documentation is silent on it).
type kinesisSender struct {
	c     *clients
	batch *batcher[kinesisEntry]
}

// A kinesisEntry is one record for a batch; entries of one batch share the
// stream, so its client.
type kinesisEntry struct {
	cl           *kinesis.Client
	stream, what string // stream is the ARN
	name         string
	data         []byte
	partitionKey string
}

// Kinesis's bounds on PutRecords.
const (
	kinesisMaxBatch      = 500
	kinesisMaxBatchBytes = 5 << 20
)

func newKinesisSender(c *clients) *kinesisSender {
	s := &kinesisSender{c: c}
	s.batch = newBatcher(kinesisMaxBatch, kinesisMaxBatchBytes, batchesInFlight,
		func(e kinesisEntry) int { return len(e.data) + len(e.partitionKey) }, s.sendBatch)
	return s
}

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
	role := d.Job.Target.RoleArn
	cl, err := get(ctx, s.c, "kinesis", a.Region, role, func(cfg aws.Config, ep *string) *kinesis.Client {
		return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { override(&o.BaseEndpoint, ep) })
	})
	if err != nil {
		return delivery.Retryable(delivery.CodeSDKClientError, "%v", err)
	}
	e := kinesisEntry{cl: cl, stream: d.Job.Target.Arn, name: strings.TrimPrefix(a.Resource, "stream/"),
		what: "Kinesis stream " + d.Job.Target.Arn, data: d.Input, partitionKey: key}
	return s.batch.send(ctx, d.Job.Target.Arn+" "+s.c.roleOf(role), e)
}

// sendBatch puts entries on their stream: PutRecord for one, PutRecords for
// more, with each entry's error.
func (s *kinesisSender) sendBatch(ctx context.Context, _ string, entries []kinesisEntry) []error {
	first := entries[0]
	errs := make([]error, len(entries))
	if len(entries) == 1 {
		_, err := first.cl.PutRecord(ctx, &kinesis.PutRecordInput{
			StreamARN: aws.String(first.stream), StreamName: aws.String(first.name), Data: first.data, PartitionKey: aws.String(first.partitionKey),
		})
		errs[0] = classify(err, first.what)
		return errs
	}
	in := &kinesis.PutRecordsInput{StreamARN: aws.String(first.stream), StreamName: aws.String(first.name), Records: make([]types.PutRecordsRequestEntry, len(entries))}
	for i, e := range entries {
		in.Records[i] = types.PutRecordsRequestEntry{Data: e.data, PartitionKey: aws.String(e.partitionKey)}
	}
	out, err := first.cl.PutRecords(ctx, in)
	if err != nil {
		err = classify(err, first.what)
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, r := range out.Records {
		if i < len(errs) && r.ErrorCode != nil {
			errs[i] = entryError(first.what, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), false)
		}
	}
	return errs
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
