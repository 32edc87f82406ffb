package awstarget

import (
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// Names of the kinds in logs.
const (
	KindSQS      = "sqs"
	KindSNS      = "sns"
	KindLambda   = "lambda"
	KindKinesis  = "kinesis"
	KindFirehose = "firehose"
	KindSFN      = "step-functions"
	KindLogs     = "cloudwatch-logs"
)

// batchesInFlight bounds the batch calls running at once to one queue or
// stream; deliveries beyond wait for the next batch.
const batchesInFlight = 8

// Targets delivers to AWS-service targets. Safe for concurrent use.
type Targets struct {
	c        *clients
	log      *slog.Logger
	sqs      *sqsSender
	kinesis  *kinesisSender
	firehose *firehoseSender
}

// New returns Targets configured by cfg. It does no I/O: the SDK
// configuration is loaded at the first delivery.
func New(cfg Config) *Targets {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c := newClients(cfg)
	return &Targets{c: c, log: cfg.Log, sqs: newSQSSender(c), kinesis: newKinesisSender(c), firehose: newFirehoseSender(c)}
}

// Kinds returns the kinds Targets delivers, one per service. None is raw:
// Input, InputPath and InputTransformer apply.
func (t *Targets) Kinds() delivery.Kinds {
	return delivery.Kinds{
		{Name: KindSQS, Accepts: service("sqs"), Sender: t.sqs},
		{Name: KindSNS, Accepts: service("sns"), Sender: &snsSender{c: t.c}},
		{Name: KindLambda, Accepts: resource("lambda", "function:"), Sender: &lambdaSender{c: t.c}},
		{Name: KindKinesis, Accepts: resource("kinesis", "stream/"), Sender: t.kinesis},
		{Name: KindFirehose, Accepts: resource("firehose", "deliverystream/"), Sender: t.firehose},
		{Name: KindSFN, Accepts: resource("states", "stateMachine:"), Sender: &sfnSender{c: t.c}},
		{Name: KindLogs, Accepts: resource("logs", "log-group:"), Sender: &logsSender{c: t.c}},
	}
}

// service returns an ARN predicate: the ARN is of svc, with a region and
// an account.
func service(svc string) func(eventbus.ARN) bool {
	return func(a eventbus.ARN) bool {
		return a.Service == svc && a.Region != "" && eventbus.IsAccountID(a.Account) && a.Resource != ""
	}
}

// resource returns an ARN predicate: the ARN is of svc and its resource
// starts with prefix.
func resource(svc, prefix string) func(eventbus.ARN) bool {
	of := service(svc)
	return func(a eventbus.ARN) bool {
		return of(a) && strings.HasPrefix(a.Resource, prefix) && len(a.Resource) > len(prefix)
	}
}

// params are the kind-specific parameters of a target that this package
// reads, from the target as PutTargets received it (eventbus.Target.Spec).
type params struct {
	SqsParameters *struct {
		MessageGroupId *string
	}
	KinesisParameters *struct {
		PartitionKeyPath *string
	}
}

// paramsOf decodes the parameters of t; a target stored without its API
// form has none.
func paramsOf(t *eventbus.Target) (params, error) {
	var p params
	if len(t.Spec) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(t.Spec, &p); err != nil {
		return p, delivery.Permanent(delivery.CodeInternalError, "target %s: stored parameters do not decode: %v", t.ID, err)
	}
	return p, nil
}

// arnOf parses the target ARN of d (the kind accepted it, so it parses).
func arnOf(d delivery.Delivery) (eventbus.ARN, error) {
	a, ok := eventbus.ParseARN(d.Job.Target.Arn)
	if !ok {
		return a, delivery.Permanent(delivery.CodeInvalidParameter, "%s is not an ARN", d.Job.Target.Arn)
	}
	return a, nil
}
