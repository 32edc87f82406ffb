package api_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/eventbus"
)

const (
	orderPattern = `{"source":["com.acme.orders"],"detail-type":["OrderPlaced"]}`
	queueARN     = "arn:aws:sqs:us-east-1:" + customerAcct + ":orders"
)

// TestRuleLifecycle walks a rule through every rule operation on the default
// bus and on a custom bus (named by name and by ARN).
func TestRuleLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	busARN := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders"
	for _, bus := range []struct{ name, ref string }{{"default", ""}, {"orders", "orders"}, {"orders", busARN}} {
		t.Run(bus.name+"/"+bus.ref, func(t *testing.T) {
			ref := aws.String(bus.ref)
			if bus.ref == "" {
				ref = nil
			}
			put := must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{
				Name: aws.String("r1"), EventBusName: ref, EventPattern: aws.String(orderPattern),
				Description: aws.String("orders"), RoleArn: aws.String("arn:aws:iam::" + customerAcct + ":role/r"),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
			}))
			arn := ruleARN(customerAcct, bus.name, "r1")
			if aws.ToString(put.RuleArn) != arn {
				t.Fatalf("RuleArn %q, want %q", aws.ToString(put.RuleArn), arn)
			}
			d := must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			if aws.ToString(d.Arn) != arn || aws.ToString(d.EventBusName) != bus.name || aws.ToString(d.CreatedBy) != customerAcct ||
				d.State != types.RuleStateEnabled || aws.ToString(d.EventPattern) != orderPattern || aws.ToString(d.Description) != "orders" ||
				aws.ToString(d.RoleArn) == "" || d.ManagedBy != nil || d.ScheduleExpression != nil {
				t.Fatalf("DescribeRule: %+v", d)
			}
			must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), EventBusName: ref,
				Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}}))

			// An update replaces the settings but keeps targets and tags.
			must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{
				Name: aws.String("r1"), EventBusName: ref, EventPattern: aws.String(`{"source":["x"]}`), State: types.RuleStateDisabled,
				Tags: []types.Tag{{Key: aws.String("ignored"), Value: aws.String("on update")}},
			}))
			d = must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			if d.State != types.RuleStateDisabled || d.Description != nil || d.RoleArn != nil || aws.ToString(d.EventPattern) != `{"source":["x"]}` {
				t.Fatalf("DescribeRule after update: %+v", d)
			}
			tl := must[*eventbridge.ListTargetsByRuleOutput](t)(c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1"), EventBusName: ref}))
			if len(tl.Targets) != 1 {
				t.Fatalf("targets after update: %+v", tl.Targets)
			}
			tags := must[*eventbridge.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)}))
			if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
				t.Fatalf("tags after update: %+v", tags.Tags)
			}

			must[*eventbridge.EnableRuleOutput](t)(c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			wantState(t, c, ref, "r1", types.RuleStateEnabled)
			must[*eventbridge.DisableRuleOutput](t)(c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			wantState(t, c, ref, "r1", types.RuleStateDisabled)

			_, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1"), EventBusName: ref, Force: true})
			wantAPIError(t, err, "ValidationException", "Rule can't be deleted since it has targets.")
			must[*eventbridge.RemoveTargetsOutput](t)(c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r1"), EventBusName: ref, Ids: []string{"q", "absent"}}))
			must[*eventbridge.DeleteRuleOutput](t)(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			must[*eventbridge.DeleteRuleOutput](t)(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1"), EventBusName: ref}))
			_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1"), EventBusName: ref})
			wantAPIError(t, err, "ResourceNotFoundException", "Rule r1 does not exist on EventBus "+bus.name+".")
		})
	}
}

func wantState(t *testing.T, c *eventbridge.Client, bus *string, rule string, want types.RuleState) {
	t.Helper()
	d, err := c.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(rule), EventBusName: bus})
	if err != nil {
		t.Fatal(err)
	}
	if d.State != want {
		t.Fatalf("state %s, want %s", d.State, want)
	}
}

func TestScheduledRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	for _, expr := range []string{"rate(1 minute)", "rate(5 minutes)", "cron(0 18 ? * MON-FRI *)"} {
		must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String(expr)}))
		d := must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("tick")}))
		if aws.ToString(d.ScheduleExpression) != expr || d.EventPattern != nil {
			t.Fatalf("scheduled rule: %+v", d)
		}
	}
	// A pattern and a schedule together are allowed.
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("both"),
		ScheduleExpression: aws.String("rate(1 hour)"), EventPattern: aws.String(orderPattern)}))
	l := must[*eventbridge.ListRulesOutput](t)(c.ListRules(ctx, &eventbridge.ListRulesInput{}))
	if len(l.Rules) != 2 || aws.ToString(l.Rules[1].ScheduleExpression) != "cron(0 18 ? * MON-FRI *)" || aws.ToString(l.Rules[1].EventBusName) != "default" {
		t.Fatalf("ListRules: %+v", l.Rules)
	}
}

// TestPutRuleErrors checks PutRule's refusals word for word through the SDK.
func TestPutRuleErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.CreateEventBusOutput](t)(clientFor(m, otherAcct).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("theirs")}))
	cases := []struct {
		name      string
		in        eventbridge.PutRuleInput
		code, msg string
	}{
		{"neither pattern nor schedule", eventbridge.PutRuleInput{}, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{"empty pattern", eventbridge.PutRuleInput{EventPattern: aws.String("")}, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{"schedule on a custom bus", eventbridge.PutRuleInput{EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(1 minute)")},
			"ValidationException", "ScheduleExpression is supported only on the default event bus."},
		{"empty schedule on a custom bus", eventbridge.PutRuleInput{EventBusName: aws.String("orders"), ScheduleExpression: aws.String(""), EventPattern: aws.String(orderPattern)},
			"ValidationException", "ScheduleExpression is supported only on the default event bus."},
		{"plural with one", eventbridge.PutRuleInput{ScheduleExpression: aws.String("rate(1 minutes)")}, "ValidationException", "Parameter ScheduleExpression is not valid."},
		{"singular with three", eventbridge.PutRuleInput{ScheduleExpression: aws.String("rate(3 minute)")}, "ValidationException", "Parameter ScheduleExpression is not valid."},
		{"cron with both day fields", eventbridge.PutRuleInput{ScheduleExpression: aws.String("cron(7 20 * * 1-7 *)")}, "ValidationException", "Parameter ScheduleExpression is not valid."},
		{"pattern not an object or array", eventbridge.PutRuleInput{EventPattern: aws.String(`{"source": "x"}`)}, "InvalidEventPatternException",
			"Event pattern is not valid. Reason: \"source\" must be an object or an array\n at [Source: (String)\"{\"source\": \"x\"}\"; line: 1, column: 13]"},
		{"pattern not json", eventbridge.PutRuleInput{EventPattern: aws.String(`not json`)}, "InvalidEventPatternException",
			"Event pattern is not valid. Reason: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not json\"; line: 1, column: 4]"},
		{"missing bus", eventbridge.PutRuleInput{EventBusName: aws.String("nope"), EventPattern: aws.String(orderPattern)}, "ResourceNotFoundException", "Event bus nope does not exist."},
		{"another account's bus", eventbridge.PutRuleInput{EventBusName: aws.String("arn:aws:events:us-east-1:" + otherAcct + ":event-bus/theirs"), EventPattern: aws.String(orderPattern)},
			"ResourceNotFoundException", "Event bus arn:aws:events:us-east-1:" + otherAcct + ":event-bus/theirs does not exist."},
		{"bad state", eventbridge.PutRuleInput{EventPattern: aws.String(orderPattern), State: "ON"}, "ValidationException",
			"1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"},
	}
	t.Run("refused", func(t *testing.T) { // returns when every case has
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				in := tc.in
				in.Name = aws.String("bad")
				_, err := c.PutRule(ctx, &in)
				wantAPIError(t, err, tc.code, tc.msg)
			})
		}
	})
	for _, bus := range []string{"default", "orders"} {
		l := must[*eventbridge.ListRulesOutput](t)(c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus)}))
		if len(l.Rules) != 0 {
			t.Errorf("refused PutRule calls stored rules on %s: %+v", bus, l.Rules)
		}
	}
}

func TestRuleQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxRulesPerBus = 2 })
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	for _, name := range []string{"a", "b"} {
		must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(orderPattern)}))
	}
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("c"), EventPattern: aws.String(orderPattern)})
	wantAPIError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	// Updating an existing rule is not a new rule; other buses and accounts have their own quota.
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("a"), EventPattern: aws.String(`{"source":["y"]}`)}))
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("c"), EventBusName: aws.String("orders"), EventPattern: aws.String(orderPattern)}))
	must[*eventbridge.PutRuleOutput](t)(clientFor(m, otherAcct).PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("c"), EventPattern: aws.String(orderPattern)}))
	if _, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("c")}); err == nil {
		t.Fatal("rule over the quota was stored")
	}
}

func TestListRulesPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	var want []string
	for i := range 8 {
		name := fmt.Sprintf("rule-%02d", i)
		want = append(want, name)
		must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(orderPattern)}))
	}
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("other"), EventPattern: aws.String(orderPattern)}))
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		out := must[*eventbridge.ListRulesOutput](t)(c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("rule-"), Limit: aws.Int32(3), NextToken: token}))
		if len(out.Rules) > 3 {
			t.Fatalf("page of %d rules with Limit 3", len(out.Rules))
		}
		for _, r := range out.Rules {
			got = append(got, aws.ToString(r.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged rules %v, want %v", got, want)
	}
	_, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NextToken: aws.String("not-a-token")})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
	_, err = c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus nope does not exist.")
}

// TestRuleIsolation checks that another account can neither see nor change
// a rule or its targets, and that its own rule of the same name is separate.
func TestRuleIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	owner, other := clientFor(m, customerAcct), clientFor(m, otherAcct)
	must[*eventbridge.PutRuleOutput](t)(owner.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern)}))
	must[*eventbridge.PutTargetsOutput](t)(owner.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}}))
	ownerBus := aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/default")
	arn := ruleARN(customerAcct, "default", "r")
	notFound := "Rule r does not exist on EventBus default."
	busGone := "Event bus " + aws.ToString(ownerBus) + " does not exist."

	_, err := other.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")})
	wantAPIError(t, err, "ResourceNotFoundException", notFound)
	_, err = other.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r"), EventBusName: ownerBus})
	wantAPIError(t, err, "ResourceNotFoundException", busGone)
	_, err = other.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r"), EventBusName: ownerBus})
	wantAPIError(t, err, "ResourceNotFoundException", busGone)
	_, err = other.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("r")})
	wantAPIError(t, err, "ResourceNotFoundException", notFound)
	_, err = other.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: ownerBus, Targets: []types.Target{{Id: aws.String("x"), Arn: aws.String(queueARN)}}})
	wantAPIError(t, err, "ResourceNotFoundException", busGone)
	_, err = other.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"q"}})
	wantAPIError(t, err, "ResourceNotFoundException", notFound)
	_, err = other.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	wantAPIError(t, err, "ResourceNotFoundException", notFound)
	_, err = other.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = other.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	names := must[*eventbridge.ListRuleNamesByTargetOutput](t)(other.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(queueARN)}))
	if len(names.RuleNames) != 0 {
		t.Errorf("other account sees rules by target: %v", names.RuleNames)
	}

	// The other account's rule of the same name is its own.
	must[*eventbridge.PutRuleOutput](t)(other.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("rate(1 day)")}))
	must[*eventbridge.DeleteRuleOutput](t)(other.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r")}))
	d := must[*eventbridge.DescribeRuleOutput](t)(owner.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")}))
	if aws.ToString(d.EventPattern) != orderPattern || d.State != types.RuleStateEnabled {
		t.Fatalf("owner's rule changed: %+v", d)
	}
	tl := must[*eventbridge.ListTargetsByRuleOutput](t)(owner.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")}))
	if len(tl.Targets) != 1 {
		t.Fatalf("owner's targets changed: %+v", tl.Targets)
	}
}

// TestDeleteBusWithRules checks that a bus with rules cannot be deleted and
// that rules are keyed by their bus.
func TestDeleteBusWithRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders"), EventPattern: aws.String(orderPattern)}))
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern)}))
	_, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ValidationException", "EventBus can't be deleted since it has rules.")
	must[*eventbridge.DeleteRuleOutput](t)(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders")}))
	must[*eventbridge.DeleteEventBusOutput](t)(c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
	// The default bus's rule of the same name is untouched.
	must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")}))
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")
}

// TestRulesOnPartnerBus checks rules, targets and tags on a partner bus,
// whose name holds '/'.
func TestRulesOnPartnerBus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	put := must[*eventbridge.PutRuleOutput](t)(customer.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("p"), EventBusName: aws.String(srcName), EventPattern: aws.String(orderPattern)}))
	arn := ruleARN(customerAcct, srcName, "p")
	if aws.ToString(put.RuleArn) != arn {
		t.Fatalf("RuleArn %q, want %q", aws.ToString(put.RuleArn), arn)
	}
	must[*eventbridge.TagResourceOutput](t)(customer.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	tags := must[*eventbridge.ListTagsForResourceOutput](t)(customer.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)}))
	if len(tags.Tags) != 1 {
		t.Fatalf("partner-bus rule tags: %+v", tags.Tags)
	}
	_, err := customer.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("s"), EventBusName: aws.String(srcName), ScheduleExpression: aws.String("rate(1 day)")})
	wantAPIError(t, err, "ValidationException", "ScheduleExpression is supported only on the default event bus.")
}

func TestRuleTags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}))
	arn := aws.String(ruleARN(customerAcct, "default", "r"))
	must[*eventbridge.TagResourceOutput](t)(c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: arn,
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("2")}, {Key: aws.String("b"), Value: aws.String("3")}}}))
	must[*eventbridge.UntagResourceOutput](t)(c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"b", "absent"}}))
	tags := must[*eventbridge.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: arn}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "2" {
		t.Fatalf("rule tags: %+v", tags.Tags)
	}
	_, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN(customerAcct, "orders", "r"))})
	wantAPIError(t, err, "ResourceNotFoundException", "Rule r does not exist on EventBus orders.")
	_, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":rule/")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

// seedManagedRule stores a rule managed by an AWS service, which no API call
// can create, with one target.
func seedManagedRule(t *testing.T, m *server, account, name string) {
	t.Helper()
	r := eventbus.Rule{Name: name, Account: account, Bus: eventbus.DefaultBus, EventPattern: orderPattern, State: eventbus.RuleEnabled,
		ManagedBy: "schemas.amazonaws.com", Targets: []eventbus.Target{{ID: "svc", Arn: queueARN, RetryPolicy: eventbus.DefaultRetryPolicy()}}}
	if _, err := m.stores.Rules.Create(context.Background(), r, 0); err != nil {
		t.Fatal(err)
	}
}

func TestManagedRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	seedManagedRule(t, m, customerAcct, "svc-rule")
	name := aws.String("svc-rule")
	force := "svc-rule is a managed rule. Set 'force' parameter to true to override."
	readOnly := "svc-rule is a managed rule and cannot be modified."

	d := must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: name}))
	if aws.ToString(d.ManagedBy) != "schemas.amazonaws.com" {
		t.Fatalf("ManagedBy %q", aws.ToString(d.ManagedBy))
	}
	_, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: name})
	wantAPIError(t, err, "ManagedRuleException", force)
	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: name, Ids: []string{"svc"}})
	wantAPIError(t, err, "ManagedRuleException", force)
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: name, EventPattern: aws.String(orderPattern)})
	wantAPIError(t, err, "ManagedRuleException", readOnly)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: name, Targets: []types.Target{{Id: aws.String("x"), Arn: aws.String(queueARN)}}})
	wantAPIError(t, err, "ManagedRuleException", readOnly)
	_, err = c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: name})
	wantAPIError(t, err, "ManagedRuleException", readOnly)
	_, err = c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: name})
	wantAPIError(t, err, "ManagedRuleException", readOnly)
	arn := aws.String(ruleARN(customerAcct, "default", "svc-rule"))
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantAPIError(t, err, "ManagedRuleException", readOnly)
	must[*eventbridge.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: arn}))

	rm := must[*eventbridge.RemoveTargetsOutput](t)(c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: name, Ids: []string{"svc"}, Force: true}))
	if rm.FailedEntryCount != 0 {
		t.Fatalf("RemoveTargets with Force: %+v", rm)
	}
	seedManagedRule(t, m, customerAcct, "svc-rule-2")
	must[*eventbridge.DeleteRuleOutput](t)(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("svc-rule-2"), Force: true}))
	must[*eventbridge.DeleteRuleOutput](t)(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: name, Force: true}))
	l := must[*eventbridge.ListRulesOutput](t)(c.ListRules(ctx, &eventbridge.ListRulesInput{}))
	if len(l.Rules) != 0 {
		t.Fatalf("managed rules left: %+v", l.Rules)
	}
}

// TestRuleTargetPermissionErrors sends every bad request of
// testdata/rules_validation.json against a server holding a bus, a rule with
// a target and a bus policy, checks each error word for word, then checks
// that no stored state changed.
func TestRuleTargetPermissionErrors(t *testing.T) {
	t.Parallel()
	m := startServer(t, nil)
	addr := m.Addr()
	setup := [][2]string{
		{"CreateEventBus", `{"Name":"orders"}`},
		{"PutRule", `{"Name":"r1","EventPattern":"{\"source\":[\"a\"]}"}`},
		{"PutTargets", `{"Rule":"r1","Targets":[{"Id":"t1","Arn":"` + queueARN + `"}]}`},
		{"PutPermission", `{"Action":"events:PutEvents","Principal":"` + otherAcct + `","StatementId":"s1"}`},
	}
	for _, s := range setup {
		if status, typ, msg := rawCall(t, addr, customerAcct, s[0], s[1]); status != 200 {
			t.Fatalf("setup %s: %d %s %s", s[0], status, typ, msg)
		}
	}
	runErrorTable(t, addr, "testdata/rules_validation.json", nil, func() string { return snapshotState(t, addr) })
}

// snapshotState returns the customer's buses, rules and targets as the API
// reports them.
func snapshotState(t *testing.T, addr string) string {
	t.Helper()
	var out []string
	for _, call := range [][2]string{
		{"ListEventBuses", `{}`},
		{"ListRules", `{}`},
		{"ListRules", `{"EventBusName":"orders"}`},
		{"ListTargetsByRule", `{"Rule":"r1"}`},
		{"DescribeRule", `{"Name":"r1"}`},
		{"ListTagsForResource", `{"ResourceARN":"` + ruleARN(customerAcct, "default", "r1") + `"}`},
	} {
		status, _, body := rawCall(t, addr, customerAcct, call[0], call[1])
		if status != 200 {
			t.Fatalf("%s: %d %s", call[0], status, body)
		}
		out = append(out, body)
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}
