package api_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/eventbus"
)

func describePolicy(t *testing.T, c *eventbridge.Client, bus string) string {
	t.Helper()
	in := &eventbridge.DescribeEventBusInput{}
	if bus != "" {
		in.Name = aws.String(bus)
	}
	d, err := c.DescribeEventBus(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.Policy)
}

// TestPermissions grants and revokes PutEvents on the default and a custom
// bus and checks the policy document AWS renders, word for word.
func TestPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	for _, bus := range []string{"", "orders"} {
		name := bus
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			var ref *string
			if bus != "" {
				ref = aws.String(bus)
			}
			busARN := eventbus.BusARN("us-east-1", customerAcct, name)
			if p := describePolicy(t, c, bus); p != "" {
				t.Fatalf("new bus has a policy: %s", p)
			}
			must[*eventbridge.PutPermissionOutput](t)(c.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: ref,
				Action: aws.String("events:PutEvents"), Principal: aws.String(otherAcct), StatementId: aws.String("acct")}))
			must[*eventbridge.PutPermissionOutput](t)(c.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: ref,
				Action: aws.String("events:PutEvents"), Principal: aws.String("*"), StatementId: aws.String("org"),
				Condition: &types.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String("o-1234567890")}}))
			want := `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + otherAcct + `:root"},"Action":"events:PutEvents","Resource":"` + busARN + `"},` +
				`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + busARN + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1234567890"}}}]}`
			got := describePolicy(t, c, bus)
			if got != want {
				t.Fatalf("policy:\n got  %s\n want %s", got, want)
			}
			if !eventbus.PolicyAllows(got, otherAcct, "events:PutEvents") || eventbus.PolicyAllows(got, partnerAcct, "events:PutEvents") {
				t.Errorf("PolicyAllows on the stored policy is wrong")
			}
			l := must[*eventbridge.ListEventBusesOutput](t)(c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String(name)}))
			if len(l.EventBuses) != 1 || aws.ToString(l.EventBuses[0].Policy) != want {
				t.Fatalf("ListEventBuses policy: %+v", l.EventBuses)
			}

			// Same StatementId again replaces the statement in place.
			must[*eventbridge.PutPermissionOutput](t)(c.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: ref,
				Action: aws.String("events:PutEvents"), Principal: aws.String(partnerAcct), StatementId: aws.String("acct")}))
			got = describePolicy(t, c, bus)
			if !eventbus.PolicyAllows(got, partnerAcct, "events:PutEvents") || eventbus.PolicyAllows(got, otherAcct, "events:PutEvents") {
				t.Fatalf("replaced statement: %s", got)
			}

			must[*eventbridge.RemovePermissionOutput](t)(c.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: ref, StatementId: aws.String("org")}))
			_, err := c.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: ref, StatementId: aws.String("org")})
			wantAPIError(t, err, "ResourceNotFoundException", "Statement with the provided id does not exist.")
			must[*eventbridge.RemovePermissionOutput](t)(c.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: ref, StatementId: aws.String("acct")}))
			if p := describePolicy(t, c, bus); p != "" {
				t.Fatalf("policy after removing every statement: %s", p)
			}

			// A whole document replaces the policy; RemoveAllPermissions drops it.
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"svc","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"events:ListRules","Resource":"*"}]}`
			must[*eventbridge.PutPermissionOutput](t)(c.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: ref, Policy: aws.String(doc)}))
			if p := describePolicy(t, c, bus); p != doc {
				t.Fatalf("policy from a document:\n got  %s\n want %s", p, doc)
			}
			must[*eventbridge.RemovePermissionOutput](t)(c.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: ref, RemoveAllPermissions: true}))
			if p := describePolicy(t, c, bus); p != "" {
				t.Fatalf("policy after RemoveAllPermissions: %s", p)
			}
			_, err = c.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: ref, RemoveAllPermissions: true})
			wantAPIError(t, err, "ResourceNotFoundException", "EventBus does not have a policy.")
		})
	}
}

// TestPermissionIsolation checks that a policy is per bus and per account.
func TestPermissionIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	owner, other := clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.CreateEventBusOutput](t)(owner.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.PutPermissionOutput](t)(owner.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"),
		Action: aws.String("events:PutEvents"), Principal: aws.String(otherAcct), StatementId: aws.String("s")}))
	if p := describePolicy(t, owner, ""); p != "" {
		t.Errorf("default bus got the custom bus's policy: %s", p)
	}
	_, err := other.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("s")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")
	_, err = other.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"),
		Action: aws.String("events:PutEvents"), Principal: aws.String(otherAcct), StatementId: aws.String("mine")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")
	if p := describePolicy(t, other, ""); p != "" {
		t.Errorf("other account's default bus has a policy: %s", p)
	}
	if p := describePolicy(t, owner, "orders"); !eventbus.PolicyAllows(p, otherAcct, eventbus.ActionPutEvents) {
		t.Errorf("owner's policy changed: %s", p)
	}
}
