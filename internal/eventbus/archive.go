package eventbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Archive states (the model's ArchiveState).
const (
	ArchiveEnabled      = "ENABLED"
	ArchiveDisabled     = "DISABLED"
	ArchiveCreating     = "CREATING"
	ArchiveUpdating     = "UPDATING"
	ArchiveCreateFailed = "CREATE_FAILED"
	ArchiveUpdateFailed = "UPDATE_FAILED"
)

// ArchiveRuleManager is the ManagedBy of the rule AWS creates on an
// archive's bus to feed the archive.
const ArchiveRuleManager = "prod.vhs.events.aws.internal"

// ReplayNameField is the envelope field AWS adds to a replayed event.
const ReplayNameField = "replay-name"

// An Archive keeps the events of one bus that match its pattern, for
// replay. It is stored under (Account, Name); the events themselves are in
// an ArchiveLog under the archive's ID.
type Archive struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// Bus is the source bus, in Account (AWS archives only buses of the
	// archive's own account).
	Bus          string `json:"bus"`
	Description  string `json:"description,omitempty"`
	EventPattern string `json:"eventPattern,omitempty"`
	// RetentionDays: 0 keeps events forever.
	RetentionDays int64     `json:"retentionDays"`
	State         string    `json:"state"`
	StateReason   string    `json:"stateReason,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

// ARN returns the archive's ARN in region.
func (a Archive) ARN(region string) string { return ArchiveARN(region, a.Account, a.Name) }

// ID names the archive's events in an ArchiveLog: derived from the
// account and name only, so every process finds the same events.
func (a Archive) ID() string { return ArchiveID(a.Account, a.Name) }

// Retention is how long the archive keeps an event; 0 is forever.
func (a Archive) Retention() time.Duration {
	return time.Duration(a.RetentionDays) * 24 * time.Hour
}

// RuleName is the name of the managed rule feeding the archive.
func (a Archive) RuleName() string { return ArchiveRuleName(a.Name) }

// ArchiveARN returns an archive's ARN: arn:aws:events:<region>:<account>:archive/<name>.
func ArchiveARN(region, account, name string) string {
	return "arn:aws:events:" + region + ":" + account + ":archive/" + name
}

// ArchiveRef returns the account and name an archive ARN designates; ok is
// false for anything else.
func ArchiveRef(arn string) (account, name string, ok bool) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "events" || !IsAccountID(a.Account) {
		return "", "", false
	}
	name, found := strings.CutPrefix(a.Resource, "archive/")
	if !found || name == "" {
		return "", "", false
	}
	return a.Account, name, true
}

// ArchiveID is the ArchiveLog name of the archive (account, name): a hash,
// since archive names may hold characters storage names may not.
func ArchiveID(account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return hex.EncodeToString(sum[:12])
}

// ArchiveRuleName is the name AWS gives the managed rule feeding an archive.
func ArchiveRuleName(archive string) string { return "Events-Archive-" + archive }

// ArchiveRulePattern returns the pattern of the managed rule feeding an
// archive whose own pattern is pattern (empty: every event): the archive's
// pattern with "replay-name" required absent, since replayed events are
// never archived again. pattern must be a JSON object (PutRule's checks
// have passed).
func ArchiveRulePattern(pattern string) (string, error) {
	fields := map[string]json.RawMessage{}
	if pattern != "" {
		d := json.NewDecoder(strings.NewReader(pattern))
		d.UseNumber()
		if err := d.Decode(&fields); err != nil {
			return "", err
		}
	}
	fields[ReplayNameField] = json.RawMessage(`[{"exists":false}]`)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// Replay states (the model's ReplayState).
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCancelled  = "CANCELLED"
	ReplayCompleted  = "COMPLETED"
	ReplayFailed     = "FAILED"
)

// DefaultMaxActiveReplays bounds the replays of one account in STARTING,
// RUNNING or CANCELLING at once (AWS: 10).
const DefaultMaxActiveReplays = 10

// A Replay sends an archive's events whose time lies in [EventStart,
// EventEnd) back to the archive's bus, to all its rules or only those in
// FilterArns. It is stored under (Account, Name) and is also its own
// progress record: Seq is the archive position replayed up to.
type Replay struct {
	Name        string `json:"name"`
	Account     string `json:"account"`
	Description string `json:"description,omitempty"`
	// Archive is the source archive's name, Bus the destination bus (the
	// archive's own), both in Account.
	Archive    string    `json:"archive"`
	Bus        string    `json:"bus"`
	FilterArns []string  `json:"filterArns,omitempty"`
	EventStart time.Time `json:"eventStart"`
	EventEnd   time.Time `json:"eventEnd"`
	State      string    `json:"state"`
	// StateReason says why a replay failed.
	StateReason  string    `json:"stateReason,omitempty"`
	StartedAt    time.Time `json:"startedAt"`
	EndedAt      time.Time `json:"endedAt,omitzero"`
	LastReplayed time.Time `json:"lastReplayed,omitzero"`
	// Seq is the archive position of the last event replayed (0: none
	// yet); LastSeq the archive's last position when the replay began
	// running, which it replays up to.
	Seq     uint64 `json:"seq,omitempty"`
	LastSeq uint64 `json:"lastSeq,omitempty"`
	// Replayed counts the events sent to the bus so far.
	Replayed int64 `json:"replayed,omitempty"`
}

// ARN returns the replay's ARN: arn:aws:events:<region>:<account>:replay/<name>.
func (r Replay) ARN(region string) string {
	return "arn:aws:events:" + region + ":" + r.Account + ":replay/" + r.Name
}

// Active reports whether the replay is still going or stopping.
func (r Replay) Active() bool {
	return r.State == ReplayStarting || r.State == ReplayRunning || r.State == ReplayCancelling
}

// An ArchivedEvent is one event of an ArchiveLog, with its position.
type ArchivedEvent struct {
	Seq   uint64
	Event Event
}

// ArchiveStats are an archive's stored totals.
type ArchiveStats struct {
	Events int64
	Bytes  int64
	// LastSeq is the position of the newest event (0: none yet).
	LastSeq uint64
}

// ErrNoArchive is returned by ArchiveLog methods for an archive that was
// never opened or was dropped.
var ErrNoArchive = errors.New("eventbus: no such archive")

// An ArchiveLog keeps the events of every archive durably, each archive
// apart, under the retention Open gave it (enforced by the storage: an
// expired event is simply gone). Each Append gets a position (events
// appended together, or at the same time, may share one); positions grow.
type ArchiveLog interface {
	// Open creates the archive id, or updates its retention (0: forever).
	Open(ctx context.Context, id string, retention time.Duration) error
	// Drop removes the archive and its events; dropping a missing archive
	// is not an error.
	Drop(ctx context.Context, id string) error
	// Append stores events in the archive and returns once they are
	// durable; ErrNoArchive if the archive is missing. An event appended
	// twice may be stored twice.
	Append(ctx context.Context, id string, events []Event) error
	// Stats returns the archive's totals; ErrNoArchive if missing.
	Stats(ctx context.Context, id string) (ArchiveStats, error)
	// Scan hands fn the archive's events at positions from..to in order,
	// every event of one position before any of the next, until fn
	// returns an error (which Scan returns), the range is done, or ctx
	// ends. Expired positions are skipped. fn's event is valid only until
	// it returns.
	Scan(ctx context.Context, id string, from, to uint64, fn func(ArchivedEvent) error) error
}

// A ScheduleState is a scheduled rule's firing record: the tick it fired
// last, for the schedule it was computed from. Every process firing
// schedules shares it, and moves Last forward by compare-and-set, so each
// tick fires once. Stored under the rule's key.
type ScheduleState struct {
	Account string `json:"account"`
	Bus     string `json:"bus"`
	Rule    string `json:"rule"`
	// Expression is the ScheduleExpression Last belongs to; when the rule's
	// changes, the schedule starts over.
	Expression string `json:"expression"`
	// Last is the last tick fired (or skipped), or the anchor the schedule
	// counts from when none has been yet.
	Last time.Time `json:"last"`
}
