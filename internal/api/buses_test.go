package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apitest"
)

func TestEventBuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)

	def := must[*eventbridge.DescribeEventBusOutput](t)(c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{}))
	if aws.ToString(def.Name) != "default" || aws.ToString(def.Arn) != "arn:aws:events:us-east-1:"+customerAcct+":event-bus/default" || def.CreationTime == nil {
		t.Fatalf("default bus: %+v", def)
	}
	_, err := c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")})
	wantAPIError(t, err, "ValidationException", "Cannot delete event bus default.")
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("default")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "Event bus default already exists.")

	must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{
		Name: aws.String("orders"), Description: aws.String("order events"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	}))
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "Event bus orders already exists.")
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("aws.mine")})
	wantAPIError(t, err, "ValidationException", "EventBus name starting with 'aws.' is not valid.")
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("aws.partner/acme.com/x/y")})
	wantAPIError(t, err, "ValidationException", "EventBus name starting with 'aws.' is not valid.")

	upd := must[*eventbridge.UpdateEventBusOutput](t)(c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), Description: aws.String("changed")}))
	if aws.ToString(upd.Description) != "changed" {
		t.Errorf("UpdateEventBus description %q", aws.ToString(upd.Description))
	}
	d := must[*eventbridge.DescribeEventBusOutput](t)(c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/orders")}))
	if aws.ToString(d.Description) != "changed" || d.LastModifiedTime == nil || d.LastModifiedTime.Before(*d.CreationTime) {
		t.Errorf("DescribeEventBus by ARN: %+v", d)
	}
	_, err = c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus nope does not exist.")

	arn := aws.ToString(d.Arn)
	must[*eventbridge.TagResourceOutput](t)(c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("b")}, {Key: aws.String("env"), Value: aws.String("dev")}}}))
	must[*eventbridge.UntagResourceOutput](t)(c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"env", "absent"}}))
	tags := must[*eventbridge.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" || aws.ToString(tags.Tags[0].Value) != "b" {
		t.Errorf("tags after tag/untag: %+v", tags.Tags)
	}
	_, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:" + customerAcct + ":event-bus/nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	must[*eventbridge.DeleteEventBusOutput](t)(c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
	must[*eventbridge.DeleteEventBusOutput](t)(c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")
}

// TestPartnerBusNamesWithSlashes checks that a partner bus, whose name holds
// '/', works by name and by ARN in every bus operation.
func TestPartnerBusNamesWithSlashes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	_, err := customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("other"), EventSourceName: aws.String(srcName)})
	wantAPIError(t, err, "ValidationException", "")
	must[*eventbridge.CreateEventBusOutput](t)(customer.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(srcName), EventSourceName: aws.String(srcName)}))
	arn := "arn:aws:events:us-east-1:" + customerAcct + ":event-bus/" + srcName
	for _, ref := range []string{srcName, arn} {
		d := must[*eventbridge.DescribeEventBusOutput](t)(customer.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(ref)}))
		if aws.ToString(d.Arn) != arn || aws.ToString(d.Name) != srcName {
			t.Errorf("DescribeEventBus(%s): %+v", ref, d)
		}
	}
	must[*eventbridge.TagResourceOutput](t)(customer.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	l := must[*eventbridge.ListEventBusesOutput](t)(customer.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("aws.partner/")}))
	if len(l.EventBuses) != 1 || aws.ToString(l.EventBuses[0].Name) != srcName {
		t.Errorf("ListEventBuses(prefix aws.partner/): %+v", l.EventBuses)
	}
	must[*eventbridge.DeleteEventBusOutput](t)(customer.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String(srcName)}))
}

func TestBusQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxBusesPerAccount = 3 })
	c := clientFor(m, customerAcct)
	for _, name := range []string{"a", "b"} { // with default: 3
		must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)}))
	}
	_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("c")})
	wantAPIError(t, err, "LimitExceededException", "")
	// Another account has its own quota.
	must[*eventbridge.CreateEventBusOutput](t)(clientFor(m, otherAcct).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("c")}))
}

func TestListEventBusesPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	c := clientFor(m, customerAcct)
	want := []string{"default"}
	for i := range 12 {
		name := fmt.Sprintf("bus-%02d", i)
		want = append(want, name)
		must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)}))
	}
	sort.Strings(want)
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		out := must[*eventbridge.ListEventBusesOutput](t)(c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(5), NextToken: token}))
		if len(out.EventBuses) > 5 {
			t.Fatalf("page of %d buses with Limit 5", len(out.EventBuses))
		}
		for _, b := range out.EventBuses {
			got = append(got, aws.ToString(b.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged buses %v, want %v", got, want)
	}
	_, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: aws.String("not-a-token")})
	wantAPIError(t, err, "ValidationException", "")
}

func TestListSourcesPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	partner, customer := clientFor(m, partnerAcct), clientFor(m, customerAcct)
	for i := range 7 {
		must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{
			Name: aws.String(fmt.Sprintf("aws.partner/acme.com/ns/e%d", i)), Account: aws.String(customerAcct)}))
	}
	var partnerNames, customerNames []string
	for token := (*string)(nil); ; {
		out := must[*eventbridge.ListPartnerEventSourcesOutput](t)(partner.ListPartnerEventSources(ctx, &eventbridge.ListPartnerEventSourcesInput{NamePrefix: aws.String("aws.partner/acme.com/"), Limit: aws.Int32(3), NextToken: token}))
		for _, s := range out.PartnerEventSources {
			partnerNames = append(partnerNames, aws.ToString(s.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	for token := (*string)(nil); ; {
		out := must[*eventbridge.ListEventSourcesOutput](t)(customer.ListEventSources(ctx, &eventbridge.ListEventSourcesInput{NamePrefix: aws.String("aws.partner/acme.com/ns/"), Limit: aws.Int32(2), NextToken: token}))
		for _, s := range out.EventSources {
			customerNames = append(customerNames, aws.ToString(s.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(partnerNames) != 7 || len(customerNames) != 7 || !sort.StringsAreSorted(partnerNames) || !sort.StringsAreSorted(customerNames) {
		t.Fatalf("partner listed %v, customer listed %v", partnerNames, customerNames)
	}
}

// TestConcurrentCreatesOneWins races creates of one source name and of one
// bus name: exactly one of each succeeds and the rest are told it exists.
func TestConcurrentCreatesOneWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, nil)
	const racers = 16
	var wg sync.WaitGroup
	srcErrs, busErrs := make([]error, racers), make([]error, racers)
	for i := range racers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, srcErrs[i] = clientFor(m, partnerAcct).CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)})
		}()
		go func() {
			defer wg.Done()
			_, busErrs[i] = clientFor(m, customerAcct).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("raced")})
		}()
	}
	wg.Wait()
	for what, errs := range map[string][]error{"source": srcErrs, "bus": busErrs} {
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
				continue
			}
			wantAPIError(t, err, "ResourceAlreadyExistsException", "")
		}
		if wins != 1 {
			t.Errorf("%s: %d creates won, want exactly 1", what, wins)
		}
	}
}

func TestPartnerOperationsDisabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.PartnerOperations = false })
	_, err := clientFor(m, partnerAcct).CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "OperationDisabledException", "")
}

func TestPartnerSourceQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := startServer(t, func(c *api.Config) { c.MaxSourcesPerPartnerAccount = 2 })
	p := clientFor(m, partnerAcct)
	for i := range 2 {
		must[*eventbridge.CreatePartnerEventSourceOutput](t)(p.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(fmt.Sprintf("aws.partner/acme.com/q/%d", i)), Account: aws.String(customerAcct)}))
	}
	_, err := p.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String("aws.partner/acme.com/q/x"), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "LimitExceededException", "")
}

// TestBusSettingGapsLoggedOnce checks that the bus settings switchyard
// stores but does not act on are said so in the log, once each per process.
func TestBusSettingGapsLoggedOnce(t *testing.T) {
	t.Parallel()
	var buf apitest.SyncBuffer
	m := startServer(t, func(c *api.Config) { c.Log = slog.New(slog.NewTextHandler(&buf, nil)) })
	c := clientFor(m, customerAcct)
	for _, name := range []string{"a", "b"} {
		must[*eventbridge.CreateEventBusOutput](t)(c.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{
			Name: aws.String(name), LogConfig: &types.LogConfig{Level: types.LevelInfo}, KmsKeyIdentifier: aws.String("alias/k")}))
	}
	must[*eventbridge.UpdateEventBusOutput](t)(c.UpdateEventBus(context.Background(), &eventbridge.UpdateEventBusInput{
		Name: aws.String("a"), LogConfig: &types.LogConfig{Level: types.LevelOff}}))
	log := buf.String()
	for _, want := range []string{"LogConfig (this server was started without bus logging)", "KmsKeyIdentifier (events are stored in JetStream"} {
		if n := strings.Count(log, want); n != 1 {
			t.Errorf("%q logged %d times:\n%s", want, n, log)
		}
	}
}
