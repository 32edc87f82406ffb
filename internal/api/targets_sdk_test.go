package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// storedRule reads a rule record as the router sees it.
func storedRule(t *testing.T, m *server, account, bus, name string) eventbus.Rule {
	t.Helper()
	r, _, err := m.stores.Rules.Get(context.Background(), account, bus, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTargetsRoundTrip puts targets of several kinds and checks that
// ListTargetsByRule returns exactly what was put, and that the stored record
// carries what the router needs (defaults filled in).
func TestTargetsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern)}))
	busTarget := "arn:aws:events:us-east-1:" + otherAcct + ":event-bus/central"
	put := []types.Target{
		{Id: aws.String("bus"), Arn: aws.String(busTarget), RoleArn: aws.String("arn:aws:iam::" + customerAcct + ":role/fwd")},
		{Id: aws.String("const"), Arn: aws.String(queueARN), Input: aws.String(`{"fixed":true}`),
			RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(600)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(queueARN + "-dlq")}},
		{Id: aws.String("fifo"), Arn: aws.String(queueARN + ".fifo"), InputPath: aws.String("$.detail"),
			SqsParameters: &types.SqsParameters{MessageGroupId: aws.String("g1")}},
		{Id: aws.String("shaped"), Arn: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":api-destination/d/1"),
			InputTransformer: &types.InputTransformer{InputPathsMap: map[string]string{"st": "$.detail.status"},
				InputTemplate: aws.String(`{"status": <st>, "rule": "<aws.events.rule-name>", "event": <aws.events.event.json>}`)},
			HttpParameters: &types.HttpParameters{HeaderParameters: map[string]string{"X-Team": "a"}, PathParameterValues: []string{"p1"},
				QueryStringParameters: map[string]string{"q": "1"}},
			RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}},
	}
	out := must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: put}))
	if out.FailedEntryCount != 0 || len(out.FailedEntries) != 0 {
		t.Fatalf("PutTargets failures: %+v", out)
	}
	got := must[*eventbridge.ListTargetsByRuleOutput](t)(c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")}))
	if !reflect.DeepEqual(targetsJSON(t, got.Targets), targetsJSON(t, put)) {
		t.Fatalf("ListTargetsByRule:\n got  %s\n want %s", targetsJSON(t, got.Targets), targetsJSON(t, put))
	}

	r := storedRule(t, m, customerAcct, "default", "r")
	byID := map[string]eventbus.Target{}
	for _, tg := range r.Targets {
		byID[tg.ID] = tg
	}
	if rp := byID["bus"].RetryPolicy; rp != eventbus.DefaultRetryPolicy() || rp.MaximumRetryAttempts != 185 || rp.MaximumEventAgeInSeconds != 86400 {
		t.Errorf("default retry policy: %+v", rp)
	}
	if rp := byID["const"].RetryPolicy; rp.MaximumRetryAttempts != 3 || rp.MaximumEventAgeInSeconds != 600 || byID["const"].DeadLetterArn != queueARN+"-dlq" {
		t.Errorf("const target: %+v", byID["const"])
	}
	if rp := byID["shaped"].RetryPolicy; rp.MaximumRetryAttempts != 0 || rp.MaximumEventAgeInSeconds != 86400 {
		t.Errorf("partial retry policy: %+v", rp)
	}
	if it := byID["shaped"].InputTransformer; it == nil || it.PathsMap["st"] != "$.detail.status" || byID["shaped"].HTTPParameters.HeaderParameters["X-Team"] != "a" {
		t.Errorf("shaped target: %+v", byID["shaped"])
	}
	if bt, ok := eventbus.ParseBusTarget(byID["bus"].Arn); !ok || bt.Account != otherAcct || bt.Bus != "central" {
		t.Errorf("bus target: %+v %v", bt, ok)
	}

	// Putting a target with an existing Id replaces it in place.
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"),
		Targets: []types.Target{{Id: aws.String("const"), Arn: aws.String(queueARN)}}}))
	r = storedRule(t, m, customerAcct, "default", "r")
	if len(r.Targets) != 4 || r.Targets[1].ID != "const" || r.Targets[1].Input != "" || r.Targets[1].RetryPolicy != eventbus.DefaultRetryPolicy() {
		t.Fatalf("replaced target: %+v", r.Targets)
	}
}

// targetsJSON renders targets by Id, for comparison as the wire sees them.
func targetsJSON(t *testing.T, targets []types.Target) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tg := range targets {
		b, err := json.Marshal(tg)
		if err != nil {
			t.Fatal(err)
		}
		out[aws.ToString(tg.Id)] = string(b)
	}
	return out
}

func TestTargetQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern)}))
	targets := func(from, n int) []types.Target {
		var out []types.Target
		for i := from; i < from+n; i++ {
			out = append(out, types.Target{Id: aws.String(fmt.Sprintf("t%d", i)), Arn: aws.String(queueARN)})
		}
		return out
	}
	_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: targets(0, 6)})
	wantAPIError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: targets(0, 4)}))
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: targets(3, 3)})
	wantAPIError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	// Replacing existing targets does not count twice.
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: targets(0, 5)}))
	if n := len(storedRule(t, m, customerAcct, "default", "r").Targets); n != 5 {
		t.Fatalf("%d targets stored, want 5", n)
	}
}

func TestListTargetsAndRuleNamesPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxTargetsPerRule = 20 })
	c := clientFor(m, customerAcct)
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(orderPattern)}))
	var put []types.Target
	var wantIDs []string
	for i := range 12 {
		id := fmt.Sprintf("t%02d", i)
		wantIDs = append(wantIDs, id)
		put = append(put, types.Target{Id: aws.String(id), Arn: aws.String(queueARN)})
	}
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: put}))
	var ids []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		out := must[*eventbridge.ListTargetsByRuleOutput](t)(c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), Limit: aws.Int32(5), NextToken: token}))
		for _, tg := range out.Targets {
			ids = append(ids, aws.ToString(tg.Id))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint(wantIDs) {
		t.Fatalf("paged targets %v, want %v", ids, wantIDs)
	}

	// ListRuleNamesByTarget over several rules.
	other := "arn:aws:sqs:us-east-1:" + customerAcct + ":other"
	var wantNames []string
	for i := range 7 {
		name := fmt.Sprintf("by-%d", i)
		must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(orderPattern)}))
		arn := other
		if i%3 == 0 {
			arn = queueARN
			wantNames = append(wantNames, name)
		}
		must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []types.Target{{Id: aws.String("x"), Arn: aws.String(arn)}}}))
	}
	wantNames = append(wantNames, "r")
	var names []string
	token = nil
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		out := must[*eventbridge.ListRuleNamesByTargetOutput](t)(c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(queueARN), Limit: aws.Int32(2), NextToken: token}))
		names = append(names, out.RuleNames...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(names) != fmt.Sprint(wantNames) {
		t.Fatalf("rule names by target %v, want %v", names, wantNames)
	}
	// A token of one listing is not valid for another.
	first := must[*eventbridge.ListRuleNamesByTargetOutput](t)(c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(queueARN), Limit: aws.Int32(1)}))
	_, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), NextToken: first.NextToken})
	wantAPIError(t, err, "ValidationException", "The NextToken provided is not valid.")
}

func TestRemoveTargets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))
	bus := aws.String("orders")
	must[*eventbridge.PutRuleOutput](t)(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: bus, EventPattern: aws.String(orderPattern)}))
	must[*eventbridge.PutTargetsOutput](t)(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: bus, Targets: []types.Target{
		{Id: aws.String("a"), Arn: aws.String(queueARN)}, {Id: aws.String("b"), Arn: aws.String(queueARN)}, {Id: aws.String("c"), Arn: aws.String(queueARN)}}}))
	out := must[*eventbridge.RemoveTargetsOutput](t)(c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), EventBusName: bus, Ids: []string{"a", "c", "zz"}}))
	if out.FailedEntryCount != 0 || len(out.FailedEntries) != 0 {
		t.Fatalf("RemoveTargets: %+v", out)
	}
	l := must[*eventbridge.ListTargetsByRuleOutput](t)(c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), EventBusName: bus}))
	if len(l.Targets) != 1 || aws.ToString(l.Targets[0].Id) != "b" {
		t.Fatalf("targets left: %+v", l.Targets)
	}
	// The same rule name on the default bus is another rule.
	_, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"b"}})
	wantAPIError(t, err, "ResourceNotFoundException", "Rule r does not exist on EventBus default.")
}
