package eventbus

import "testing"

// FuzzPolicy checks that any document either fails ParsePolicy or survives
// a render round trip unchanged, and that PolicyAllows never panics.
func FuzzPolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"events:PutEvents","Resource":"x"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","Principal":"*","NotAction":["events:Put*"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}`)
	f.Add(`{"Statement":[]}`)
	f.Add(`{"Statement":[1]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		_ = PolicyAllows(doc, "222222222222", ActionPutEvents)
		p, err := ParsePolicy(doc)
		if err != nil {
			return
		}
		out := p.Render()
		if out == "" {
			if len(p.Statements) != 0 {
				t.Fatalf("non-empty policy rendered empty: %q", doc)
			}
			return
		}
		back, err := ParsePolicy(out)
		if err != nil {
			t.Fatalf("rendered policy does not parse: %q -> %q: %v", doc, out, err)
		}
		if back.Render() != out {
			t.Fatalf("render not stable: %q -> %q -> %q", doc, out, back.Render())
		}
		if back.Allows("222222222222", ActionPutEvents) != p.Allows("222222222222", ActionPutEvents) {
			t.Fatalf("round trip changed the decision for %q", doc)
		}
	})
}

// FuzzTargetChecks feeds arbitrary text to the PutRule and PutTargets
// checkers, which must never panic.
func FuzzTargetChecks(f *testing.F) {
	for _, s := range []string{"rate(5 minutes)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 12 ? * 2#1 *)", "$.detail.list[0].x",
		`{"a":1}`, "env:dev", `"<st> <aws.events.event.json>"`, "<<x>>", "{\n x}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = ValidScheduleExpression(s)
		_ = ValidJSONPath(s)
		_ = TemplatePlaceholders(s)
		_ = CheckTargetInput("t", TargetInput{Input: &s})
		_ = CheckTargetInput("t", TargetInput{InputPath: &s})
		_ = CheckTargetInput("t", TargetInput{InputTransformer: &InputTransformer{PathsMap: map[string]string{"k": s}, Template: s}})
		_, _ = ParseBusTarget(s)
	})
}
