package api_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
)

const busARNPrefix = "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/"

// TestArchiveLifecycle creates, describes, lists, updates and deletes an
// archive, and checks the managed rule AWS keeps beside it.
func TestArchiveLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}))

	created := must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("orders-archive"), EventSourceArn: aws.String(busARNPrefix + "orders"),
		EventPattern: aws.String(orderPattern), RetentionDays: aws.Int32(7), Description: aws.String("kept a week"),
	}))
	wantARN := "arn:aws:events:us-east-1:" + customerAcct + ":archive/orders-archive"
	if aws.ToString(created.ArchiveArn) != wantARN || created.State != types.ArchiveStateEnabled || created.CreationTime == nil {
		t.Fatalf("CreateArchive: %+v", created)
	}
	d := must[*eventbridge.DescribeArchiveOutput](t)(c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders-archive")}))
	if aws.ToString(d.ArchiveArn) != wantARN || aws.ToString(d.EventSourceArn) != busARNPrefix+"orders" ||
		aws.ToString(d.EventPattern) != orderPattern || aws.ToInt32(d.RetentionDays) != 7 ||
		aws.ToString(d.Description) != "kept a week" || d.EventCount != 0 || d.State != types.ArchiveStateEnabled {
		t.Fatalf("DescribeArchive: %+v", d)
	}

	// The managed rule: named after the archive, the archive's pattern
	// plus the exclusion of replayed events, the archive as its target.
	rule := must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{
		Name: aws.String("Events-Archive-orders-archive"), EventBusName: aws.String("orders")}))
	wantPattern := `{"detail-type":["OrderPlaced"],"replay-name":[{"exists":false}],"source":["com.acme.orders"]}`
	if aws.ToString(rule.EventPattern) != wantPattern || aws.ToString(rule.ManagedBy) == "" || rule.State != types.RuleStateEnabled {
		t.Fatalf("managed rule: %+v", rule)
	}
	targets := must[*eventbridge.ListTargetsByRuleOutput](t)(c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{
		Rule: aws.String("Events-Archive-orders-archive"), EventBusName: aws.String("orders")}))
	if len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != wantARN {
		t.Fatalf("managed rule targets: %+v", targets.Targets)
	}
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("Events-Archive-orders-archive"), EventBusName: aws.String("orders"), EventPattern: aws.String(orderPattern)})
	wantAPIError(t, err, "ManagedRuleException", "Events-Archive-orders-archive is a managed rule and cannot be modified.")

	// A second archive without a pattern archives every live event.
	must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("all"), EventSourceArn: aws.String(busARNPrefix + "default")}))
	rule = must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("Events-Archive-all")}))
	if aws.ToString(rule.EventPattern) != `{"replay-name":[{"exists":false}]}` {
		t.Fatalf("pattern of the managed rule of an archive without one: %s", aws.ToString(rule.EventPattern))
	}

	for _, tc := range []struct {
		name string
		in   eventbridge.ListArchivesInput
		want []string
	}{
		{"all", eventbridge.ListArchivesInput{}, []string{"all", "orders-archive"}},
		{"prefix", eventbridge.ListArchivesInput{NamePrefix: aws.String("ord")}, []string{"orders-archive"}},
		{"source", eventbridge.ListArchivesInput{EventSourceArn: aws.String(busARNPrefix + "default")}, []string{"all"}},
		{"state", eventbridge.ListArchivesInput{State: types.ArchiveStateDisabled}, nil},
	} {
		out := must[*eventbridge.ListArchivesOutput](t)(c.ListArchives(ctx, &tc.in))
		var got []string
		for _, a := range out.Archives {
			got = append(got, aws.ToString(a.ArchiveName))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListArchives %s: %v, want %v", tc.name, got, tc.want)
		}
	}

	// Update: retention and pattern; the managed rule follows the pattern.
	must[*eventbridge.UpdateArchiveOutput](t)(c.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{
		ArchiveName: aws.String("orders-archive"), RetentionDays: aws.Int32(0), EventPattern: aws.String(`{"source":["b"]}`)}))
	d = must[*eventbridge.DescribeArchiveOutput](t)(c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders-archive")}))
	if aws.ToInt32(d.RetentionDays) != 0 || aws.ToString(d.EventPattern) != `{"source":["b"]}` || aws.ToString(d.Description) != "kept a week" {
		t.Fatalf("after UpdateArchive: %+v", d)
	}
	rule = must[*eventbridge.DescribeRuleOutput](t)(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{
		Name: aws.String("Events-Archive-orders-archive"), EventBusName: aws.String("orders")}))
	if aws.ToString(rule.EventPattern) != `{"replay-name":[{"exists":false}],"source":["b"]}` {
		t.Fatalf("managed rule after UpdateArchive: %s", aws.ToString(rule.EventPattern))
	}

	// The bus cannot go while its archive's rule is there.
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ValidationException", "EventBus can't be deleted since it has rules.")

	must[*eventbridge.DeleteArchiveOutput](t)(c.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("orders-archive")}))
	_, err = c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders-archive")})
	wantAPIError(t, err, "ResourceNotFoundException", "Archive orders-archive does not exist.")
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("Events-Archive-orders-archive"), EventBusName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	must[*eventbridge.DeleteEventBusOutput](t)(c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
}

// TestArchiveErrors checks the errors of the archive operations, word for
// word.
func TestArchiveErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("a"), EventSourceArn: aws.String(busARNPrefix + "default")}))
	for _, tc := range []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"exists", func() error {
			_, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("a"), EventSourceArn: aws.String(busARNPrefix + "default")})
			return err
		}, "ResourceAlreadyExistsException", "Archive a already exists."},
		{"no bus", func() error {
			_, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("b"), EventSourceArn: aws.String(busARNPrefix + "nope")})
			return err
		}, "ResourceNotFoundException", "Event bus nope does not exist."},
		{"bad pattern", func() error {
			_, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("b"), EventSourceArn: aws.String(busARNPrefix + "default"),
				EventPattern: aws.String(`{"source":"x"}`)})
			return err
		}, "InvalidEventPatternException", ""},
		{"kms", func() error {
			_, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("b"), EventSourceArn: aws.String(busARNPrefix + "default"),
				KmsKeyIdentifier: aws.String("alias/k")})
			return err
		}, "ValidationException", "Parameter KmsKeyIdentifier is not supported by switchyard: archives are stored in JetStream, not encrypted with AWS KMS."},
		{"describe missing", func() error {
			_, err := c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("zz")})
			return err
		}, "ResourceNotFoundException", "Archive zz does not exist."},
		{"update missing", func() error {
			_, err := c.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("zz")})
			return err
		}, "ResourceNotFoundException", "Archive zz does not exist."},
		{"delete missing", func() error {
			_, err := c.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("zz")})
			return err
		}, "ResourceNotFoundException", "Archive zz does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.message) })
	}
	// None of the refused creations left anything behind.
	out := must[*eventbridge.ListArchivesOutput](t)(c.ListArchives(ctx, &eventbridge.ListArchivesInput{}))
	if len(out.Archives) != 1 {
		t.Fatalf("archives after refused creations: %+v", out.Archives)
	}
}

// TestReplayOperations checks StartReplay's checks in AWS's order, the
// replay's record, ListReplays' filters and CancelReplay's states. Running a
// replay is the archive package's (tested end to end in cmd/switchyard).
func TestReplayOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxActiveReplays = 2 })
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("a"), EventSourceArn: aws.String(busARNPrefix + "default")}))
	archiveARN := "arn:aws:events:us-east-1:" + customerAcct + ":archive/a"
	start, end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	in := func(name, archive, dest string, from, to time.Time) *eventbridge.StartReplayInput {
		return &eventbridge.StartReplayInput{ReplayName: aws.String(name), EventSourceArn: aws.String(archive),
			EventStartTime: aws.Time(from), EventEndTime: aws.Time(to),
			Destination: &types.ReplayDestination{Arn: aws.String(dest), FilterArns: []string{ruleARN(customerAcct, "default", "r")}}}
	}
	started := must[*eventbridge.StartReplayOutput](t)(c.StartReplay(ctx, in("r1", archiveARN, busARNPrefix+"default", start, end)))
	if started.State != types.ReplayStateStarting || aws.ToString(started.ReplayArn) != "arn:aws:events:us-east-1:"+customerAcct+":replay/r1" {
		t.Fatalf("StartReplay: %+v", started)
	}
	if got := m.replays.started; !slices.Equal(got, []string{customerAcct + "/r1"}) {
		t.Fatalf("replays handed to the replayer: %v", got)
	}
	d := must[*eventbridge.DescribeReplayOutput](t)(c.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("r1")}))
	if aws.ToString(d.EventSourceArn) != archiveARN || !aws.ToTime(d.EventStartTime).Equal(start) || !aws.ToTime(d.EventEndTime).Equal(end) ||
		aws.ToString(d.Destination.Arn) != busARNPrefix+"default" || len(d.Destination.FilterArns) != 1 || d.State != types.ReplayStateStarting {
		t.Fatalf("DescribeReplay: %+v", d)
	}

	for _, tc := range []struct {
		name          string
		in            *eventbridge.StartReplayInput
		code, message string
	}{
		{"exists", in("r1", archiveARN, busARNPrefix+"default", start, end), "ResourceAlreadyExistsException", "Replay r1 already exists."},
		{"times", in("r2", archiveARN, busARNPrefix+"default", end, start), "ValidationException",
			"Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."},
		{"equal times", in("r2", archiveARN, busARNPrefix+"default", start, start), "ValidationException",
			"Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."},
		{"no archive", in("r2", archiveARN+"x", busARNPrefix+"default", start, end), "ValidationException",
			"Parameter EventSourceArn is not valid. Reason: Archive ax does not exist."},
		{"cross bus", in("r2", archiveARN, busARNPrefix+"other", start, end), "ValidationException",
			"Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."},
	} {
		_, err := c.StartReplay(ctx, tc.in)
		wantAPIError(t, err, tc.code, tc.message)
	}

	// At most MaxActiveReplays going at once.
	must[*eventbridge.StartReplayOutput](t)(c.StartReplay(ctx, in("r2", archiveARN, busARNPrefix+"default", start, end)))
	_, err := c.StartReplay(ctx, in("r3", archiveARN, busARNPrefix+"default", start, end))
	wantAPIError(t, err, "LimitExceededException", "")

	cancelled := must[*eventbridge.CancelReplayOutput](t)(c.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("r1")}))
	if cancelled.State != types.ReplayStateCancelling {
		t.Fatalf("CancelReplay: %+v", cancelled)
	}
	_, err = c.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("r1")})
	wantAPIError(t, err, "IllegalStatusException", "Replay r1 is not in a valid state for this operation.")
	_, err = c.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("zz")})
	wantAPIError(t, err, "ResourceNotFoundException", "Replay zz does not exist.")
	_, err = c.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("zz")})
	wantAPIError(t, err, "ResourceNotFoundException", "Replay zz does not exist.")

	for _, tc := range []struct {
		name string
		in   eventbridge.ListReplaysInput
		want []string
	}{
		{"all", eventbridge.ListReplaysInput{}, []string{"r1", "r2"}},
		{"state", eventbridge.ListReplaysInput{State: types.ReplayStateCancelling}, []string{"r1"}},
		{"prefix", eventbridge.ListReplaysInput{NamePrefix: aws.String("r2")}, []string{"r2"}},
		{"archive", eventbridge.ListReplaysInput{EventSourceArn: aws.String(archiveARN + "x")}, nil},
	} {
		out := must[*eventbridge.ListReplaysOutput](t)(c.ListReplays(ctx, &tc.in))
		var got []string
		for _, r := range out.Replays {
			got = append(got, aws.ToString(r.ReplayName))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListReplays %s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReplayStartFails checks that a replay the replayer cannot take is
// FAILED, not left STARTING, and does not hold a place among the active.
func TestReplayStartFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxActiveReplays = 1 })
	c := clientFor(m, customerAcct)
	must[*eventbridge.CreateArchiveOutput](t)(c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("a"), EventSourceArn: aws.String(busARNPrefix + "default")}))
	in := func(name string) *eventbridge.StartReplayInput {
		return &eventbridge.StartReplayInput{ReplayName: aws.String(name),
			EventSourceArn: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":archive/a"),
			EventStartTime: aws.Time(time.Unix(0, 0)), EventEndTime: aws.Time(time.Unix(60, 0)),
			Destination: &types.ReplayDestination{Arn: aws.String(busARNPrefix + "default")}}
	}
	m.replays.mu.Lock()
	m.replays.err = errors.New("queue down")
	m.replays.mu.Unlock()
	_, err := c.StartReplay(ctx, in("r1"))
	wantAPIError(t, err, "InternalException", "")
	d := must[*eventbridge.DescribeReplayOutput](t)(c.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("r1")}))
	if d.State != types.ReplayStateFailed || aws.ToString(d.StateReason) == "" {
		t.Fatalf("replay whose start failed: %s %q", d.State, aws.ToString(d.StateReason))
	}
	m.replays.mu.Lock()
	m.replays.err = nil
	m.replays.mu.Unlock()
	must[*eventbridge.StartReplayOutput](t)(c.StartReplay(ctx, in("r2")))
}
