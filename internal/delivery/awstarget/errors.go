package awstarget

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/switchyard/switchyard/internal/delivery"
)

// classify turns an SDK call's error into a delivery error with the
// ERROR_CODE AWS puts on a dead letter, and whether a retry may help:
//
//   - throttling (by error code or HTTP 429): retryable THROTTLING;
//   - a missing queue, topic, function, stream or log group: NO_RESOURCE,
//     dead-lettered at once;
//   - access denied or bad credentials: NO_PERMISSIONS, at once;
//   - a role that cannot be assumed (STS refused): FAILED_TO_ASSUME_ROLE,
//     at once; STS unreachable or throttling: retryable;
//   - an invalid parameter (message too large, bad input, FIFO settings):
//     INVALID_PARAMETER, at once;
//   - a quota (LimitExceeded and the like): retryable
//     RESOURCE_LIMIT_EXCEEDED;
//   - a 5xx: retryable INTERNAL_ERROR; another error response: retryable
//     SDK_CLIENT_ERROR (an unrecognized client error may be passing);
//   - no response (connection refused, reset, DNS): retryable
//     CONNECTION_FAILURE; a deadline: retryable TIMEOUT.
//
// what names the resource in messages.
func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return delivery.Retryable(delivery.CodeTimeout, "%s: %v", what, err)
	}
	if sts, ok := stsFailure(err); ok {
		var api smithy.APIError
		if errors.As(sts, &api) && isAuthCode(api.ErrorCode()) {
			return delivery.Permanent(delivery.CodeFailedToAssumeRole, "%s: %v", what, err)
		}
		return delivery.Retryable(delivery.CodeFailedToAssumeRole, "%s: %v", what, err)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if code, retryable, ok := codeOf(api.ErrorCode()); ok {
			if retryable {
				return delivery.Retryable(code, "%s: %s: %s", what, api.ErrorCode(), api.ErrorMessage())
			}
			return delivery.Permanent(code, "%s: %s: %s", what, api.ErrorCode(), api.ErrorMessage())
		}
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return delivery.Retryable(delivery.CodeConnectionFailure, "%s: %v", what, err)
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		switch status := resp.HTTPStatusCode(); {
		case status == http.StatusTooManyRequests:
			return delivery.Retryable(delivery.CodeThrottling, "%s: %v", what, err)
		case status == http.StatusNotFound:
			return delivery.Permanent(delivery.CodeNoResource, "%s: %v", what, err)
		case status == http.StatusForbidden:
			return delivery.Permanent(delivery.CodeNoPermissions, "%s: %v", what, err)
		case status >= 500:
			return delivery.Retryable(delivery.CodeInternalError, "%s: %v", what, err)
		default:
			return delivery.Retryable(delivery.CodeSDKClientError, "%s: %v", what, err)
		}
	}
	return delivery.Retryable(delivery.CodeSDKClientError, "%s: %v", what, err)
}

// stsFailure returns the STS operation error in err's chain: the
// credentials of an assumed role could not be had.
func stsFailure(err error) (error, bool) {
	for e := err; e != nil; {
		var op *smithy.OperationError
		if !errors.As(e, &op) {
			return nil, false
		}
		if op.ServiceID == "STS" {
			return op, true
		}
		e = op.Err
	}
	return nil, false
}

// isAuthCode reports whether an error code means the caller may not do
// what it asked (or is not who it says).
func isAuthCode(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "AuthorizationError", "AuthorizationErrorException",
		"KMSAccessDeniedException", "KMSAccessDenied", "KmsAccessDenied", "UnrecognizedClientException", "InvalidClientTokenId",
		"SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken", "InvalidSignatureException",
		"RegionDisabledException":
		return true
	}
	return false
}

// codeOf maps the error codes the seven services return to a dead-letter
// code; ok is false for codes it does not know.
func codeOf(code string) (dl string, retryable, ok bool) {
	switch code {
	case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "RequestThrottled", "RequestLimitExceeded",
		"KMSThrottlingException", "KMSThrottled", "ServiceUnavailableException", "ServiceUnavailable",
		"SlowDown", "EC2ThrottledException", "KmsThrottled":
		return delivery.CodeThrottling, true, true
	case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException",
		"NotFound", "NotFoundException", "StateMachineDoesNotExist", "StateMachineDeleting", "QueueDeletedRecently":
		return delivery.CodeNoResource, false, true
	case "InvalidParameter", "InvalidParameterException", "InvalidParameterValue", "InvalidParameterValueException",
		"InvalidParameterCombination", "ValidationException", "ValidationError", "MissingParameter",
		"InvalidMessageContents", "AWS.SimpleQueueService.InvalidMessageContents", "RequestEntityTooLargeException",
		"InvalidRequestContentException", "InvalidExecutionInput", "InvalidArn", "InvalidName", "InvalidAddress",
		"InvalidSequenceTokenException", "DataAlreadyAcceptedException", "KMSInvalidStateException",
		"KMSDisabledException", "KMSNotFoundException", "InvalidArgumentException", "InvalidSecurity",
		"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "UnsupportedOperation", "RequestTooLargeException",
		"UnsupportedMediaTypeException", "InvalidKMSResourceException", "KmsDisabled", "KmsNotFound", "KmsInvalidState",
		"KmsInvalidKeyUsage", "KmsOptInRequired", "InvalidBatchEntryId", "BatchRequestTooLong":
		return delivery.CodeInvalidParameter, false, true
	case "LimitExceededException", "ExecutionLimitExceeded", "ServiceQuotaExceededException", "OverLimit",
		"KMSOptInRequired", "TooManyEntriesInBatchRequest":
		return delivery.CodeResourceLimitExceeded, true, true
	case "ResourceConflictException", "ConcurrentAccessException", "OperationAbortedException", "ResourceInUseException":
		return delivery.CodeResourceModification, true, true
	case "InternalError", "InternalFailure", "InternalServerError", "ServiceException", "ServiceFailure",
		"InternalFailureException", "KMSInternalException":
		return delivery.CodeInternalError, true, true
	}
	if isAuthCode(code) {
		return delivery.CodeNoPermissions, false, true
	}
	return "", false, false
}

// entryError classifies the failure of one entry of a batch call (its
// error code and whether the sender was at fault), as classify does for
// a call: a code it knows decides; otherwise a sender's fault is
// INVALID_PARAMETER, at once, and the service's a retryable
// INTERNAL_ERROR.
func entryError(what, code, msg string, senderFault bool) error {
	if dl, retryable, ok := codeOf(code); ok {
		if retryable {
			return delivery.Retryable(dl, "%s: %s: %s", what, code, msg)
		}
		return delivery.Permanent(dl, "%s: %s: %s", what, code, msg)
	}
	if senderFault {
		return delivery.Permanent(delivery.CodeInvalidParameter, "%s: %s: %s", what, code, msg)
	}
	return delivery.Retryable(delivery.CodeInternalError, "%s: %s: %s", what, code, msg)
}
