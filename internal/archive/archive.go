// Package archive owns the running half of EventBridge archives and
// replays: the target kind that stores the events an archive's managed rule
// matched in the archive's log, and the Replayer that sends an archive's
// events back to its bus.
//
// A replay is a job of a durable work queue shared by every process on the
// NATS (eventbus.Queue): whichever process takes it runs it, keeping its
// ack wait open while it works and writing its progress (the archive
// position replayed up to) into the replay's record after each batch. If
// that process dies, the queue hands the job to another process (or to the
// same one restarted), which carries on from the recorded position: events
// after it may be sent twice, within at-least-once, and the delivery
// queue's de-duplication window drops most such doubles.
//
// Replayed events are routed against the bus's current rules (all of
// them, or those in the replay's FilterArns) by the router's table, and
// enqueued for delivery like any routed event. They carry "replay-name",
// so the archive rules, whose patterns exclude it, never archive them
// again.
//
// This package never serves the API (package api stores archives and
// replays), never matches patterns itself, and never touches storage
// directly: the archive log, the queue and the records are interfaces.
package archive

import (
	"context"
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// KindName names the archive target kind in logs.
const KindName = "archive"

// A Sender stores events in archives: the target of every archive's
// managed rule. The router hands it those targets' jobs directly (Deliver);
// as a delivery kind (Send) it takes those queued before. Safe for
// concurrent use.
type Sender struct {
	log eventbus.ArchiveLog
}

var _ delivery.Sender = (*Sender)(nil)

// NewSender returns a Sender appending to log.
func NewSender(log eventbus.ArchiveLog) *Sender { return &Sender{log: log} }

// Kind returns the archive target kind: archive ARNs, given the event as
// it is.
func (s *Sender) Kind() delivery.Kind {
	return delivery.Kind{Name: KindName, Accepts: Accepts, Sender: s, RawEvent: true}
}

// Accepts reports whether a is an archive ARN.
func Accepts(a eventbus.ARN) bool {
	return a.Service == "events" && strings.HasPrefix(a.Resource, "archive/")
}

// Accepts reports whether targetArn is an archive's (router.Inline).
func (s *Sender) Accepts(targetArn string) bool {
	_, _, ok := eventbus.ArchiveRef(targetArn)
	return ok
}

// Deliver stores the events of jobs in their archives, each archive's in
// one append (router.Inline: the router archives a log batch's events in
// the batch's own step, without the delivery queue). Events for archives
// that no longer exist are dropped, as Send drops them.
func (s *Sender) Deliver(ctx context.Context, jobs []delivery.Job) error {
	byArchive := map[string][]eventbus.Event{}
	var order []string
	for _, j := range jobs {
		account, name, _ := eventbus.ArchiveRef(j.Target.Arn)
		id := eventbus.ArchiveID(account, name)
		if _, seen := byArchive[id]; !seen {
			order = append(order, id)
		}
		byArchive[id] = append(byArchive[id], j.Event)
	}
	for _, id := range order {
		if err := s.log.Append(ctx, id, byArchive[id]); err != nil && !errors.Is(err, eventbus.ErrNoArchive) {
			return err
		}
	}
	return nil
}

// Send implements delivery.Sender. An event for an archive that no longer
// exists (deleted after the event was routed) is dropped: nobody could
// replay it.
func (s *Sender) Send(ctx context.Context, d delivery.Delivery) error {
	account, name, ok := eventbus.ArchiveRef(d.Job.Target.Arn)
	if !ok {
		return delivery.Permanent(delivery.CodeInvalidParameter, "%s is not an archive ARN.", d.Job.Target.Arn)
	}
	err := s.log.Append(ctx, eventbus.ArchiveID(account, name), []eventbus.Event{d.Job.Event})
	switch {
	case errors.Is(err, eventbus.ErrNoArchive):
		return nil
	case errors.Is(err, eventbus.ErrStorageFull):
		return delivery.Retryable(delivery.CodeResourceLimitExceeded, "The archive's storage is full.")
	}
	return err
}
