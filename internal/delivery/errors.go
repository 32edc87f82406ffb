package delivery

import (
	"context"
	"errors"
	"fmt"
)

// Error codes a dead letter's ERROR_CODE may hold: the values AWS documents
// for EventBridge dead-letter queues (a subset; switchyard uses those that
// fit the failures it can see).
const (
	CodeConnectionFailure           = "CONNECTION_FAILURE"
	CodeCrossAccountIngestionFailed = "CROSS_ACCOUNT_INGESTION_FAILED"
	CodeCrossRegionIngestionFailed  = "CROSS_REGION_INGESTION_FAILED"
	CodeErrorFromTarget             = "ERROR_FROM_TARGET"
	CodeFailedToAssumeRole          = "FAILED_TO_ASSUME_ROLE"
	CodeInternalError               = "INTERNAL_ERROR"
	CodeInvalidJSON                 = "INVALID_JSON"
	CodeInvalidParameter            = "INVALID_PARAMETER"
	CodeNoPermissions               = "NO_PERMISSIONS"
	CodeNoResource                  = "NO_RESOURCE"
	CodeResourceLimitExceeded       = "RESOURCE_LIMIT_EXCEEDED"
	CodeResourceModification        = "RESOURCE_MODIFICATION_COLLISION"
	CodeSDKClientError              = "SDK_CLIENT_ERROR"
	CodeThirdAccountHopDetected     = "THIRD_ACCOUNT_HOP_DETECTED"
	CodeThrottling                  = "THROTTLING"
	CodeTimeout                     = "TIMEOUT"
	CodeUnknown                     = "UNKNOWN"
)

// An Error is a failed delivery as a Sender reports it: the AWS error code
// and message that a dead letter would carry, and whether trying again may
// succeed. AWS does not retry failures that stay failures until someone
// acts (missing permissions, a target that does not exist): those are not
// Retryable and go to the dead letters at once.
type Error struct {
	Code      string
	Message   string
	Retryable bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Retryable returns an *Error that a later attempt may not repeat.
func Retryable(code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Retryable: true}
}

// Permanent returns an *Error that every attempt would repeat.
func Permanent(code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Classify returns err as an *Error: err itself (or the *Error it wraps); a
// retryable TIMEOUT for a deadline; otherwise a retryable UNKNOWN carrying
// err's text, since a failure the sender did not classify may be passing.
// Classify(nil) is nil.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTimeout, Message: err.Error(), Retryable: true}
	}
	return &Error{Code: CodeUnknown, Message: err.Error(), Retryable: true}
}
