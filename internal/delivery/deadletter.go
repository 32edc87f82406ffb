package delivery

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Names of the attributes AWS puts on every dead letter (SQS message
// attributes of type String).
const (
	AttrRuleArn                 = "RULE_ARN"
	AttrTargetArn               = "TARGET_ARN"
	AttrErrorCode               = "ERROR_CODE"
	AttrErrorMessage            = "ERROR_MESSAGE"
	AttrExhaustedRetryCondition = "EXHAUSTED_RETRY_CONDITION"
	AttrRetryAttempts           = "RETRY_ATTEMPTS"
)

// Names of switchyard's own dead-letter metadata, kept apart from AWS's by
// their prefix.
const (
	MetaPrefix     = "Switchyard-"
	MetaAccount    = MetaPrefix + "Account"
	MetaBus        = MetaPrefix + "Bus"
	MetaEventID    = MetaPrefix + "Event-Id"
	MetaTargetID   = MetaPrefix + "Target-Id"
	MetaIngestedAt = MetaPrefix + "Ingested-At"
	MetaFailedAt   = MetaPrefix + "Failed-At"
)

// maxErrorMessage bounds ERROR_MESSAGE, which comes from targets.
const maxErrorMessage = 1024

// A DeadLetter is an event a target did not get: its job, why, and how many
// retries were made.
type DeadLetter struct {
	Job Job
	// ErrorCode and ErrorMessage describe the last failure.
	ErrorCode    string
	ErrorMessage string
	// Condition is ConditionAttempts or ConditionAge when a retry limit ended
	// the delivery, "" when the failure was not retryable.
	Condition string
	// RetryAttempts counts the retries after the first attempt.
	RetryAttempts int
	// FailedAt is when the delivery was given up.
	FailedAt time.Time
}

// ID is the dead letter's de-duplication id: a job dead-lettered twice (a
// worker that crashed after storing it) is stored once. It includes when
// the job was enqueued, so a redriven job (enqueued anew) that fails again
// within the store's window is stored again, not taken for a repeat.
func (d *DeadLetter) ID() string {
	return "dl/" + d.Job.MsgID() + "/" + strconv.FormatInt(d.Job.EnqueuedAt.UnixNano(), 10)
}

// Attributes returns the attributes AWS puts on a dead letter, with AWS's
// names; EXHAUSTED_RETRY_CONDITION only when a limit ended the retries.
// Values are single-line (line breaks in error messages become spaces).
func (d *DeadLetter) Attributes() map[string]string {
	a := map[string]string{
		AttrRuleArn:       d.Job.RuleArn,
		AttrTargetArn:     d.Job.Target.Arn,
		AttrErrorCode:     d.ErrorCode,
		AttrErrorMessage:  oneLine(d.ErrorMessage, maxErrorMessage),
		AttrRetryAttempts: strconv.Itoa(d.RetryAttempts),
	}
	if d.Condition != "" {
		a[AttrExhaustedRetryCondition] = d.Condition
	}
	return a
}

// Metadata returns switchyard's own facts about the dead letter (account,
// bus, event and target ids, times), under MetaPrefix names.
func (d *DeadLetter) Metadata() map[string]string {
	return map[string]string{
		MetaAccount:    d.Job.Account,
		MetaBus:        d.Job.Bus,
		MetaEventID:    d.Job.Event.ID,
		MetaTargetID:   d.Job.Target.ID,
		MetaIngestedAt: d.Job.Event.IngestedAt.UTC().Format(time.RFC3339Nano),
		MetaFailedAt:   d.FailedAt.UTC().Format(time.RFC3339Nano),
	}
}

// oneLine replaces control characters with spaces and truncates s to at
// most n bytes on a rune boundary.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// A DeadLetterStore keeps dead letters durably. Put returns nil only once d
// is stored; storing the same ID twice within the store's de-duplication
// window keeps one.
type DeadLetterStore interface {
	Put(ctx context.Context, d DeadLetter) error
}
