package awstarget

import (
	"context"
	"strings"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// KindUnsupported names, in logs, the kind of targets AWS accepts and
// switchyard does not deliver to.
const KindUnsupported = "unsupported-aws-service"

// unsupportedService names the target types
// EventBridge delivers to that switchyard does not, by ARN service; ok is
// false for any other service.
func unsupportedService(svc string) (name string, ok bool) {
	switch svc {
	case "ecs":
		return "Amazon ECS task", true
	case "batch":
		return "AWS Batch job queue", true
	case "ssm":
		return "Systems Manager (Run Command, Automation or OpsItem)", true
	case "ssm-incidents":
		return "Incident Manager response plan", true
	case "redshift", "redshift-serverless":
		return "Amazon Redshift cluster or workgroup", true
	case "sagemaker":
		return "SageMaker pipeline", true
	case "appsync":
		return "AppSync GraphQL API", true
	case "execute-api":
		return "API Gateway REST API", true
	case "codebuild":
		return "CodeBuild project", true
	case "codepipeline":
		return "CodePipeline pipeline", true
	case "inspector":
		return "Inspector assessment template", true
	case "glue":
		return "Glue workflow", true
	}
	return "", false
}

// unsupportedKind names the kind of a target ARN switchyard accepts and
// does not deliver to: by service, or an EC2 action, which EventBridge
// names arn:aws:events:<region>:<account>:target/<action> (create-snapshot,
// reboot-instances, stop-instances, terminate-instances).
func unsupportedKind(a eventbus.ARN) (name string, ok bool) {
	if a.Service == "events" && strings.HasPrefix(a.Resource, "target/") {
		return "EC2 action (" + strings.TrimPrefix(a.Resource, "target/") + ")", true
	}
	return unsupportedService(a.Service)
}

// Unsupported returns the kind of targets AWS accepts and switchyard does
// not deliver to (ECS, Batch, SSM, Redshift, SageMaker, AppSync, API
// Gateway, CodeBuild, CodePipeline, Inspector, Glue, EC2 actions). PutTargets
// accepts them as AWS does; every event routed to one is dead-lettered at
// once with INVALID_PARAMETER and a message naming the kind. The kind is
// Undelivered, so the dispatcher does not log each of those dead letters
// as a warning: Notice says it once, when the target is put.
func Unsupported() delivery.Kind {
	return delivery.Kind{
		Name: KindUnsupported,
		Accepts: func(a eventbus.ARN) bool {
			_, ok := unsupportedKind(a)
			return ok
		},
		Sender:      delivery.SenderFunc(sendUnsupported),
		Undelivered: true,
	}
}

func sendUnsupported(_ context.Context, d delivery.Delivery) error {
	a, _ := eventbus.ParseARN(d.Job.Target.Arn)
	name, _ := unsupportedKind(a)
	return delivery.Permanent(delivery.CodeInvalidParameter,
		"switchyard does not deliver to %s targets (%s); the event is kept as a dead letter.", name, d.Job.Target.Arn)
}

// Notice logs, once per call, a warning for a target put on ruleArn that
// switchyard accepts but does not deliver to; nothing for other targets.
// PutTargets calls it for each target it stores.
func (t *Targets) Notice(ruleArn string, tg eventbus.Target) {
	a, ok := eventbus.ParseARN(tg.Arn)
	if !ok {
		return
	}
	name, ok := unsupportedKind(a)
	if !ok {
		return
	}
	t.log.Warn("target accepted but not delivered: switchyard does not deliver to this kind; its events will be dead-lettered",
		"kind", name, "rule", ruleArn, "target", tg.ID, "arn", tg.Arn)
}
