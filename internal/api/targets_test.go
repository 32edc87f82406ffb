package api

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// rulesTestKV is an in-memory eventbus.KV whose updates can be made to lose
// every race, to reach the paths a real store only takes under contention.
type rulesTestKV struct {
	mu       sync.Mutex
	data     map[string]eventbus.Entry // guarded by mu
	rev      uint64                    // guarded by mu
	conflict bool                      // Update and Delete always lose; guarded by mu
}

var _ eventbus.KV = (*rulesTestKV)(nil)

func newRulesTestKV() *rulesTestKV { return &rulesTestKV{data: map[string]eventbus.Entry{}} }

func kvKey(key []string) string { return strings.Join(key, "\x00") }

func (kv *rulesTestKV) Get(_ context.Context, key ...string) (eventbus.Entry, error) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e, ok := kv.data[kvKey(key)]
	if !ok {
		return e, eventbus.ErrNotFound
	}
	return e, nil
}

func (kv *rulesTestKV) Create(_ context.Context, value []byte, key ...string) (uint64, error) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if _, ok := kv.data[kvKey(key)]; ok {
		return 0, eventbus.ErrExists
	}
	kv.rev++
	kv.data[kvKey(key)] = eventbus.Entry{Key: slices.Clone(key), Value: slices.Clone(value), Revision: kv.rev}
	return kv.rev, nil
}

func (kv *rulesTestKV) Update(_ context.Context, value []byte, rev uint64, key ...string) (uint64, error) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e, ok := kv.data[kvKey(key)]
	switch {
	case !ok:
		return 0, eventbus.ErrNotFound
	case kv.conflict || e.Revision != rev:
		return 0, eventbus.ErrConflict
	}
	kv.rev++
	kv.data[kvKey(key)] = eventbus.Entry{Key: slices.Clone(key), Value: slices.Clone(value), Revision: kv.rev}
	return kv.rev, nil
}

func (kv *rulesTestKV) Delete(_ context.Context, rev uint64, key ...string) error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e, ok := kv.data[kvKey(key)]
	switch {
	case !ok:
		return eventbus.ErrNotFound
	case kv.conflict || e.Revision != rev:
		return eventbus.ErrConflict
	}
	delete(kv.data, kvKey(key))
	return nil
}

func (kv *rulesTestKV) List(_ context.Context, prefix ...string) ([]eventbus.Entry, error) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	var out []eventbus.Entry
	for _, e := range kv.data {
		if len(e.Key) >= len(prefix) && slices.Equal(e.Key[:len(prefix)], prefix) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b eventbus.Entry) int { return slices.Compare(a.Key, b.Key) })
	return out, nil
}

func (kv *rulesTestKV) setConflict(v bool) {
	kv.mu.Lock()
	kv.conflict = v
	kv.mu.Unlock()
}

func testService(t *testing.T) (*Service, *rulesTestKV, context.Context) {
	t.Helper()
	rules := newRulesTestKV()
	s := New(DefaultConfig(), Stores{Buses: newRulesTestKV(), Rules: rules, Sources: newRulesTestKV()})
	ctx := eventbus.WithCaller(context.Background(), eventbus.Caller{Account: "222222222222"})
	return s, rules, ctx
}

// TestTargetsLostRaces checks that PutTargets and RemoveTargets report a
// change that keeps losing races as per-target ConcurrentModificationException
// failures, as AWS documents, and store nothing.
func TestTargetsLostRaces(t *testing.T) {
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
