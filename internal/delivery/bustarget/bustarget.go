// Package bustarget delivers events to event buses: the target kind
// arn:aws:events:<region>:<account>:event-bus/<name>, in the rule's account
// or another one. A delivered event is appended to the event log for the
// receiving bus, keeping its id and envelope, one hop further; its rules
// then route it like any other event.
//
// It reads buses through eventbus.Records and appends through
// eventbus.EventLog; it knows nothing of the storage behind them.
package bustarget

import (
	"context"
	"errors"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// KindName names the kind in logs.
const KindName = "event-bus"

// Config is what a Sender needs.
type Config struct {
	// Region is the region this switchyard serves; a bus in another region
	// cannot be delivered to.
	Region string
	// Buses are the stored event buses.
	Buses *eventbus.Records[eventbus.Bus]
	// Log is the event log the receiving bus's events go to.
	Log eventbus.EventLog
	// PolicyAllows decides whether a bus's policy lets another account put
	// events on it (eventbus.PolicyAllows). Nil refuses every cross-account
	// delivery.
	PolicyAllows func(policy, principalAccount, action string) bool
	// Now stamps the forwarded event's IngestedAt: time.Now if nil.
	Now func() time.Time
}

// A Sender delivers to event-bus targets. Safe for concurrent use.
type Sender struct {
	cfg Config
}

var _ delivery.Sender = (*Sender)(nil)

// New returns a Sender.
func New(cfg Config) *Sender {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sender{cfg: cfg}
}

// Accepts reports whether a is an event bus ARN.
func Accepts(a eventbus.ARN) bool {
	_, ok := eventbus.ParseBusTarget("arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource)
	return ok
}

// Kind returns the delivery kind of s. It is raw: AWS forwards the original
// event to a bus target, so Input, InputPath and InputTransformer do not
// apply (PutTargets refuses them for bus targets).
func (s *Sender) Kind() delivery.Kind {
	return delivery.Kind{Name: KindName, Accepts: Accepts, Sender: s, RawEvent: true}
}

// Send puts the job's event on the target bus: same id and envelope,
// Hops+1, ingested now. It fails, without retry, with
// CROSS_REGION_INGESTION_FAILED for a bus in another region;
// THIRD_ACCOUNT_HOP_DETECTED when the event has already crossed
// eventbus.MaxHops buses; NO_RESOURCE when the bus does not exist (AWS does
// not retry a target that does not exist); INVALID_PARAMETER for a partner
// bus (only its event source puts events on it); NO_PERMISSIONS when the
// bus belongs to another account whose policy does not allow the rule's
// account events:PutEvents. Storage failures are retryable INTERNAL_ERROR.
func (s *Sender) Send(ctx context.Context, d delivery.Delivery) error {
	j := d.Job
	bt, ok := eventbus.ParseBusTarget(j.Target.Arn)
	if !ok {
		return delivery.Permanent(delivery.CodeInvalidParameter, "%s is not an event bus ARN", j.Target.Arn)
	}
	if bt.Region != s.cfg.Region {
		return delivery.Permanent(delivery.CodeCrossRegionIngestionFailed,
			"Event bus %s is in region %s; this switchyard serves %s.", bt.Bus, bt.Region, s.cfg.Region)
	}
	if int(j.Event.Hops)+1 > eventbus.MaxHops {
		return delivery.Permanent(delivery.CodeThirdAccountHopDetected,
			"Event %s has already been routed through %d event buses; it is not forwarded further.", j.Event.ID, j.Event.Hops)
	}
	bus, err := s.bus(ctx, bt.Account, bt.Bus)
	if err != nil {
		return err
	}
	if bus.IsPartner() {
		return delivery.Permanent(delivery.CodeInvalidParameter,
			"Event bus %s is a partner event bus; only its event source can put events on it.", bt.Bus)
	}
	if bt.Account != j.Account && (s.cfg.PolicyAllows == nil || !s.cfg.PolicyAllows(bus.Policy, j.Account, eventbus.ActionPutEvents)) {
		return delivery.Permanent(delivery.CodeNoPermissions,
			"Account %s is not authorized to put events on event bus %s.", j.Account, j.Target.Arn)
	}
	ev := j.Event
	ev.Hops++
	ev.IngestedAt = s.cfg.Now().UTC()
	if err := s.cfg.Log.Append(ctx, []eventbus.BusEvent{{Account: bt.Account, Bus: bt.Bus, Event: ev}}); err != nil {
		return delivery.Retryable(delivery.CodeInternalError, "appending to event bus %s: %v", j.Target.Arn, err)
	}
	return nil
}

// bus reads a bus record.
func (s *Sender) bus(ctx context.Context, account, name string) (eventbus.Bus, error) {
	b, _, err := s.cfg.Buses.Get(ctx, account, name)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return eventbus.Bus{}, delivery.Permanent(delivery.CodeNoResource, "Event bus %s does not exist.", name)
	case err != nil:
		return eventbus.Bus{}, delivery.Retryable(delivery.CodeInternalError, "reading event bus %s: %v", name, err)
	}
	return b, nil
}
