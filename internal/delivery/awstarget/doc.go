// Package awstarget delivers events to AWS-service targets through
// aws-sdk-go-v2's own service clients: SQS queues (SendMessage, FIFO
// queues with SqsParameters.MessageGroupId), SNS topics (Publish), Lambda
// functions (asynchronous Invoke), Kinesis streams (PutRecord, partition
// key from KinesisParameters.PartitionKeyPath or the event id), Firehose
// delivery streams (PutRecord), Step Functions state machines
// (StartExecution) and CloudWatch Logs log groups (one log stream per
// event, named by the event id). Each is a delivery.Kind built by Targets.
//
// It owns the SDK clients (built lazily per service, region and assumed
// role, cached, sharing one HTTP transport with a bound on connections per
// endpoint) and the translation of SDK errors into delivery errors with the
// ERROR_CODE AWS puts on a dead letter. Endpoints and credentials come from
// the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>,
// the shared config file, the credential chain) unless Config overrides
// them; a target's region and account come from its ARN.
//
// It never retries by itself (the SDK's retryer is off: the target's
// RetryPolicy, applied by package delivery, decides), never shapes input
// (package transform does, before Send), and never stores anything. Kinds
// AWS accepts but switchyard does not deliver (ECS, Batch, SSM, ...) are
// named by Unsupported, whose Sender fails every event with an error that
// names the kind.
package awstarget
