package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// TestAcceptedByPutTargetsCompiles: an InputTransformer PutTargets'
// check (eventbus.CheckTargetInput) accepts compiles for delivery, and one
// it refuses does not. Both read placeholders with
// eventbus.TemplatePlaceholders; the cases are the ones where scanners of
// angle brackets tend to differ.
func TestAcceptedByPutTargetsCompiles(t *testing.T) {
	paths := map[string]string{"a": "$.detail.a", "b": "$.detail.b", "c": "$.detail.c", "x": "$.x"}
	tests := []struct {
		name, template string
		accepted       bool
	}{
		{"two in a string", `"<a> and <b>"`, true},
		{"unclosed then closed", `<a <b>`, true},
		{"spaced brackets", `a < b > c`, true},
		{"doubled brackets", `<<x>>`, true},
		{"unterminated", `<unterminated`, true},
		{"empty brackets", `<>`, true},
		{"predefined", `{"e":<aws.events.event.json>,"r":"<aws.events.rule-arn>"}`, true},
		{"space inside", `<a b><c>`, true},
		{"reversed", `>a<b<c>d>`, true},
		{"escaped quote before", `"\<a>"`, true},
		{"non-ASCII name", `<ü><a>`, true},
		{"undefined", `"<a> <nope>"`, false},
		{"undefined after unclosed", `<a <nope>`, false},
		{"predefined prefix", `<aws.events>`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := &eventbus.InputTransformer{PathsMap: paths, Template: tc.template}
			msg := eventbus.CheckTargetInput("t1", eventbus.TargetInput{InputTransformer: it})
			if (msg == "") != tc.accepted {
				t.Fatalf("CheckTargetInput = %q, want accepted %v", msg, tc.accepted)
			}
			_, err := Compile(eventbus.Target{ID: "t1", InputTransformer: it})
			if (err == nil) != tc.accepted {
				t.Fatalf("PutTargets accepted %v, Compile error %v", tc.accepted, err)
			}
		})
	}
}

// agreementPaths are paths both grammars must judge alike, except that
// parsePath also takes "[*]".
var agreementPaths = []string{
	"$", "$.a", "$.a.b", "$.a-b/c:d", "$.a[0]", "$.a[0][12]", "$.a.*", "$.*", "$.a[*]", "$.a[*].b",
	"", "a", "$.", "$..a", "$.a.", "$a", "$[0]", "$.a[]", "$.a[x]", "$.a[-1]", "$.a b", "$.a]", "$.a[0]b",
	"$['a']", "$.a[99999999999999999999999]", "$.ü", "$.a\tb",
}

func TestPathGrammarAgreesWithEventbus(t *testing.T) {
	for _, p := range agreementPaths {
		checkPathAgrees(t, p)
	}
}

func checkPathAgrees(t *testing.T, p string) {
	t.Helper()
	_, ok := parsePath(p)
	valid := eventbus.ValidJSONPath(p)
	switch {
	case valid && !ok:
		t.Fatalf("eventbus accepts %q, parsePath does not", p)
	case ok && !valid && !strings.Contains(p, "[*]"):
		t.Fatalf("parsePath accepts %q, eventbus does not", p)
	}
}

func TestCompileErrorIsValidationException(t *testing.T) {
	_, err := Compile(eventbus.Target{ID: "t1", InputPath: "detail"})
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != awserr.Validation {
		t.Fatalf("Compile error = %v, want a ValidationException", err)
	}
}

func TestCompileLimits(t *testing.T) {
	long := strings.Repeat("é", MaxTemplateLength) // characters, not bytes
	cases := []struct {
		name string
		t    eventbus.Target
		ok   bool
	}{
		{"template at limit", eventbus.Target{InputTransformer: &eventbus.InputTransformer{Template: `"` + long[:len(long)-4] + `"`}}, true},
		{"template over limit", eventbus.Target{InputTransformer: &eventbus.InputTransformer{Template: `"` + long + `"`}}, false},
		{"input over limit", eventbus.Target{Input: `"` + strings.Repeat("x", MaxInputLength) + `"`}, false},
		{"inputpath over limit", eventbus.Target{InputPath: "$." + strings.Repeat("x", MaxInputPathLength)}, false},
		{"map value over limit", eventbus.Target{InputTransformer: &eventbus.InputTransformer{
			PathsMap: map[string]string{"k": "$." + strings.Repeat("x", MaxInputPathLength)}, Template: `"<k>"`}}, false},
		{"key over limit", eventbus.Target{InputTransformer: &eventbus.InputTransformer{
			PathsMap: map[string]string{strings.Repeat("k", MaxKeyLength+1): "$"}, Template: `"x"`}}, false},
		{"100 paths", eventbus.Target{InputTransformer: &eventbus.InputTransformer{PathsMap: nPaths(100), Template: `"x"`}}, true},
	}
	for _, c := range cases {
		c.t.ID = "t1"
		_, err := Compile(c.t)
		if (err == nil) != c.ok {
			t.Errorf("%s: Compile error = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func nPaths(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m["k"+strings.Repeat("x", i)] = "$.detail"
	}
	return m
}

func TestNewMeta(t *testing.T) {
	at := time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC)
	cases := map[string]string{
		"arn:aws:events:us-east-1:111111111111:rule/r1":                        "r1",
		"arn:aws:events:us-east-1:111111111111:rule/orders/r1":                 "r1",
		"arn:aws:events:us-east-1:111111111111:rule/aws.partner/acme/ns/e/r-1": "r-1",
		"no-slash": "no-slash",
	}
	for arn, name := range cases {
		if got := NewMeta(arn, at); got != (Meta{RuleArn: arn, RuleName: name, IngestionTime: at}) {
			t.Errorf("NewMeta(%q) = %+v", arn, got)
		}
	}
}

func TestIngestionTimeFormat(t *testing.T) {
	cases := map[time.Time]string{
		time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC):                              `"2026-11-22T13:56:00Z"`,
		time.Date(2026, 11, 22, 13, 56, 0, 120_000_000, time.UTC):                    `"2026-11-22T13:56:00.120Z"`,
		time.Date(2026, 11, 22, 13, 56, 0, 999_999, time.UTC):                        `"2026-11-22T13:56:00Z"`,
		time.Date(2026, 11, 22, 8, 56, 0, 1_000_000, time.FixedZone("EST", -5*3600)): `"2026-11-22T13:56:00.001Z"`,
	}
	for at, want := range cases {
		if got := string(appendIngestionTime(nil, at, false)); got != want {
			t.Errorf("appendIngestionTime(%v) = %s, want %s", at, got, want)
		}
	}
}

func TestNameEquals(t *testing.T) {
	cases := []struct {
		raw, s string
		want   bool
	}{
		{`abc`, "abc", true},
		{`abc`, "abd", false},
		{`ab`, "abc", false},
		{`\u0061bc`, "abc", true},
		{`a\"b`, `a"b`, true},
		{`a\/b`, "a/b", true},
		{`\u00e9`, "é", true},
		{`\ud83d\ude00`, "😀", true},
		{`\ud83d`, "\uFFFD", true},
		{`\x`, "x", false},
		{`\u12`, "x", false},
		{`a\`, "a", false},
	}
	for _, c := range cases {
		if got := nameEquals([]byte(c.raw), c.s); got != c.want {
			t.Errorf("nameEquals(%q, %q) = %v", c.raw, c.s, got)
		}
	}
}

func TestAppendEscaped(t *testing.T) {
	in := "q\"b\\s\n\r\t\x01\x7f é \xff 😀"
	got := appendText(nil, in, false)
	var back string
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("appendText(%q) = %s: %v", in, got, err)
	}
	if want := strings.ToValidUTF8(in, "\uFFFD"); back != want {
		t.Errorf("round trip = %q, want %q", back, want)
	}
}

// TestApplyConcurrently shares one Transformer between goroutines (run
// with -race).
func TestApplyConcurrently(t *testing.T) {
	tr, err := Compile(eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{"s": "$.detail.state", "all": "$.resources.*"},
		Template: `{"s": <s>, "all": <all>, "rule": "<aws.events.rule-name>", "e": <aws.events.event>}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	event := []byte(`{"version":"0","id":"1","detail-type":"t","source":"s","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["a","b"],"detail":{"state":"ok"}}`)
	want, err := tr.Apply(event, defaultMeta)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				got, err := tr.Apply(event, defaultMeta)
				if err != nil || string(got) != string(want) {
					t.Errorf("Apply = %s, %v; want %s", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	rule := "arn:aws:events:us-east-1:111111111111:rule/r"
	target := eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{"s": "$.detail.state"}, Template: `"<s>"`}}
	first, err := c.Get(rule, target)
	if err != nil {
		t.Fatal(err)
	}
	// The same settings, decoded afresh for another job: the same Transformer.
	again := eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{"s": "$.detail.state"}, Template: `"<s>"`}}
	if got, _ := c.Get(rule, again); got != first {
		t.Error("same settings compiled again")
	}
	// Changing the caller's map afterwards does not change the cached entry.
	again.InputTransformer.PathsMap["s"] = "$.detail.other"
	if got, _ := c.Get(rule, again); got == first {
		t.Error("changed paths map served the old Transformer")
	}
	for _, changed := range []eventbus.Target{
		{ID: "t1", InputTransformer: &eventbus.InputTransformer{PathsMap: map[string]string{"s": "$.detail.state"}, Template: `"<s>!"`}},
		{ID: "t1", InputPath: "$.detail"},
		{ID: "t1", Input: `{}`},
		{ID: "t1"},
	} {
		got, err := c.Get(rule, changed)
		if err != nil || got == first {
			t.Errorf("Get(%+v) = %p, %v; want a new Transformer", changed, got, err)
		}
	}
	// Errors are kept, and the size bound holds.
	bad := eventbus.Target{ID: "t2", InputPath: "detail"}
	if _, err := c.Get(rule, bad); err == nil {
		t.Error("bad InputPath compiled")
	}
	if _, err := c.Get(rule, bad); err == nil {
		t.Error("cached bad InputPath lost its error")
	}
	if _, err := c.Get(rule+"2", target); err != nil {
		t.Fatal(err)
	}
	c.mu.RLock()
	n := len(c.m)
	c.mu.RUnlock()
	if n > 2 {
		t.Errorf("cache holds %d entries, max 2", n)
	}
}

func TestPredefinedNamesAreEventbus(t *testing.T) {
	for _, name := range []string{eventbus.PlaceholderRuleArn, eventbus.PlaceholderRuleName, eventbus.PlaceholderIngestionTime, eventbus.PlaceholderEvent, eventbus.PlaceholderEventJSON} {
		if !eventbus.IsPredefinedPlaceholder(name) {
			t.Errorf("%s is not predefined for eventbus", name)
		}
		if v, ok := resolve(name, nil); !ok || v.src == srcPath {
			t.Errorf("resolve(%s) = %+v, %v", name, v, ok)
		}
	}
}
