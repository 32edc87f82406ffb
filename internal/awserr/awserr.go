// Package awserr owns switchyard's one error vocabulary: an error carrying the
// EventBridge exception name (the wire "__type"), the message the caller sees,
// and the HTTP status it travels with. The names and statuses of the
// exceptions the API model declares are generated from it into
// zz_generated_codes.go by internal/apimodel/gen (`go generate
// ./internal/apimodel`); the few the service returns unmodeled are listed by
// hand below. messages.go is the catalogue of the errors switchyard answers
// with, each exception name beside its message in AWS's words, so a reviewer
// reads every text the service sends in one file. The package imports nothing
// of switchyard: everything that reports an error depends on it, never the
// reverse.
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

// Exception names the service returns without the API model declaring them.
// The modeled ones (ResourceNotFound, Internal, ...) are generated from the
// model into zz_generated_codes.go; add a name here only when AWS sends it
// and the model does not list it.
const (
	Validation                 = "ValidationException"
	Serialization              = "SerializationException"
	UnknownOperation           = "UnknownOperationException"
	UnsupportedOperation       = "UnsupportedOperationException" // switchyard's: an operation it does not implement yet
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	IncompleteSignature        = "IncompleteSignatureException"
	InvalidSignature           = "InvalidSignatureException"
	UnrecognizedClient         = "UnrecognizedClientException"
	RequestEntityTooLarge      = "RequestEntityTooLargeException"
	// ServiceUnavailable is AWS's common error for a temporary failure of
	// the server (HTTP 503, listed in every service's Common Errors); every
	// AWS SDK retries a 503.
	ServiceUnavailable = "ServiceUnavailable"
)

// Status returns the HTTP status an exception name travels with unless an
// Error says otherwise: the model's for a modeled exception (500 for
// InternalException), 413 for RequestEntityTooLargeException, 503 for
// ServiceUnavailable, 400 for every other name, known or not.
func Status(code string) int {
	if st, ok := modeledStatus(code); ok {
		return st
	}
	switch code {
	case RequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge
	case ServiceUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// An Error is an EventBridge exception: Code is the exception name sent as
// "__type" and X-Amzn-ErrorType, Message is sent verbatim, Status is the HTTP
// status. The zero Status means Status(Code).
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

// HTTPStatus returns the status the error travels with: Status when set, else
// Status(Code).
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return Status(e.Code)
}

// New returns an error with the given exception name and message, travelling
// with Status(code).
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
