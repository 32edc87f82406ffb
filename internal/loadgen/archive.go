package loadgen

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// benchArchiveName is the archive `bench --archive` creates on its bus.
const benchArchiveName = "bench"

// benchArchive creates, with --archive, an archive of every event of bus.
func benchArchive(ctx context.Context, cfg Config, endpoint, bus string) error {
	if !cfg.Archive {
		return nil
	}
	c := benchClient(endpoint, cfg.Customer)
	_, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName:    aws.String(benchArchiveName + "-" + cfg.SourceTag),
		EventSourceArn: aws.String(eventbus.BusARN("us-east-1", cfg.Customer, bus)),
	})
	if err != nil {
		return fmt.Errorf("create the archive: %w", err)
	}
	return nil
}

// benchReplay waits until the archive holds every event the run put (the
// archive rule's deliveries have caught up), then replays them all to a
// rule on bus whose target is another bus, and reports how fast the replay
// read the archive and queued the replayed events for delivery.
func benchReplay(ctx context.Context, cfg Config, endpoint, bus string, out io.Writer) error {
	c := benchClient(endpoint, cfg.Customer)
	archive := benchArchiveName + "-" + cfg.SourceTag
	var archived int64
	for last, since := int64(-1), time.Now(); ; time.Sleep(200 * time.Millisecond) {
		d, err := c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(archive)})
		if err != nil {
			return err
		}
		if d.EventCount != last {
			last, since = d.EventCount, time.Now()
		}
		if time.Since(since) > 2*time.Second { // no change for 2 s: caught up
			archived = d.EventCount
			break
		}
	}
	sink := "bench-replay-sink-" + cfg.SourceTag
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(sink)}); err != nil {
		return err
	}
	rule := "bench-replay-" + cfg.SourceTag
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"detail-type":["bench"]}`), State: types.RuleStateDisabled}); err != nil {
		return err
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus),
		Targets: []types.Target{{Id: aws.String("sink"), Arn: aws.String(eventbus.BusARN("us-east-1", cfg.Customer, sink))}}}); err != nil {
		return err
	}
	// The rule is enabled now, after the run: live events never reached it.
	if _, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus)}); err != nil {
		return err
	}
	time.Sleep(time.Second) // the router's watch picks the rule up
	start := time.Now()
	name := "bench-" + cfg.SourceTag
	if _, err := c.StartReplay(ctx, &eventbridge.StartReplayInput{
		ReplayName: aws.String(name), EventSourceArn: aws.String(eventbus.ArchiveARN("us-east-1", cfg.Customer, archive)),
		EventStartTime: aws.Time(start.Add(-24 * time.Hour)), EventEndTime: aws.Time(start.Add(time.Hour)),
		Destination: &types.ReplayDestination{Arn: aws.String(eventbus.BusARN("us-east-1", cfg.Customer, bus)),
			FilterArns: []string{eventbus.RuleARN("us-east-1", cfg.Customer, bus, rule)}},
	}); err != nil {
		return err
	}
	for ; ; time.Sleep(50 * time.Millisecond) {
		d, err := c.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String(name)})
		if err != nil {
			return err
		}
		switch d.State {
		case types.ReplayStateCompleted:
			took := time.Since(start)
			fmt.Fprintf(out, "replay: %d archived events read and queued for delivery in %v: %.0f events/s\n",
				archived, took.Round(time.Millisecond), float64(archived)/took.Seconds())
			return nil
		case types.ReplayStateFailed, types.ReplayStateCancelled:
			return fmt.Errorf("replay %s: %s", d.State, aws.ToString(d.StateReason))
		}
	}
}
