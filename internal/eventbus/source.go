package eventbus

import (
	"strings"
	"time"
)

// Partner event source states, as DescribeEventSource reports them.
const (
	StatePending = "PENDING"
	StateActive  = "ACTIVE"
	StateDeleted = "DELETED"
)

// DefaultSourceExpiry is how long a partner event source may stay PENDING
// before it expires, as on AWS (two weeks).
const DefaultSourceExpiry = 14 * 24 * time.Hour

// A Source is a partner event source: created by a SaaS partner account for
// one customer account, under a globally unique name.
//
// Its state is not stored: it is derived (see Status) from the record and
// from whether the customer's matching partner bus exists, so the two can
// never disagree after a crash between two writes.
type Source struct {
	Name string `json:"name"`
	// Partner is the partner name, the segment after "aws.partner/"; it is
	// what DescribeEventSource reports as CreatedBy.
	Partner        string    `json:"partner"`
	PartnerAccount string    `json:"partnerAccount"`
	Account        string    `json:"account"` // the customer
	CreatedAt      time.Time `json:"createdAt"`
	// PendingSince is when the source last became PENDING (creation,
	// deactivation, or deletion of the partner bus): expiry counts from it.
	PendingSince time.Time `json:"pendingSince"`
	// Deactivated is set by DeactivateEventSource, cleared by
	// ActivateEventSource and by creating the partner bus.
	Deactivated bool `json:"deactivated,omitempty"`
	// Deleted is set when the partner deleted the source while the customer's
	// bus existed: the customer keeps seeing it as DELETED.
	Deleted bool `json:"deleted,omitempty"`
	// DeletedAt is when the partner deleted it (set with Deleted; zero in
	// records written before it existed).
	DeletedAt time.Time `json:"deletedAt,omitzero"`
}

// A SourceStatus is what the customer sees of a source at one instant.
type SourceStatus struct {
	State string
	// Expires is when a PENDING source expires; zero otherwise.
	Expires time.Time
	// Gone reports that the source no longer exists for anyone: it was
	// deleted or expired, and no partner bus keeps it visible as DELETED.
	Gone bool
}

// Status derives the source's state at now, given whether the customer's
// partner bus of the same name exists and how long sources may stay pending.
func (s Source) Status(busExists bool, now time.Time, expiry time.Duration) SourceStatus {
	if s.Deleted {
		return SourceStatus{State: StateDeleted, Gone: !busExists}
	}
	if busExists && !s.Deactivated {
		return SourceStatus{State: StateActive}
	}
	expires := s.PendingSince.Add(expiry)
	if !now.Before(expires) {
		return SourceStatus{State: StateDeleted, Gone: !busExists}
	}
	return SourceStatus{State: StatePending, Expires: expires}
}

// VisibleToPartner reports whether the partner still owns the source: it has
// neither deleted it nor let it expire.
func (st SourceStatus) VisibleToPartner() bool { return st.State != StateDeleted }

// PartnerName returns the partner segment of a source name
// ("acme" for "aws.partner/acme/ns/event"), and false when the name has no
// such segment.
func PartnerName(sourceName string) (string, bool) {
	rest, ok := strings.CutPrefix(sourceName, "aws.partner/")
	if !ok {
		return "", false
	}
	partner, _, ok := strings.Cut(rest, "/")
	if !ok || partner == "" {
		return "", false
	}
	return partner, true
}

// A PartnerSourceView is what a partner's dashboard shows of one of its
// sources: the customer it was created for, the state that customer sees,
// and when the source and the customer's partner bus were created. It says
// nothing else of the customer's bus (no rules, targets or events).
type PartnerSourceView struct {
	Name      string
	Account   string // the customer
	State     string
	CreatedAt time.Time
	// Expires is when a PENDING source expires; zero otherwise.
	Expires time.Time
	// BusCreatedAt is when the customer's partner bus was created; zero
	// when it does not exist.
	BusCreatedAt time.Time
	// PendingSince is when the source last became PENDING (its creation,
	// or the customer deactivating it or deleting its bus).
	PendingSince time.Time
	// DeletedAt is when the partner deleted it (zero if it did not, or
	// before this was recorded).
	DeletedAt time.Time
}
