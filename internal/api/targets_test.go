package api

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
)

// racyKV is a memory KV whose writes can be made to lose every race, to
// reach the paths a real store only takes under contention.
type racyKV struct {
	*memstore.KV
	conflict atomic.Bool
}

func (kv *racyKV) Update(ctx context.Context, value []byte, rev uint64, key ...string) (uint64, error) {
	if kv.conflict.Load() {
		return 0, eventbus.ErrConflict
	}
	return kv.KV.Update(ctx, value, rev, key...)
}

func (kv *racyKV) Delete(ctx context.Context, rev uint64, key ...string) error {
	if kv.conflict.Load() {
		return eventbus.ErrConflict
	}
	return kv.KV.Delete(ctx, rev, key...)
}

func (kv *racyKV) Commit(ctx context.Context, writes ...eventbus.Write) ([]uint64, error) {
	if kv.conflict.Load() {
		return nil, eventbus.ErrConflict
	}
	return kv.KV.Commit(ctx, writes...)
}

func (kv *racyKV) setConflict(v bool) { kv.conflict.Store(v) }

func testService(t *testing.T) (*Service, *racyKV, context.Context) {
	t.Helper()
	rules := &racyKV{KV: memstore.NewKV()}
	st, err := eventbus.OpenStores(func(bucket string) (eventbus.KV, error) {
		if bucket == "rules" {
			return rules, nil
		}
		return memstore.NewKV(), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(DefaultConfig(), Stores{Stores: st, Events: &memLog{}, Secrets: testSealer(), ArchiveLog: memstore.NewArchives(), Replayer: noReplays{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := eventbus.WithCaller(context.Background(), eventbus.Caller{Account: "222222222222"})
	return s, rules, ctx
}

// TestTargetsLostRaces checks that PutTargets and RemoveTargets report a
// change that keeps losing races as per-target ConcurrentModificationException
// failures, as AWS documents, and store nothing.
func TestTargetsLostRaces(t *testing.T) {
	t.Parallel()
	s, rules, ctx := testService(t)
	if _, err := s.PutRule(ctx, &apimodel.PutRuleRequest{Name: ptr("r"), EventPattern: ptr(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	q := "arn:aws:sqs:us-east-1:222222222222:q"
	rules.setConflict(true)
	out, err := s.PutTargets(ctx, &apimodel.PutTargetsRequest{Rule: ptr("r"), Targets: []apimodel.Target{{Id: ptr("a"), Arn: ptr(q)}, {Id: ptr("b"), Arn: ptr(q)}}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FailedEntryCount != 2 || len(out.FailedEntries) != 2 || *out.FailedEntries[1].TargetId != "b" ||
		*out.FailedEntries[0].ErrorCode != awserr.ConcurrentModification || *out.FailedEntries[0].ErrorMessage != awserr.MsgTargetsRaced {
		t.Fatalf("PutTargets under contention: %+v", out)
	}
	rules.setConflict(false)
	if _, err := s.PutTargets(ctx, &apimodel.PutTargetsRequest{Rule: ptr("r"), Targets: []apimodel.Target{{Id: ptr("a"), Arn: ptr(q)}}}); err != nil {
		t.Fatal(err)
	}
	rules.setConflict(true)
	rm, err := s.RemoveTargets(ctx, &apimodel.RemoveTargetsRequest{Rule: ptr("r"), Ids: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if *rm.FailedEntryCount != 1 || *rm.FailedEntries[0].TargetId != "a" {
		t.Fatalf("RemoveTargets under contention: %+v", rm)
	}
	// Other operations report the lost race as the exception itself.
	err = s.DisableRule(ctx, &apimodel.DisableRuleRequest{Name: ptr("r")})
	if !awserr.Is(err, awserr.ConcurrentModification) {
		t.Fatalf("DisableRule under contention: %v", err)
	}
	_, err = s.PutRule(ctx, &apimodel.PutRuleRequest{Name: ptr("r"), EventPattern: ptr(`{"source":["b"]}`)})
	if !awserr.Is(err, awserr.ConcurrentModification) {
		t.Fatalf("PutRule under contention: %v", err)
	}
	rules.setConflict(false)
	l, err := s.ListTargetsByRule(ctx, &apimodel.ListTargetsByRuleRequest{Rule: ptr("r")})
	if err != nil || len(l.Targets) != 1 {
		t.Fatalf("targets after lost races: %+v, %v", l, err)
	}
	d, err := s.DescribeRule(ctx, &apimodel.DescribeRuleRequest{Name: ptr("r")})
	if err != nil || *d.State != eventbus.RuleEnabled || *d.EventPattern != `{"source":["a"]}` {
		t.Fatalf("rule after lost races: %+v, %v", d, err)
	}
}

// TestTargetOutWithoutSpec checks the API form of a target stored without
// its request JSON (as a service-managed rule's targets may be).
func TestTargetOutWithoutSpec(t *testing.T) {
	t.Parallel()
	at, err := targetOut(eventbus.Target{ID: "x", Arn: "arn:aws:sqs:us-east-1:222222222222:q", Input: `{"a":1}`, DeadLetterArn: "arn:aws:sqs:us-east-1:222222222222:dlq",
		InputTransformer: &eventbus.InputTransformer{PathsMap: map[string]string{"k": "$.a"}, Template: "<k>"}})
	if err != nil {
		t.Fatal(err)
	}
	if *at.Id != "x" || *at.Input != `{"a":1}` || at.InputPath != nil || *at.DeadLetterConfig.Arn != "arn:aws:sqs:us-east-1:222222222222:dlq" ||
		*at.InputTransformer.InputTemplate != "<k>" || at.RoleArn != nil {
		t.Fatalf("targetOut: %+v", at)
	}
}

func TestMergeTargets(t *testing.T) {
	t.Parallel()
	ids := func(ts []eventbus.Target) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.ID+"="+t.Arn)
		}
		return strings.Join(s, ",")
	}
	old := []eventbus.Target{{ID: "a", Arn: "1"}, {ID: "b", Arn: "1"}}
	got := mergeTargets(old, []eventbus.Target{{ID: "b", Arn: "2"}, {ID: "c", Arn: "2"}, {ID: "c", Arn: "3"}})
	if ids(got) != "a=1,b=2,c=3" || ids(old) != "a=1,b=1" {
		t.Fatalf("mergeTargets = %s (old %s)", ids(got), ids(old))
	}
}

// TestTargetPutHook checks that Config.TargetPut hears of each target
// stored, once, with its rule's ARN, and of none when the change is lost.
func TestTargetPutHook(t *testing.T) {
	t.Parallel()
	s, rules, ctx := testService(t)
	var heard []string
	s.cfg.TargetPut = func(ruleArn string, tg eventbus.Target) { heard = append(heard, ruleArn+" "+tg.ID+" "+tg.Arn) }
	if _, err := s.PutRule(ctx, &apimodel.PutRuleRequest{Name: ptr("r"), EventPattern: ptr(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	ecs := "arn:aws:ecs:us-east-1:222222222222:cluster/c"
	rules.setConflict(true)
	if _, err := s.PutTargets(ctx, &apimodel.PutTargetsRequest{Rule: ptr("r"), Targets: []apimodel.Target{{Id: ptr("a"), Arn: ptr(ecs)}}}); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 0 {
		t.Fatalf("a lost change was heard: %v", heard)
	}
	rules.setConflict(false)
	if _, err := s.PutTargets(ctx, &apimodel.PutTargetsRequest{Rule: ptr("r"), Targets: []apimodel.Target{{Id: ptr("a"), Arn: ptr(ecs)}}}); err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:events:us-east-1:222222222222:rule/r a " + ecs
	if len(heard) != 1 || heard[0] != want {
		t.Errorf("heard %q, want [%q]", heard, want)
	}
}

// noReplays is an api.Replayer for tests that start none.
type noReplays struct{}

func (noReplays) Start(context.Context, string, string) error { return errors.New("no replays here") }
