package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A DeadLetterRoute is where a stored dead letter was going: what a
// redrive needs to find the rule's target as it is now.
type DeadLetterRoute struct {
	Account, Bus, RuleArn, TargetID, TargetArn string
}

// RouteOf reads the route of a stored dead letter from its attributes and
// metadata; an error if they are missing (a record not written by
// DeadLetterRecords, such as an undecodable batch's bytes).
func RouteOf(rec eventbus.DeadLetterRecord) (DeadLetterRoute, error) {
	r := DeadLetterRoute{Account: rec.Headers[MetaAccount], Bus: rec.Headers[MetaBus], RuleArn: rec.Headers[AttrRuleArn],
		TargetID: rec.Headers[MetaTargetID], TargetArn: rec.Headers[AttrTargetArn]}
	if r.Account == "" || r.Bus == "" || r.RuleArn == "" || r.TargetID == "" || rec.Headers[MetaEventID] == "" {
		return r, errors.New("dead letter does not name its event, rule and target")
	}
	return r, nil
}

// RedriveJob rebuilds the job of a stored dead letter so that it is
// delivered again to target (the rule's target as it is now, looked up by
// the caller): the event keeps its id and envelope; it is a first attempt,
// enqueued at now, whose retry age (MaximumEventAgeInSeconds) counts from
// now, since the original ingestion time may be past it already.
func RedriveJob(rec eventbus.DeadLetterRecord, target eventbus.Target, now time.Time) (Job, error) {
	r, err := RouteOf(rec)
	if err != nil {
		return Job{}, err
	}
	if len(rec.Body) == 0 {
		return Job{}, errors.New("dead letter holds no event")
	}
	return Job{
		Account: r.Account, Bus: r.Bus, RuleArn: r.RuleArn, Target: target,
		Event:      eventbus.Event{ID: rec.Headers[MetaEventID], Envelope: rec.Body, IngestedAt: now},
		EnqueuedAt: now,
	}, nil
}

// EnqueueRedrive enqueues jobs rebuilt by RedriveJob under de-duplication
// ids of their own (the batch's id prefixed with "redrive/" and stamp), so
// the queue does not take them for the batch that first carried them.
// stamp should differ per redrive (the time, say).
func (p Producer) EnqueueRedrive(ctx context.Context, jobs []Job, stamp string) error {
	b := Batch{Jobs: jobs}
	parts, err := b.Encode(min(MaxBatchBytes, p.Queue.Limits().MaxMessageBytes))
	if err != nil {
		return err
	}
	msgs := make([]eventbus.QueueMessage, len(parts))
	for i, part := range parts {
		msgs[i] = eventbus.QueueMessage{ID: fmt.Sprintf("redrive/%s/%s", stamp, part.ID), Data: part.Data}
	}
	return p.Queue.Enqueue(ctx, msgs)
}
