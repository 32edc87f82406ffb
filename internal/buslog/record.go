// Package buslog writes the log records of event buses whose LogConfig sets
// a level, in the record format of AWS's event bus logs: one JSON record per
// step an event goes through (received, ingested, matched, each invocation
// attempt, its outcome, dead-lettered). It owns the record format, which
// message types each level includes, and the per-bus configuration, kept in
// memory from a watch of the buses store so the event path never reads the
// store. It never blocks or fails an event: records that cannot be written
// are dropped and counted.
package buslog

import (
	"encoding/json"
	"strings"
)

// A Level is a bus's LogConfig.Level, ordered: a bus at a level gets the
// records of that level and of every level below it.
type Level int

// The levels of LogConfig.Level.
const (
	Off Level = iota
	Error
	Info
	Trace
)

// ParseLevel returns the Level named s (OFF, ERROR, INFO or TRACE); Off for
// anything else, including "".
func ParseLevel(s string) Level {
	switch strings.ToUpper(s) {
	case "ERROR":
		return Error
	case "INFO":
		return Info
	case "TRACE":
		return Trace
	}
	return Off
}

// String is the level's name as records and LogConfig spell it.
func (l Level) String() string {
	switch l {
	case Error:
		return "ERROR"
	case Info:
		return "INFO"
	case Trace:
		return "TRACE"
	}
	return "OFF"
}

// The message types of AWS's event bus log records.
const (
	EventReceipt                      = "EVENT_RECEIPT"
	EventIngestSuccess                = "EVENT_INGEST_SUCCESS"
	EventIngestFailure                = "EVENT_INGEST_FAILURE"
	RuleMatchStart                    = "RULE_MATCH_START"
	RuleMatch                         = "RULE_MATCH"
	NoStandardRulesMatched            = "NO_STANDARD_RULES_MATCHED"
	InvocationStart                   = "INVOCATION_START"
	InvocationAttemptStart            = "INVOCATION_ATTEMPT_START"
	InvocationAttemptSuccess          = "INVOCATION_ATTEMPT_SUCCESS"
	InvocationAttemptRetryableFailure = "INVOCATION_ATTEMPT_RETRYABLE_FAILURE"
	InvocationAttemptPermanentFailure = "INVOCATION_ATTEMPT_PERMANENT_FAILURE"
	InvocationAttemptThrottle         = "INVOCATION_ATTEMPT_THROTTLE"
	InvocationSuccess                 = "INVOCATION_SUCCESS"
	InvocationFailure                 = "INVOCATION_FAILURE"
	InvocationDLQ                     = "INVOCATION_DLQ"
	InvocationThrottleStart           = "INVOCATION_THROTTLE_START"
)

// LevelOf returns the lowest level whose records include messageType:
// failures at ERROR, the main steps of an event (ingested, matched a rule,
// delivered) at INFO, and every other step at TRACE.
func LevelOf(messageType string) Level {
	switch messageType {
	case EventIngestFailure, InvocationAttemptRetryableFailure, InvocationAttemptPermanentFailure,
		InvocationFailure, InvocationDLQ:
		return Error
	case EventIngestSuccess, RuleMatch, InvocationSuccess, InvocationAttemptThrottle, InvocationThrottleStart:
		return Info
	}
	return Trace
}

// A Record is one log record, encoded as AWS encodes them.
type Record struct {
	ResourceArn        string   `json:"resource_arn"`
	RequestID          string   `json:"request_id,omitempty"`
	EventID            string   `json:"event_id"`
	InvocationID       string   `json:"invocation_id,omitempty"`
	MessageTimestampMs int64    `json:"message_timestamp_ms"`
	MessageType        string   `json:"message_type"`
	LogLevel           string   `json:"log_level"`
	Details            Details  `json:"details"`
	Error              *Failure `json:"error,omitempty"`
}

// Details are the step's own fields; Event and TargetInput only when the
// bus's IncludeDetail is FULL.
type Details struct {
	CallerAccountID string          `json:"caller_account_id,omitempty"`
	Source          string          `json:"source,omitempty"`
	DetailType      string          `json:"detail_type,omitempty"`
	SizeBytes       int             `json:"size_bytes,omitempty"`
	RuleArn         string          `json:"rule_arn,omitempty"`
	RuleArns        []string        `json:"rule_arns,omitempty"`
	TargetArn       string          `json:"target_arn,omitempty"`
	AttemptCount    int             `json:"attempt_count,omitempty"`
	DLQArn          string          `json:"dlq_arn,omitempty"`
	Event           json.RawMessage `json:"event,omitempty"`
	TargetInput     json.RawMessage `json:"target_input,omitempty"`
}

// A Failure is a record's error: what the failed step answered.
type Failure struct {
	HTTPStatusCode int    `json:"http_status_code,omitempty"`
	ErrorMessage   string `json:"error_message"`
	AWSService     string `json:"aws_service,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
}
