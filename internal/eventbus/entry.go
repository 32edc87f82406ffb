package eventbus

import (
	"strings"
	"time"
)

// DefaultMaxEntriesSize is AWS's limit on the total entry size (see
// PutEntry.Size) of one PutEvents or PutPartnerEvents request: 1 MB since
// 2026-01-29, when AWS raised event bus payloads from 256 KB (AWS Compute
// blog, "payloads up to 1 MB"; the API reference still says 256 KB). The
// announcement names event buses without singling out PutPartnerEvents, and
// partner events land on event buses, so both take the same limit.
const DefaultMaxEntriesSize = 1 << 20

// entryTimeSize is what a set Time adds to an entry's size, by AWS's formula.
const entryTimeSize = 14

// MaxDetailDepth is how deeply a Detail may nest objects and arrays; the
// Detail object itself is depth 1. AWS documents that PutEvents processes
// nested JSON up to 1000 levels deep.
const MaxDetailDepth = 1000

// Per-entry error codes of PutEvents and PutPartnerEvents results, as AWS
// sends them in ErrorCode.
const (
	CodeInvalidArgument        = "InvalidArgument"
	CodeMalformedDetail        = "MalformedDetail"
	CodeNotAuthorizedForSource = "NotAuthorizedForSourceException"
	CodeAccessDenied           = "AccessDeniedException"
)

// An EntryError is why one entry of a PutEvents or PutPartnerEvents request
// failed: Code and Message go to the entry's ErrorCode and ErrorMessage. The
// zero EntryError means no error.
type EntryError struct {
	Code    string
	Message string
}

// OK reports whether e is the zero EntryError (no error).
func (e EntryError) OK() bool { return e.Code == "" }

// The entry errors AWS gives, word for word.
var (
	errMissingSource     = EntryError{CodeInvalidArgument, "Parameter Source is not valid. Reason: Source is a required argument."}
	errMissingDetailType = EntryError{CodeInvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is a required argument."}
	errMissingDetail     = EntryError{CodeInvalidArgument, "Parameter Detail is not valid. Reason: Detail is a required argument."}
	errMalformedDetail   = EntryError{CodeMalformedDetail, "Detail is malformed."}
)

// MalformedDetail is the entry error for a Detail that is not a JSON object.
func MalformedDetail() EntryError { return errMalformedDetail }

// NotAuthorizedForSource is the entry error for a Source the caller may not
// publish: an "aws." source sent with PutEvents, or a partner event source
// the calling partner account does not own.
func NotAuthorizedForSource() EntryError {
	return EntryError{CodeNotAuthorizedForSource, "Not authorized for the source."}
}

// AccessDenied is the entry error for an event sent to another account's
// bus whose resource policy does not let the caller's account put events:
// IAM's wording, with the account's root as the principal.
func AccessDenied(callerAccount, busARN string) EntryError {
	return EntryError{CodeAccessDenied, "User: arn:aws:iam::" + callerAccount + ":root is not authorized to perform: events:PutEvents on resource: " +
		busARN + " because no resource-based policy allows the events:PutEvents action"}
}

// A PutEntry is one event as a caller submitted it to PutEvents or
// PutPartnerEvents. An empty Source, DetailType or Detail counts as absent.
type PutEntry struct {
	Source     string
	DetailType string
	// Detail is the event's detail as given: it must be a JSON object.
	Detail    string
	Resources []string
	// Time is the event's time; HasTime says whether the caller gave one
	// (it counts in Size, and the envelope uses the ingestion time if not).
	Time    time.Time
	HasTime bool
}

// Size is the entry's size by AWS's formula: 14 bytes if Time is set, plus
// the UTF-8 bytes of Source, DetailType, Detail and every Resources item.
func (e PutEntry) Size() int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if e.HasTime {
		n += entryTimeSize
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// Check applies the entry-local rules, in AWS's order: Source, DetailType
// and Detail are required (InvalidArgument), and Detail must be a JSON object
// nested at most MaxDetailDepth deep (MalformedDetail). It returns the zero
// EntryError for a good entry, and does not allocate.
func (e PutEntry) Check() EntryError {
	switch {
	case e.Source == "":
		return errMissingSource
	case e.DetailType == "":
		return errMissingDetailType
	case e.Detail == "":
		return errMissingDetail
	case !ValidDetail(e.Detail):
		return errMalformedDetail
	}
	return EntryError{}
}

// IsReservedSource reports whether source is in the "aws." namespace that
// only AWS services (and, through PutPartnerEvents, SaaS partners) may
// publish; PutEvents refuses such an entry with NotAuthorizedForSourceException.
func IsReservedSource(source string) bool { return strings.HasPrefix(source, "aws.") }
