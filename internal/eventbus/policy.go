package eventbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// This file holds the bus resource policy: the document PutPermission and
// RemovePermission edit, DescribeEventBus returns as Policy, and the router
// consults before accepting an event another account sends to a bus.

// Policy document constants.
const (
	// PolicyVersion is the policy language version AWS writes.
	PolicyVersion = "2012-10-17"
	// ActionPutEvents is the one action PutPermission grants.
	ActionPutEvents = "events:PutEvents"
	// MaxPolicyLength bounds a bus policy document in bytes (AWS: 10 KB).
	MaxPolicyLength = 10240
)

// Statement effects.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// ErrBadPolicy is returned (wrapped) by ParsePolicy for a document that is
// not a policy: not a JSON object, no Statement list, a statement that is not
// an object, or an Effect other than Allow or Deny.
var ErrBadPolicy = errors.New("eventbus: not a valid policy document")

// A Policy is a parsed bus resource policy. Each statement is kept as the
// JSON it was given or rendered with, so IAM elements switchyard does not
// interpret survive adding and removing other statements. The zero Policy
// has no statements.
type Policy struct {
	Version    string
	ID         string
	Statements []json.RawMessage
}

// A Grant is the statement one PutPermission call without a Policy document
// adds: Principal is a 12-digit account or "*", Resource the bus ARN.
type Grant struct {
	Sid       string
	Principal string
	Action    string
	Resource  string
	Condition *PolicyCondition
}

// A PolicyCondition is PutPermission's Condition: Type "StringEquals", Key
// "aws:PrincipalOrgID", Value an organization ID.
type PolicyCondition struct {
	Type, Key, Value string
}

// statement is the part of an IAM statement switchyard reads. Principal,
// Action and their Not forms are a string or a list (Principal also an
// object of lists), so they stay raw until matched.
type statement struct {
	Sid          string          `json:"Sid,omitempty"`
	Effect       string          `json:"Effect"`
	Principal    json.RawMessage `json:"Principal,omitempty"`
	NotPrincipal json.RawMessage `json:"NotPrincipal,omitempty"`
	Action       json.RawMessage `json:"Action,omitempty"`
	NotAction    json.RawMessage `json:"NotAction,omitempty"`
	Condition    json.RawMessage `json:"Condition,omitempty"`
}

// ParsePolicy parses a policy document. "Statement" may be one object or a
// list of objects, as IAM allows. It returns an error wrapping ErrBadPolicy
// for anything that is not a policy.
func ParsePolicy(doc string) (Policy, error) {
	var top struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if !json.Valid([]byte(doc)) || !isJSONObject([]byte(doc)) || json.Unmarshal([]byte(doc), &top) != nil {
		return Policy{}, ErrBadPolicy
	}
	p := Policy{Version: top.Version, ID: top.ID}
	raw := bytes.TrimSpace(top.Statement)
	switch {
	case len(raw) == 0 || raw[0] == 'n':
		return Policy{}, ErrBadPolicy
	case raw[0] == '{':
		p.Statements = []json.RawMessage{raw}
	default:
		if err := json.Unmarshal(raw, &p.Statements); err != nil {
			return Policy{}, ErrBadPolicy
		}
	}
	for i, s := range p.Statements {
		var st statement
		if !isJSONObject(s) || json.Unmarshal(s, &st) != nil || (st.Effect != EffectAllow && st.Effect != EffectDeny) {
			return Policy{}, ErrBadPolicy
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, s); err != nil {
			return Policy{}, ErrBadPolicy
		}
		p.Statements[i] = buf.Bytes()
	}
	return p, nil
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// Statement renders g as AWS does, keys in the order Sid, Effect, Principal,
// Action, Resource, Condition: a "*" principal stays "*", an account becomes
// {"AWS":"arn:aws:iam::<account>:root"}, and a condition becomes
// {"<Type>":{"<Key>":"<Value>"}}.
func (g Grant) Statement() json.RawMessage {
	var principal any = "*"
	if g.Principal != "*" {
		principal = map[string]string{"AWS": "arn:aws:iam::" + g.Principal + ":root"}
	}
	var cond map[string]map[string]string
	if g.Condition != nil {
		cond = map[string]map[string]string{g.Condition.Type: {g.Condition.Key: g.Condition.Value}}
	}
	b, _ := json.Marshal(struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Principal any                          `json:"Principal"`
		Action    string                       `json:"Action"`
		Resource  string                       `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition,omitempty"`
	}{g.Sid, EffectAllow, principal, g.Action, g.Resource, cond})
	return b
}

// sid returns the Sid of a statement, "" when it has none.
func sid(s json.RawMessage) string {
	var st struct {
		Sid string `json:"Sid"`
	}
	_ = json.Unmarshal(s, &st)
	return st.Sid
}

// Sids returns the Sid of every statement that has one, in document order.
func (p Policy) Sids() []string {
	var out []string
	for _, s := range p.Statements {
		if id := sid(s); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// HasSid reports whether a statement carries the Sid id.
func (p Policy) HasSid(id string) bool {
	for _, s := range p.Statements {
		if sid(s) == id {
			return true
		}
	}
	return false
}

// PutStatement replaces the statements whose Sid is id with stmt (keeping
// the first one's place), or appends stmt when none has that Sid.
func (p *Policy) PutStatement(id string, stmt json.RawMessage) {
	out := make([]json.RawMessage, 0, len(p.Statements)+1)
	placed := false
	for _, s := range p.Statements {
		if sid(s) != id {
			out = append(out, s)
			continue
		}
		if !placed {
			out = append(out, stmt)
			placed = true
		}
	}
	if !placed {
		out = append(out, stmt)
	}
	p.Statements = out
}

// RemoveStatement removes every statement whose Sid is id and reports
// whether there was one.
func (p *Policy) RemoveStatement(id string) bool {
	out := p.Statements[:0:0]
	for _, s := range p.Statements {
		if sid(s) != id {
			out = append(out, s)
		}
	}
	removed := len(out) != len(p.Statements)
	p.Statements = out
	return removed
}

// Render returns the document as compact JSON ({"Version":...,"Statement":
// [...]}), or "" when the policy has no statements: a bus whose last
// statement is removed has no policy at all. A missing Version is written as
// PolicyVersion.
func (p Policy) Render() string {
	if len(p.Statements) == 0 {
		return ""
	}
	v := p.Version
	if v == "" {
		v = PolicyVersion
	}
	b, _ := json.Marshal(struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id,omitempty"`
		Statement []json.RawMessage `json:"Statement"`
	}{v, p.ID, p.Statements})
	return string(b)
}

// PolicyAllows reports whether the bus resource policy document policy lets
// principalAccount (a 12-digit account) perform action (e.g.
// "events:PutEvents") on the bus it is attached to. It is meant for callers
// from other accounts: a bus's own account needs no policy.
//
// It follows IAM's evaluation: some Allow statement must apply, and no Deny
// statement may. A statement applies when its Principal names the account
// ("*", {"AWS":"*"}, the account ID or arn:<partition>:iam::<account>:root,
// alone or in a list; NotPrincipal is the complement) and its Action (or
// NotAction) matches action, case-insensitively with * and ? wildcards.
// Resource is not checked: the policy is attached to the bus in question.
//
// Conditions cannot be evaluated locally (aws:PrincipalOrgID needs AWS
// Organizations), so the answer fails closed: an Allow statement with a
// non-empty Condition never allows, and a Deny statement with one always
// denies when its principal and action apply. An empty or unparseable
// policy allows nothing. Safe for concurrent use.
func PolicyAllows(policy string, principalAccount string, action string) bool {
	if policy == "" {
		return false
	}
	p, err := ParsePolicy(policy)
	if err != nil {
		return false
	}
	return p.Allows(principalAccount, action)
}

// Allows is PolicyAllows for a parsed policy.
func (p Policy) Allows(principalAccount, action string) bool {
	allowed := false
	for _, raw := range p.Statements {
		var st statement
		if json.Unmarshal(raw, &st) != nil || !st.applies(principalAccount, action) {
			continue
		}
		conditional := hasCondition(st.Condition)
		switch st.Effect {
		case EffectDeny:
			return false
		case EffectAllow:
			if !conditional {
				allowed = true
			}
		}
	}
	return allowed
}

func (st statement) applies(account, action string) bool {
	var who, what bool
	switch {
	case st.Principal != nil:
		who = principalNames(st.Principal, account)
	case st.NotPrincipal != nil:
		who = !principalNames(st.NotPrincipal, account)
	}
	switch {
	case st.Action != nil:
		what = anyGlob(st.Action, action)
	case st.NotAction != nil:
		what = !anyGlob(st.NotAction, action)
	}
	return who && what
}

func hasCondition(c json.RawMessage) bool {
	c = bytes.TrimSpace(c)
	return len(c) > 0 && !bytes.Equal(c, []byte("null")) && !bytes.Equal(c, []byte("{}"))
}

// principalNames reports whether a Principal element names account.
func principalNames(raw json.RawMessage, account string) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var byKind map[string]json.RawMessage
	if json.Unmarshal(raw, &byKind) != nil {
		return false
	}
	for _, v := range stringList(byKind["AWS"]) {
		if v == "*" || v == account || isRootOf(v, account) {
			return true
		}
	}
	return false
}

// isRootOf reports whether v is arn:<partition>:iam::<account>:root.
func isRootOf(v, account string) bool {
	a, ok := ParseARN(v)
	return ok && a.Service == "iam" && a.Region == "" && a.Account == account && a.Resource == "root"
}

// anyGlob reports whether any pattern of an Action element matches action.
func anyGlob(raw json.RawMessage, action string) bool {
	for _, p := range stringList(raw) {
		if WildcardMatch(strings.ToLower(p), strings.ToLower(action), true) {
			return true
		}
	}
	return false
}

// stringList reads a JSON string or list of strings; anything else is empty.
func stringList(raw json.RawMessage) []string {
	if raw == nil {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l
	}
	return nil
}

// WildcardMatch reports whether s matches pattern, in which '*' stands for
// any run of bytes (none included) and, when anyOne is set, '?' for any one
// byte; every other byte stands for itself. IAM policy actions take both
// ("events:Put*"); SigV4a region sets take only '*'. Event patterns'
// wildcards are another grammar, with escapes, in package pattern.
func WildcardMatch(pattern, s string, anyOne bool) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == s[i] || anyOne && pattern[p] == '?'):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
