package api_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestPartnerSourceLifecycle walks the state machine of FACTS.md from both
// sides: PENDING → ACTIVE (bus created) → PENDING (deactivated) → ACTIVE →
// PENDING (bus deleted) → ACTIVE → DELETED (partner deletes) → gone.
func TestPartnerSourceLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)

	before := time.Now().Add(-time.Second)
	created := must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	if want := "arn:aws:events:us-east-1::event-source/" + srcName; aws.ToString(created.EventSourceArn) != want {
		t.Fatalf("EventSourceArn %q, want %q", aws.ToString(created.EventSourceArn), want)
	}
	_, err := partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "Event source "+srcName+" already exists.")

	d := describeState(t, customer, srcName)
	if d.State != types.EventSourceStatePending || aws.ToString(d.CreatedBy) != "acme.com" || aws.ToString(d.Name) != srcName {
		t.Fatalf("new source: %+v", d)
	}
	if d.CreationTime == nil || d.CreationTime.Before(before) || d.ExpirationTime == nil {
		t.Fatalf("new source times: created %v expires %v", d.CreationTime, d.ExpirationTime)
	}
	if got := d.ExpirationTime.Sub(*d.CreationTime); got != 14*24*time.Hour {
		t.Errorf("expiry after %v, want two weeks", got)
	}

	bus := must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	if want := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/" + srcName; aws.ToString(bus.EventBusArn) != want {
		t.Fatalf("EventBusArn %q, want %q", aws.ToString(bus.EventBusArn), want)
	}
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStateActive || d.ExpirationTime != nil {
		t.Fatalf("after bus creation: %s, expires %v", d.State, d.ExpirationTime)
	}

	must[*eventbridge.DeactivateEventSourceOutput](t)(customer.DeactivateEventSource(ctx, &eventbridge.DeactivateEventSourceInput{Name: aws.String(srcName)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStatePending || d.ExpirationTime == nil {
		t.Fatalf("after deactivate: %s, expires %v", d.State, d.ExpirationTime)
	}
	must[*eventbridge.ActivateEventSourceOutput](t)(customer.ActivateEventSource(ctx, &eventbridge.ActivateEventSourceInput{Name: aws.String(srcName)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStateActive {
		t.Fatalf("after activate: %s", d.State)
	}

	must[*eventbridge.DeleteEventBusOutput](t)(customer.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String(srcName)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStatePending {
		t.Fatalf("after bus deletion: %s", d.State)
	}
	_, err = customer.ActivateEventSource(ctx, &eventbridge.ActivateEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event source "+srcName+" or event bus "+srcName+" does not exist.")

	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStateActive {
		t.Fatalf("after bus re-creation: %s", d.State)
	}

	must[*eventbridge.DeletePartnerEventSourceOutput](t)(partner.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStateDeleted {
		t.Fatalf("after partner deletion: %s", d.State)
	}
	_, err = partner.DescribePartnerEventSource(ctx, &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event source "+srcName+" does not exist.")
	_, err = customer.ActivateEventSource(ctx, &eventbridge.ActivateEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "InvalidStateException", "")

	must[*eventbridge.DeleteEventBusOutput](t)(customer.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String(srcName)}))
	_, err = customer.DescribeEventSource(ctx, &eventbridge.DescribeEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event source "+srcName+" does not exist.")

	// Once gone, the partner may create the name again.
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
}

// TestPartnerSourceExpires checks that a source left PENDING past its expiry
// disappears for both sides, using an injected clock.
func TestPartnerSourceExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	m := startServer(t, func(c *api.Config) { c.Now = clock; c.SourceExpiry = time.Hour })
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	d := describeState(t, customer, srcName)
	if !d.ExpirationTime.Equal(now.Add(time.Hour)) {
		t.Fatalf("ExpirationTime %v, want %v", d.ExpirationTime, now.Add(time.Hour))
	}
	now = now.Add(time.Hour)
	_, err := customer.DescribeEventSource(ctx, &eventbridge.DescribeEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = partner.DescribePartnerEventSource(ctx, &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	list := must[*eventbridge.ListEventSourcesOutput](t)(customer.ListEventSources(ctx, &eventbridge.ListEventSourcesInput{}))
	if len(list.EventSources) != 0 {
		t.Fatalf("expired source still listed: %+v", list.EventSources)
	}
}

// TestAccountIsolation checks that three accounts see only what the
// partner/customer relation allows.
func TestAccountIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer, other := clientFor(m, partnerAcct), clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))

	// The other account sees neither the source nor the customer's bus.
	_, err := other.DescribeEventSource(ctx, &eventbridge.DescribeEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event source "+srcName+" does not exist.")
	if l := must[*eventbridge.ListEventSourcesOutput](t)(other.ListEventSources(ctx, &eventbridge.ListEventSourcesInput{})); len(l.EventSources) != 0 {
		t.Errorf("other account lists %d sources", len(l.EventSources))
	}
	_, err = other.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "Event source "+srcName+" does not exist.")
	_, err = other.ActivateEventSource(ctx, &eventbridge.ActivateEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	busARN := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders"
	_, err = other.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(busARN)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = other.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(busARN), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	must[*eventbridge.DeleteEventBusOutput](t)(other.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.DescribeEventBusOutput](t)(customer.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(busARN)}))

	// The customer cannot act as the partner, and another partner account
	// cannot see or delete the source.
	_, err = customer.DescribePartnerEventSource(ctx, &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = other.ListPartnerEventSourceAccounts(ctx, &eventbridge.ListPartnerEventSourceAccountsInput{EventSourceName: aws.String(srcName)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = other.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "AccessDeniedException", "")
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStatePending {
		t.Fatalf("another account's delete changed the source: %s", d.State)
	}
	l := must[*eventbridge.ListPartnerEventSourcesOutput](t)(other.ListPartnerEventSources(ctx, &eventbridge.ListPartnerEventSourcesInput{NamePrefix: aws.String("aws.partner/acme.com/")}))
	if len(l.PartnerEventSources) != 0 {
		t.Errorf("other partner lists %d sources", len(l.PartnerEventSources))
	}
	accts := must[*eventbridge.ListPartnerEventSourceAccountsOutput](t)(partner.ListPartnerEventSourceAccounts(ctx, &eventbridge.ListPartnerEventSourceAccountsInput{EventSourceName: aws.String(srcName)}))
	if len(accts.PartnerEventSourceAccounts) != 1 || aws.ToString(accts.PartnerEventSourceAccounts[0].Account) != customerAcct || accts.PartnerEventSourceAccounts[0].State != types.EventSourceStatePending {
		t.Errorf("ListPartnerEventSourceAccounts: %+v", accts.PartnerEventSourceAccounts)
	}
}

// TestDeletePartnerEventSourceOfAnotherPartner: a partner account deleting
// a source it does not own is refused with AccessDeniedException, and the
// source stays as it was.
func TestDeletePartnerEventSourceOfAnotherPartner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer, other := clientFor(m, partnerAcct), clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))

	_, err := other.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "AccessDeniedException", "User: arn:aws:iam::"+otherAcct+":root is not authorized to perform: events:DeletePartnerEventSource on resource: arn:aws:events:us-east-1::event-source/"+srcName)
	if d := describeState(t, customer, srcName); d.State != types.EventSourceStatePending {
		t.Fatalf("another partner's delete changed the source: %s", d.State)
	}
	must[*eventbridge.DescribePartnerEventSourceOutput](t)(partner.DescribePartnerEventSource(ctx, &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(srcName)}))

	// A caller whose credentials do not grant the name's partner is refused
	// whether or not the source exists (dev credentials grant every partner,
	// so this caller is set directly).
	restricted := eventbus.WithCaller(ctx, eventbus.Caller{AccessKeyID: "AKIDOTHER", Account: otherAcct, Partners: []string{"other.com"}})
	for _, name := range []string{srcName, "aws.partner/acme.com/no/such"} {
		err := m.service.DeletePartnerEventSource(restricted, &apimodel.DeletePartnerEventSourceRequest{Name: aws.String(name), Account: aws.String(customerAcct)})
		var e *awserr.Error
		if !errors.As(err, &e) || e.Code != awserr.AccessDenied {
			t.Errorf("delete %s by a caller without its partner: %v, want AccessDeniedException", name, err)
		}
	}

	// The owner's delete still works, and deleting again (or a source that
	// never existed) is a no-op, as the operation has no not-found error.
	for range 2 {
		must[*eventbridge.DeletePartnerEventSourceOutput](t)(partner.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	}
	must[*eventbridge.DeletePartnerEventSourceOutput](t)(partner.DeletePartnerEventSource(ctx, &eventbridge.DeletePartnerEventSourceInput{Name: aws.String("aws.partner/acme.com/no/such"), Account: aws.String(customerAcct)}))
}
