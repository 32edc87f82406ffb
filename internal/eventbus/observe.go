package eventbus

// An IngestCount is what became of the entries of one PutEvents or
// PutPartnerEvents request that went to one bus, for metrics.
type IngestCount struct {
	// Account and Bus are where the events went: the bus owner's account
	// and the bus name (for a partner event, the customer's account and
	// the partner event source's name). Both are "" for entries refused
	// before their bus was known.
	Account, Bus string
	// Source is the partner event source of PutPartnerEvents entries; ""
	// for PutEvents, whose Source is the caller's free text.
	Source string
	// Stored entries were appended to the event log; Dropped were accepted
	// with an EventId and not stored (a bus that does not exist, a partner
	// source that is not ACTIVE); Failed got an error entry, or lost their
	// EventId when the request failed as a whole.
	Stored, Dropped, Failed int
}

// An IngestObserver is told the IngestCounts of every request that got
// past its whole-request checks, one call per bus. It is called on the
// request's goroutine, from many at once, and must not block.
type IngestObserver interface {
	Ingested(op string, c IngestCount)
}

// A PartnerCount is what became of the entries of one PutPartnerEvents
// request that named one partner event source the caller owns, or (Source
// "") of the entries that named none it owns.
type PartnerCount struct {
	Source string
	// Stored and Dropped are as in IngestCount; Failed entries got Code as
	// their ErrorCode (InternalFailure for those that lost their EventId
	// when the request failed as a whole).
	Stored, Dropped, Failed int
	Code                    string
}

// A PartnerObserver is told what a partner account's PutPartnerEvents
// requests became, for the partner's own dashboard: one PartnerIngested
// call per source and outcome of each request that got past its
// whole-request checks, and one Throttled call per request refused whole
// with ThrottlingException. Called on the request's goroutine, from many
// at once; it must not block.
type PartnerObserver interface {
	PartnerIngested(partnerAccount string, c PartnerCount)
	Throttled(partnerAccount string)
}
