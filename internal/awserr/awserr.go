// Package awserr owns switchyard's one error vocabulary: an error carrying the
// EventBridge exception name (the wire "__type"), the message the caller sees,
// and the HTTP status it travels with.
//
// It never writes to the wire itself: internal/awsjson maps an *Error to the
// awsJson1_1 response in exactly one function. Internal details (storage
// failures, stack context) never go into Message; wrap them in InternalError,
// which logs-only data stays out of the message.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Exception names used across switchyard. Modeled ones come from the API
// model; the others (ValidationException, SerializationException, ...) are
// what the real service returns without modeling them.
const (
	ResourceNotFound           = "ResourceNotFoundException"
	ResourceAlreadyExists      = "ResourceAlreadyExistsException"
	ConcurrentModification     = "ConcurrentModificationException"
	LimitExceeded              = "LimitExceededException"
	OperationDisabled          = "OperationDisabledException"
	InvalidEventPattern        = "InvalidEventPatternException"
	InvalidState               = "InvalidStateException"
	IllegalStatus              = "IllegalStatusException"
	ManagedRule                = "ManagedRuleException"
	PolicyLengthExceeded       = "PolicyLengthExceededException"
	AccessDenied               = "AccessDeniedException"
	Throttling                 = "ThrottlingException"
	Internal                   = "InternalException"
	Validation                 = "ValidationException"
	Serialization              = "SerializationException"
	UnknownOperation           = "UnknownOperationException"
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	IncompleteSignature        = "IncompleteSignatureException"
	InvalidSignature           = "InvalidSignatureException"
	UnrecognizedClient         = "UnrecognizedClientException"
	RequestEntityTooLarge      = "RequestEntityTooLargeException"
)

// An Error is an EventBridge exception: Code is the exception name sent as
// "__type" and X-Amzn-ErrorType, Message is sent verbatim, Status is the HTTP
// status. The zero Status means 400.
type Error struct {
	Code    string
	Message string
	Status  int
	cause   error // logged, never sent
}

// Error implements error as "Code: Message".
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Code + ": " + e.Message + " (" + e.cause.Error() + ")"
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// HTTPStatus returns the status the error travels with: Status when set, 500
// for InternalException, else 400.
func (e *Error) HTTPStatus() int {
	switch {
	case e.Status != 0:
		return e.Status
	case e.Code == Internal:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// New returns an error with the given exception name and message, status 400
// (500 for InternalException).
func New(code, message string) *Error { return &Error{Code: code, Message: message} }

// Newf is New with a formatted message.
func Newf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithStatus returns the error with an explicit HTTP status (authentication
// failures travel as 403, for instance).
func WithStatus(code string, status int, message string) *Error {
	return &Error{Code: code, Message: message, Status: status}
}

// InternalError wraps a failure whose details must not reach the caller: the
// caller sees InternalException with a generic message, the log sees cause.
func InternalError(cause error) *Error {
	return &Error{Code: Internal, Message: "An internal error occurred.", cause: cause}
}

// From returns err as an *Error: itself when it is (or wraps) one, else an
// InternalException wrapping it. From(nil) is nil.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalError(err)
}

// Is reports whether err is (or wraps) an *Error with the given code.
func Is(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
