package eventbus

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidScheduleExpression(t *testing.T) {
	cases := []struct {
		expr string
		ok   bool
	}{
		{"rate(1 minute)", true},
		{"rate(2 minutes)", true},
		{"rate(1 hour)", true},
		{"rate(12 hours)", true},
		{"rate(1 day)", true},
		{"rate(7 days)", true},
		{"rate(1 minutes)", false}, // plural with 1
		{"rate(3 minute)", false},  // singular with 3
		{"rate(0 minutes)", false},
		{"rate(05 minutes)", false},
		{"rate(-1 minutes)", false},
		{"rate(5 weeks)", false},
		{"rate(5  minutes)", false},
		{"rate(5 minutes", false},
		{"cron(0 20 * * ? *)", true},
		{"cron(0 10 * * ? *)", true},
		{"cron(15 12 * * ? *)", true},
		{"cron(0 18 ? * MON-FRI *)", true},
		{"cron(0 8 1 * ? *)", true},
		{"cron(0/15 * * * ? *)", true},
		{"cron(0/10 * ? * MON-FRI *)", true},
		{"cron(0/5 8-17 ? * MON-FRI *)", true},
		{"cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)", true},
		{"cron(1-31/30 1-1 ? * 1,7 *)", true},
		{"cron(0 12 L * ? *)", true},
		{"cron(0 12 15W * ? 2027)", true},
		{"cron(0 12 ? JAN-MAR 6L *)", true},
		{"cron(0 12 ? * 2#1 *)", true},
		{"cron(7 20 * * 1-7 *)", false}, // neither day field is ?
		{"cron(0 12 ? * ? *)", false},   // both are
		{"cron(* ? * * * *)", false},    // ? in hours
		{"cron(*/60 * * * ? *)", false}, // increment beyond minutes
		{"cron(15 12 ? * -1 *)", false}, // negative weekday
		{"cron(0/10 * * * *)", false},   // five fields
		{"cron(60 * * * ? *)", false},   // minute out of range
		{"cron(0 24 * * ? *)", false},   // hour out of range
		{"cron(0 0 32 * ? *)", false},   // day out of range
		{"cron(0 0 * 13 ? *)", false},   // month out of range
		{"cron(0 0 ? * 8 *)", false},    // weekday out of range
		{"cron(0 0 * * ? 1969)", false}, // year out of range
		{"cron(0/5, 9-18, ?, *, MON-FRI, *)", false},
		{"cron(0 0 * FOO ? *)", false},
		{"", false},
		{"every 5 minutes", false},
	}
	for _, c := range cases {
		if got := ValidScheduleExpression(c.expr); got != c.ok {
			t.Errorf("ValidScheduleExpression(%q) = %v, want %v", c.expr, got, c.ok)
		}
	}
}

func TestValidJSONPath(t *testing.T) {
	cases := []struct {
		p  string
		ok bool
	}{
		{"$", true}, {"$.detail", true}, {"$.detail.a-b", true}, {"$.detail-type", true},
		{"$.resources[0]", true}, {"$.detail.list[12].x", true}, {"$.detail.instance-id", true},
		{"", false}, {"detail", false}, {"$.", false}, {"$..a", false}, {"$.a[", false},
		{"$.a[x]", false}, {"$.a[]", false}, {"$['a']", false}, {"$.a b", false}, {"$a", false},
	}
	for _, c := range cases {
		if got := ValidJSONPath(c.p); got != c.ok {
			t.Errorf("ValidJSONPath(%q) = %v, want %v", c.p, got, c.ok)
		}
	}
}

func TestTemplatePlaceholders(t *testing.T) {
	cases := []struct {
		tmpl string
		want []string
	}{
		{`"<instance> is in state <status>"`, []string{"instance", "status"}},
		{`{"rule": <aws.events.rule-arn>, "e": <aws.events.event.json>}`, []string{"aws.events.rule-arn", "aws.events.event.json"}},
		{`a < b > c`, nil},
		{`<<x>>`, []string{"x"}},
		{`<unterminated`, nil},
		{`<>`, nil},
		{`<a <b>`, []string{"b"}}, {`"\<a>"`, []string{"a"}}, {`<ü><a>`, []string{"a"}}, {`<a b><c>`, []string{"c"}},
		{`>a<b<c>d>`, []string{"c"}}, {`<a.b-c_d>`, []string{"a.b-c_d"}},
	}
	for _, c := range cases {
		var got []string
		for _, p := range TemplatePlaceholders(c.tmpl) {
			if c.tmpl[p.Start:p.End] != "<"+p.Name+">" {
				t.Errorf("TemplatePlaceholders(%q): bytes %d:%d are %q, not <%s>", c.tmpl, p.Start, p.End, c.tmpl[p.Start:p.End], p.Name)
			}
			got = append(got, p.Name)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("TemplatePlaceholders(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
}

func TestCheckTargetInput(t *testing.T) {
	s := func(v string) *string { return &v }
	it := func(paths map[string]string, tmpl string) *InputTransformer {
		return &InputTransformer{PathsMap: paths, Template: tmpl}
	}
	cases := []struct {
		name string
		in   TargetInput
		want string // "" or a prefix of the message
	}{
		{"nothing", TargetInput{}, ""},
		{"constant", TargetInput{Input: s(`{"a":1}`)}, ""},
		{"constant scalar", TargetInput{Input: s(`"text"`)}, ""},
		{"empty input is absent", TargetInput{Input: s(""), InputPath: s("$.detail")}, ""},
		{"input and path", TargetInput{Input: s(`{}`), InputPath: s("$.detail")},
			"Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"path and transformer", TargetInput{InputPath: s("$"), InputTransformer: it(nil, `"x"`)},
			"Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"bad json word", TargetInput{Input: s("env:dev")},
			`JSON syntax error in input for target t1: [Source: (String)"env:dev"; line: 1, column: 4]`},
		{"bad json quote", TargetInput{Input: s("{'db_name':1}")},
			`JSON syntax error in input for target t1: [Source: (String)"{'db_name':1}"; line: 1, column: 3]`},
		{"bad json second line", TargetInput{Input: s("{\n x}")},
			"JSON syntax error in input for target t1: [Source: (String)\"{\n x}\"; line: 2, column: 3]"},
		{"truncated json", TargetInput{Input: s(`{"a":`)},
			`JSON syntax error in input for target t1: [Source: (String)"{"a":"; line: 1, column: 6]`},
		{"bad path", TargetInput{InputPath: s("detail")}, "Invalid InputPath for target t1: detail is not a valid JSON path."},
		{"transformer ok", TargetInput{InputTransformer: it(map[string]string{"st": "$.detail.status"},
			`"<st> at <aws.events.event.ingestion-time> by <aws.events.rule-name>"`)}, ""},
		{"undefined placeholder", TargetInput{InputTransformer: it(map[string]string{"st": "$.detail.status"}, `"<st> <notdefinedkey>"`)},
			"InputTemplate for target t1 contains invalid placeholder notdefinedkey."},
		{"bad map path", TargetInput{InputTransformer: it(map[string]string{"st": "detail"}, `"<st>"`)},
			"Invalid InputPathsMap for target t1: detail is not a valid JSON path."},
		{"AWS key", TargetInput{InputTransformer: it(map[string]string{"AWSx": "$.a"}, `"x"`)},
			`InputPathsMap for target t1 contains invalid key AWSx: keys can't start with "AWS".`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CheckTargetInput("t1", c.in); got != c.want {
				t.Errorf("CheckTargetInput =\n %q\nwant\n %q", got, c.want)
			}
		})
	}
}

func TestJacksonSourceTruncates(t *testing.T) {
	long := strings.Repeat("x", 510)
	got := jacksonSource(long, 1, 2)
	want := `[Source: (String)"` + strings.Repeat("x", 500) + `"[truncated 10 chars]; line: 1, column: 2]`
	if got != want {
		t.Errorf("jacksonSource = %q", got)
	}
}

func TestParseBusTarget(t *testing.T) {
	cases := []struct {
		arn  string
		want BusTarget
		ok   bool
	}{
		{"arn:aws:events:us-east-1:222222222222:event-bus/orders", BusTarget{"us-east-1", "222222222222", "orders"}, true},
		{"arn:aws:events:eu-west-1:222222222222:event-bus/default", BusTarget{"eu-west-1", "222222222222", "default"}, true},
		{"arn:aws:events:us-east-1:222222222222:event-bus/aws.partner/acme/ns/e", BusTarget{"us-east-1", "222222222222", "aws.partner/acme/ns/e"}, true},
		{"arn:aws:events:us-east-1:222222222222:rule/r", BusTarget{}, false},
		{"arn:aws:sqs:us-east-1:222222222222:q", BusTarget{}, false},
		{"arn:aws:events:us-east-1:2222:event-bus/x", BusTarget{}, false},
		{"arn:aws:events:us-east-1:222222222222:event-bus/", BusTarget{}, false},
		{"not-an-arn", BusTarget{}, false},
	}
	for _, c := range cases {
		got, ok := ParseBusTarget(c.arn)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseBusTarget(%q) = %+v, %v; want %+v, %v", c.arn, got, ok, c.want, c.ok)
		}
	}
	if CheckTargetARN("arn:aws:sqs:us-east-1:222222222222:q") != "" {
		t.Error("CheckTargetARN rejected an SQS ARN")
	}
	if got := CheckTargetARN("queue"); got != "Parameter queue is not valid. Reason: Provided Arn is not in correct format." {
		t.Errorf("CheckTargetARN(queue) = %q", got)
	}
}
