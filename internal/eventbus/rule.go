package eventbus

import (
	"encoding/json"
	"time"
)

// Rule states.
const (
	RuleEnabled  = "ENABLED"
	RuleDisabled = "DISABLED"
	// RuleEnabledWithCloudTrail is AWS's state for rules that also match
	// CloudTrail management events; switchyard routes it like ENABLED.
	RuleEnabledWithCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// Quotas of rules and targets, as AWS's defaults.
const (
	DefaultMaxRulesPerBus    = 300
	DefaultMaxTargetsPerRule = 5
)

// Retry policy bounds and defaults (FACTS.md).
const (
	DefaultMaxRetryAttempts = 185
	DefaultMaxEventAge      = 24 * time.Hour
)

// A Rule selects events on one bus and sends them to its targets. It is
// stored whole under the key (Account, Bus, Name) of the rules KV, targets
// included, so a rule and its targets change together under one revision,
// and the router can keep every bus's rules in memory by watching one bucket.
type Rule struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Bus     string `json:"bus"`
	// EventPattern is the pattern source as given (validated by package
	// pattern); empty for scheduled rules.
	EventPattern       string    `json:"eventPattern,omitempty"`
	ScheduleExpression string    `json:"scheduleExpression,omitempty"`
	State              string    `json:"state"`
	Description        string    `json:"description,omitempty"`
	RoleArn            string    `json:"roleArn,omitempty"`
	ManagedBy          string    `json:"managedBy,omitempty"`
	CreatedAt          time.Time `json:"createdAt"`
	ModifiedAt         time.Time `json:"modifiedAt"`
	Tags               []Tag     `json:"tags,omitempty"`
	Targets            []Target  `json:"targets,omitempty"`
}

// Routes reports whether the rule routes events now: it is enabled and has
// an event pattern.
func (r Rule) Routes() bool {
	return r.EventPattern != "" && (r.State == RuleEnabled || r.State == RuleEnabledWithCloudTrail)
}

// ARN returns the rule's ARN in region (see RuleARN).
func (r Rule) ARN(region string) string { return RuleARN(region, r.Account, r.Bus, r.Name) }

// Managed reports whether an AWS service manages the rule on the account's
// behalf: it may then be changed only through calls that take Force.
func (r Rule) Managed() bool { return r.ManagedBy != "" }

// A Target is where a rule sends matched events, with how to shape the input
// and how to retry.
type Target struct {
	ID      string `json:"id"`
	Arn     string `json:"arn"`
	RoleArn string `json:"roleArn,omitempty"`
	// At most one of Input, InputPath, InputTransformer is set.
	Input            string            `json:"input,omitempty"`
	InputPath        string            `json:"inputPath,omitempty"`
	InputTransformer *InputTransformer `json:"inputTransformer,omitempty"`
	HTTPParameters   *HTTPParameters   `json:"httpParameters,omitempty"`
	RetryPolicy      RetryPolicy       `json:"retryPolicy"`
	// DeadLetterArn receives events that exhaust the retry policy; empty
	// keeps them only in switchyard's own dead-letter store.
	DeadLetterArn string `json:"deadLetterArn,omitempty"`
	// Spec is the target exactly as PutTargets received it (API JSON), so
	// ListTargetsByRule returns kind-specific parameters switchyard stores
	// but does not interpret.
	Spec json.RawMessage `json:"spec,omitempty"`
}

// InputTransformer reshapes the event with JSONPaths and a template.
type InputTransformer struct {
	PathsMap map[string]string `json:"pathsMap,omitempty"`
	Template string            `json:"template"`
}

// HTTPParameters are the target's API destination / HTTP parameters.
type HTTPParameters struct {
	PathParameterValues   []string          `json:"pathParameterValues,omitempty"`
	HeaderParameters      map[string]string `json:"headerParameters,omitempty"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
}

// RetryPolicy bounds redelivery of one event to one target.
type RetryPolicy struct {
	MaximumRetryAttempts     int `json:"maximumRetryAttempts"`
	MaximumEventAgeInSeconds int `json:"maximumEventAgeInSeconds"`
}

// DefaultRetryPolicy is the policy of a target that sets none: 185 retries
// within 24 hours.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaximumRetryAttempts: DefaultMaxRetryAttempts, MaximumEventAgeInSeconds: int(DefaultMaxEventAge / time.Second)}
}
