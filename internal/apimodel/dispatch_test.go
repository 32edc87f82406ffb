package apimodel

import (
	"context"
	"errors"
	"hash/crc32"
	"slices"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

func TestOperationNames(t *testing.T) {
	names := OperationNames()
	if len(names) != 57 {
		t.Errorf("got %d operations, want 57", len(names))
	}
	if !slices.IsSorted(names) {
		t.Error("OperationNames is not sorted")
	}
	names[0] = "mutated"
	if OperationNames()[0] == "mutated" {
		t.Error("OperationNames shares its slice with callers")
	}
	if got := OperationErrors("CreatePartnerEventSource"); !slices.Contains(got, "ResourceAlreadyExistsException") {
		t.Errorf("OperationErrors(CreatePartnerEventSource) = %v", got)
	}
	if OperationErrors("Nope") != nil || HasOutput("Nope") {
		t.Error("unknown operation has errors or output")
	}
	if HasOutput("DeleteRule") || !HasOutput("PutRule") {
		t.Error("HasOutput is wrong for DeleteRule or PutRule")
	}
}

// TestEveryOperationDispatches sends each operation {} and garbage: every
// answer is an *awserr.Error of an expected kind, and nothing panics.
func TestEveryOperationDispatches(t *testing.T) {
	ctx := context.Background()
	bodies := []string{"", "{}", "garbage", `{"Name":1}`, "[1]", `{"Entries":[{"Time":"x"}]}`, "\x00\xff"}
	for _, op := range OperationNames() {
		for _, body := range bodies {
			_, err := Dispatch(ctx, Unimplemented{}, op, []byte(body))
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s %q: error %v is not an *awserr.Error", op, body, err)
			}
			switch e.Code {
			case awserr.UnsupportedOperation:
				if want := op + " is not supported by switchyard yet."; e.Message != want {
					t.Errorf("%s: message %q, want %q", op, e.Message, want)
				}
			case awserr.Validation, awserr.Serialization:
			default:
				t.Errorf("%s %q: unexpected %v", op, body, e)
			}
		}
	}
}

// listRulesService answers ListRules and DeleteRule; the rest stays
// unimplemented.
type listRulesService struct {
	Unimplemented
	deleted *DeleteRuleRequest
	fail    error
}

func (s *listRulesService) ListRules(_ context.Context, in *ListRulesRequest) (*ListRulesResponse, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	if in.NamePrefix == nil {
		return nil, nil
	}
	return &ListRulesResponse{Rules: []Rule{{Name: in.NamePrefix}}}, nil
}

func (s *listRulesService) DeleteRule(_ context.Context, in *DeleteRuleRequest) error {
	s.deleted = in
	return nil
}

func TestDispatchCallsService(t *testing.T) {
	ctx := context.Background()
	svc := &listRulesService{}
	out, err := Dispatch(ctx, svc, "ListRules", []byte(`{"NamePrefix":"r"}`))
	if err != nil {
		t.Fatal(err)
	}
	res, ok := out.(*ListRulesResponse)
	if !ok || len(res.Rules) != 1 || *res.Rules[0].Name != "r" {
		t.Fatalf("ListRules returned %#v", out)
	}
	if out, err := Dispatch(ctx, svc, "ListRules", nil); out != nil || err != nil {
		t.Errorf("a nil output must come back as a nil any, got %#v, %v", out, err)
	}
	out, err = Dispatch(ctx, svc, "DeleteRule", []byte(`{"Name":"r","Force":true}`))
	if out != nil || err != nil || svc.deleted == nil || !*svc.deleted.Force {
		t.Errorf("DeleteRule: %v, %v, %+v", out, err, svc.deleted)
	}
	svc.fail = errors.New("disk on fire")
	_, err = Dispatch(ctx, svc, "ListRules", nil)
	if !awserr.Is(err, awserr.Internal) {
		t.Errorf("a plain error must become InternalException, got %v", err)
	}
	svc.fail = awserr.New(awserr.ResourceNotFound, "Rule r does not exist.")
	if _, err = Dispatch(ctx, svc, "ListRules", nil); err != svc.fail {
		t.Errorf("an *awserr.Error must pass through unchanged, got %v", err)
	}
}

// FuzzDispatch feeds arbitrary operation names and bodies to Dispatch: it
// must never panic, and every error must be an *awserr.Error. Each body is
// also sent to one real operation chosen from the name, so that the fuzzer
// explores the decoders and validators even when the name is garbage.
func FuzzDispatch(f *testing.F) {
	seeds := []struct{ op, body string }{
		{"PutEvents", `{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}","Time":1700000000.5,"Resources":["a"]}]}`},
		{"PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"a","InputTransformer":{"InputPathsMap":{"k":"$.x"},"InputTemplate":"<k>"},"RetryPolicy":{"MaximumRetryAttempts":3}}]}`},
		{"CreatePartnerEventSource", `{"Name":"aws.partner/p.com/n/e","Account":"123456789012"}`},
		{"CreateConnection", `{"Name":"c","AuthorizationType":"BASIC","AuthParameters":{"BasicAuthParameters":{"Username":"u","Password":"p"}}}`},
		{"ListRules", `{"Limit":1e3,"NamePrefix":null}`},
		{"CreateEndpoint", `{"Name":"e","RoutingConfig":{},"EventBuses":[{},{}]}`},
		{"StartReplay", `{"ReplayName":"r","EventStartTime":"2026-01-01T00:00:00Z","EventEndTime":-1.5}`},
		{"Nope", `[]`},
		{"", ``},
	}
	for _, s := range seeds {
		f.Add(s.op, []byte(s.body))
	}
	ops := OperationNames()
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		ctx := context.Background()
		for _, name := range []string{op, ops[crc32.ChecksumIEEE([]byte(op))%uint32(len(ops))]} {
			out, err := Dispatch(ctx, Unimplemented{}, name, body)
			if out != nil {
				t.Fatalf("%s: Unimplemented produced output %#v", name, out)
			}
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s %q: error %v is not an *awserr.Error", name, body, err)
			}
			if e.Code == awserr.Validation && e.Message == "" {
				t.Fatalf("%s %q: empty validation message", name, body)
			}
		}
	})
}
