package delivery

import (
	"cmp"
	"reflect"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/transform"
)

func testJob() Job {
	return Job{
		Account: "222222222222", Bus: "orders",
		RuleArn: "arn:aws:events:us-east-1:222222222222:rule/orders/r1",
		Target: eventbus.Target{ID: "t1", Arn: "arn:aws:events:us-east-1:222222222222:event-bus/other",
			InputPath: "$.detail", RetryPolicy: eventbus.RetryPolicy{MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60},
			DeadLetterArn: "arn:aws:sqs:us-east-1:222222222222:dlq"},
		Event: eventbus.Event{ID: "e-1", Envelope: []byte(`{"id":"e-1","detail":{"a":{"b":[1,2]}}}`),
			IngestedAt: time.Date(2026, 11, 22, 12, 0, 0, 5, time.UTC), Hops: 2},
		EnqueuedAt: time.Date(2026, 11, 22, 12, 0, 1, 0, time.UTC),
	}
}

func TestJobRoundTrip(t *testing.T) {
	for name, j := range map[string]Job{
		"plain":   testJob(),
		"forward": func() Job { j := testJob(); j.DeadLetter = map[string]string{AttrErrorCode: CodeNoResource}; return j }(),
		"empty":   {Event: eventbus.Event{ID: "x"}},
	} {
		b, err := j.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: MarshalBinary: %v", name, err)
		}
		var got Job
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: UnmarshalBinary: %v", name, err)
		}
		if len(got.Event.Envelope) == 0 {
			got.Event.Envelope = nil
		}
		if j.EnqueuedAt.IsZero() {
			got.EnqueuedAt = time.Time{}
			got.Event.IngestedAt = j.Event.IngestedAt
		}
		if !reflect.DeepEqual(got, j) {
			t.Errorf("%s: round trip\n got  %+v\n want %+v", name, got, j)
		}
	}
}

func TestJobUnmarshalRejectsGarbage(t *testing.T) {
	good, err := func() ([]byte, error) { j := testJob(); return j.MarshalBinary() }()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":         nil,
		"version":       append([]byte{9}, good[1:]...),
		"short meta":    good[:5],
		"huge length":   {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad json":      {1, 2, '{', '!'},
		"missing event": good[:len(good)-len(`{"id":"e-1","detail":{"a":{"b":[1,2]}}}`)-20],
	} {
		var j Job
		if err := j.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: decoded %+v", name, j)
		}
	}
}

func TestJobMsgID(t *testing.T) {
	j := testJob()
	id := j.MsgID()
	if want := "e-1/2/arn:aws:events:us-east-1:222222222222:rule/orders/r1/t1"; id != want {
		t.Errorf("MsgID %q, want %q", id, want)
	}
	hop := testJob()
	hop.Event.Hops++
	other := testJob()
	other.Target.ID = "t2"
	fwd := testJob()
	fwd.DeadLetter = map[string]string{}
	for name, o := range map[string]Job{"next hop": hop, "other target": other, "dead-letter forward": fwd} {
		if o.MsgID() == id {
			t.Errorf("%s has the same MsgID %q", name, id)
		}
	}
	again := testJob()
	again.EnqueuedAt = again.EnqueuedAt.Add(time.Minute) // a re-routed batch
	if again.MsgID() != id {
		t.Error("re-routing the same event changed its MsgID")
	}
}

// TestTargetInput runs the default Transformer, package transform's, over
// the kinds of target input settings and the failures a Classify sees.
func TestTargetInput(t *testing.T) {
	env := `{"version":"0","id":"e","detail":{"a":{"b":"x y"},"n":null,"arr":[1]}}`
	tmpl := func(paths map[string]string, text string) eventbus.Target {
		return eventbus.Target{ID: "t", InputTransformer: &eventbus.InputTransformer{PathsMap: paths, Template: text}}
	}
	tests := map[string]struct {
		target  eventbus.Target
		event   string // env if empty
		want    string
		errCode string
	}{
		"whole event":           {target: eventbus.Target{}, want: env},
		"constant input":        {target: eventbus.Target{Input: `{"k":1}`}, want: `{"k":1}`},
		"dollar":                {target: eventbus.Target{InputPath: "$"}, want: env},
		"detail":                {target: eventbus.Target{InputPath: "$.detail"}, want: `{"a":{"b":"x y"},"n":null,"arr":[1]}`},
		"nested":                {target: eventbus.Target{InputPath: "$.detail.a.b"}, want: `"x y"`},
		"null":                  {target: eventbus.Target{InputPath: "$.detail.n"}, want: `null`},
		"missing":               {target: eventbus.Target{InputPath: "$.detail.zz"}, want: ``},
		"through a scalar":      {target: eventbus.Target{InputPath: "$.version.x"}, want: ``},
		"array index":           {target: eventbus.Target{InputPath: "$.detail.arr[0]"}, want: `1`},
		"template":              {target: tmpl(map[string]string{"b": "$.detail.a.b"}, `{"b":<b>,"rule":"<aws.events.rule-name>"}`), want: `{"b":"x y","rule":"r"}`},
		"no dollar":             {target: eventbus.Target{InputPath: "detail"}, errCode: CodeInvalidParameter},
		"undefined placeholder": {target: tmpl(nil, "<x>"), errCode: CodeInvalidParameter},
		"event not JSON":        {target: eventbus.Target{InputPath: "$.detail"}, event: `{"detail":`, errCode: CodeInvalidJSON},
	}
	tr := TargetInput(transform.NewCache(0))
	for name, tc := range tests {
		event := cmp.Or(tc.event, env)
		j := Job{RuleArn: "arn:aws:events:us-east-1:222222222222:rule/orders/r", Target: tc.target, Event: eventbus.Event{Envelope: []byte(event)}}
		got, err := tr.Transform(&j)
		if tc.errCode != "" {
			if e := Classify(err); e == nil || e.Code != tc.errCode || e.Retryable {
				t.Errorf("%s: error %v, want permanent %s", name, err, tc.errCode)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, tc.want)
		}
	}
}

func TestDeadLetterAttributes(t *testing.T) {
	dl := DeadLetter{Job: testJob(), ErrorCode: CodeErrorFromTarget, ErrorMessage: "bad\r\nthing\x00", Condition: ConditionAge, RetryAttempts: 4}
	want := map[string]string{
		"RULE_ARN":                  "arn:aws:events:us-east-1:222222222222:rule/orders/r1",
		"TARGET_ARN":                "arn:aws:events:us-east-1:222222222222:event-bus/other",
		"ERROR_CODE":                "ERROR_FROM_TARGET",
		"ERROR_MESSAGE":             "bad  thing ",
		"EXHAUSTED_RETRY_CONDITION": "MaximumEventAgeInSeconds",
		"RETRY_ATTEMPTS":            "4",
	}
	if got := dl.Attributes(); !reflect.DeepEqual(got, want) {
		t.Errorf("Attributes:\n got  %v\n want %v", got, want)
	}
	dl.Condition = ""
	if _, ok := dl.Attributes()[AttrExhaustedRetryCondition]; ok {
		t.Error("EXHAUSTED_RETRY_CONDITION set for a non-retryable failure")
	}
	if got := oneLine("ééé", 3); got != "é" {
		t.Errorf("oneLine cut inside a rune: %q", got)
	}
}
