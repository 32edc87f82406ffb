package eventbus

import (
	"errors"
	"reflect"
	"testing"
)

const busArn = "arn:aws:events:us-east-1:111111111111:event-bus/default"

func TestGrantStatement(t *testing.T) {
	cases := []struct {
		name string
		g    Grant
		want string
	}{
		{"account", Grant{Sid: "s1", Principal: "222222222222", Action: ActionPutEvents, Resource: busArn},
			`{"Sid":"s1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"events:PutEvents","Resource":"` + busArn + `"}`},
		{"everyone", Grant{Sid: "s2", Principal: "*", Action: ActionPutEvents, Resource: busArn},
			`{"Sid":"s2","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + busArn + `"}`},
		{"organization", Grant{Sid: "s3", Principal: "*", Action: ActionPutEvents, Resource: busArn,
			Condition: &PolicyCondition{Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-1234567890"}},
			`{"Sid":"s3","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + busArn + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1234567890"}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(c.g.Statement()); got != c.want {
				t.Errorf("Statement() =\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestPolicyEditing(t *testing.T) {
	var p Policy
	if got := p.Render(); got != "" {
		t.Fatalf("empty policy renders %q, want \"\"", got)
	}
	g := Grant{Sid: "a", Principal: "222222222222", Action: ActionPutEvents, Resource: busArn}
	p.PutStatement("a", g.Statement())
	p.PutStatement("b", Grant{Sid: "b", Principal: "*", Action: ActionPutEvents, Resource: busArn}.Statement())
	g.Principal = "333333333333"
	p.PutStatement("a", g.Statement()) // replaces in place
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"events:PutEvents","Resource":"` + busArn + `"},` +
		`{"Sid":"b","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + busArn + `"}]}`
	if got := p.Render(); got != want {
		t.Fatalf("Render() =\n%s\nwant\n%s", got, want)
	}
	if got := p.Sids(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Sids() = %v", got)
	}
	if !p.HasSid("b") || p.HasSid("c") {
		t.Errorf("HasSid wrong")
	}
	back, err := ParsePolicy(p.Render())
	if err != nil || back.Render() != want {
		t.Fatalf("ParsePolicy(Render()) = %q, %v", back.Render(), err)
	}
	if p.RemoveStatement("zz") {
		t.Errorf("RemoveStatement of an unknown Sid reported true")
	}
	if !p.RemoveStatement("a") || !p.RemoveStatement("b") {
		t.Fatalf("RemoveStatement of a known Sid reported false")
	}
	if got := p.Render(); got != "" {
		t.Errorf("policy without statements renders %q, want \"\"", got)
	}
}

func TestParsePolicy(t *testing.T) {
	cases := []struct {
		name, doc string
		ok        bool
		sids      []string
	}{
		{"list", `{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":"*","Action":"events:PutEvents"}]}`, true, []string{"x"}},
		{"single statement object", `{"Statement":{"Sid":"y","Effect":"Deny","Principal":"*","Action":"events:*"}}`, true, []string{"y"}},
		{"statement without sid", ` {"Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents"}]} `, true, nil},
		{"not json", `{"Statement":`, false, nil},
		{"trailing garbage", `{"Statement":[]}}`, false, nil},
		{"array", `[{"Effect":"Allow"}]`, false, nil},
		{"no statement", `{"Version":"2012-10-17"}`, false, nil},
		{"null statement", `{"Statement":null}`, false, nil},
		{"statement string", `{"Statement":"x"}`, false, nil},
		{"statement item not object", `{"Statement":[1]}`, false, nil},
		{"bad effect", `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"events:PutEvents"}]}`, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParsePolicy(c.doc)
			if (err == nil) != c.ok {
				t.Fatalf("ParsePolicy error = %v, want ok=%v", err, c.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrBadPolicy) {
					t.Errorf("error %v does not wrap ErrBadPolicy", err)
				}
				return
			}
			if got := p.Sids(); !reflect.DeepEqual(got, c.sids) {
				t.Errorf("Sids() = %v, want %v", got, c.sids)
			}
		})
	}
}

func TestPolicyAllows(t *testing.T) {
	const me, other = "222222222222", "333333333333"
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	org := Grant{Sid: "o", Principal: "*", Action: ActionPutEvents, Resource: busArn,
		Condition: &PolicyCondition{Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-1"}}
	cases := []struct {
		name, policy, account, action string
		want                          bool
	}{
		{"no policy", "", me, ActionPutEvents, false},
		{"garbage", "{", me, ActionPutEvents, false},
		{"granted account", stmt(string(Grant{Sid: "a", Principal: me, Action: ActionPutEvents, Resource: busArn}.Statement())), me, ActionPutEvents, true},
		{"other account", stmt(string(Grant{Sid: "a", Principal: me, Action: ActionPutEvents, Resource: busArn}.Statement())), other, ActionPutEvents, false},
		{"other action", stmt(string(Grant{Sid: "a", Principal: me, Action: ActionPutEvents, Resource: busArn}.Statement())), me, "events:PutRule", false},
		{"everyone", stmt(string(Grant{Sid: "a", Principal: "*", Action: ActionPutEvents, Resource: busArn}.Statement())), other, ActionPutEvents, true},
		{"organization condition fails closed", stmt(string(org.Statement())), me, ActionPutEvents, false},
		{"bare account id", stmt(`{"Effect":"Allow","Principal":{"AWS":"` + me + `"},"Action":"events:PutEvents"}`), me, ActionPutEvents, true},
		{"AWS star", stmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"events:PutEvents"}`), me, ActionPutEvents, true},
		{"principal list", stmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + other + `:root","arn:aws:iam::` + me + `:root"]},"Action":"events:PutEvents"}`), me, ActionPutEvents, true},
		{"role in account is not the account", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + me + `:role/r"},"Action":"events:PutEvents"}`), me, ActionPutEvents, false},
		{"service principal", stmt(`{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"events:PutEvents"}`), me, ActionPutEvents, false},
		{"action wildcard", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:Put*"}`), me, ActionPutEvents, true},
		{"action case-insensitive list", stmt(`{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","EVENTS:putevents"]}`), me, ActionPutEvents, true},
		{"action question mark", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutEvent?"}`), me, ActionPutEvents, true},
		{"action mismatch", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutRule"}`), me, ActionPutEvents, false},
		{"NotAction", stmt(`{"Effect":"Allow","Principal":"*","NotAction":"events:PutRule"}`), me, ActionPutEvents, true},
		{"NotPrincipal excludes", stmt(`{"Effect":"Allow","NotPrincipal":{"AWS":"` + me + `"},"Action":"events:PutEvents"}`), me, ActionPutEvents, false},
		{"empty condition is none", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Condition":{}}`), me, ActionPutEvents, true},
		{"explicit deny wins", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutEvents"},{"Effect":"Deny","Principal":{"AWS":"` + me + `"},"Action":"events:*"}`), me, ActionPutEvents, false},
		{"deny of another account", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutEvents"},{"Effect":"Deny","Principal":{"AWS":"` + other + `"},"Action":"events:*"}`), me, ActionPutEvents, true},
		{"conditional deny fails closed", stmt(`{"Effect":"Allow","Principal":"*","Action":"events:PutEvents"},{"Effect":"Deny","Principal":"*","Action":"events:PutEvents","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}`), me, ActionPutEvents, false},
		{"no principal element", stmt(`{"Effect":"Allow","Action":"events:PutEvents"}`), me, ActionPutEvents, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PolicyAllows(c.policy, c.account, c.action); got != c.want {
				t.Errorf("PolicyAllows = %v, want %v\npolicy: %s", got, c.want, c.policy)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		p, s   string
		anyOne bool
		want   bool
	}{
		{"*", "", true, true}, {"*", "abc", true, true}, {"a*c", "abbbc", true, true}, {"a*c", "abcd", true, false},
		{"a?c", "abc", true, true}, {"a?c", "ac", true, false}, {"**a", "ba", true, true}, {"", "", true, true}, {"", "a", true, false},
		{"a*b*c", "axbyc", true, true}, {"a*b*c", "axbyd", true, false},
		// Without anyOne (SigV4a region sets) '?' is itself.
		{"a?c", "abc", false, false}, {"a?c", "a?c", false, true}, {"us-*", "us-east-1", false, true},
		{"*-west-*", "us-east-1", false, false}, {"*", "eu-central-1", false, true},
		// A '*' in s is matched by a pattern's star like any other byte.
		{"a*b", "a*xb", true, true}, {"a*b", "a*xb", false, true},
	}
	for _, c := range cases {
		if got := WildcardMatch(c.p, c.s, c.anyOne); got != c.want {
			t.Errorf("WildcardMatch(%q, %q, %v) = %v, want %v", c.p, c.s, c.anyOne, got, c.want)
		}
	}
}
