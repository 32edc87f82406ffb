package main

import (
	"regexp"
	"testing"
)

// conforms reports whether s conforms to the translated pattern.
func conforms(t *testing.T, gp goPattern, s string) bool {
	t.Helper()
	ok := regexp.MustCompile(gp.Match).MatchString(s)
	if gp.NotMatch != "" && regexp.MustCompile(gp.NotMatch).MatchString(s) {
		ok = false
	}
	return ok
}

func TestTranslatePatternSemantics(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		// Whole-string match, as java.util.regex.Matcher.matches().
		{`aws\.partner(/[\.\-_A-Za-z0-9]+){2,}`, []string{"aws.partner/a/b", "aws.partner/a.b/c/d"}, []string{"x aws.partner/a/b", "aws.partner/a", "aws.partner/a/b\n", "aws.partner/a/b c"}},
		// Java's '.' excludes every line terminator, not only \n.
		{`.*`, []string{"", "any text", "tab\there"}, []string{"a\nb", "a\rb", "a\u0085b", "a\u2028b", "a\u2029b"}},
		// RE2 has no lookahead: ^(?!X$)Y is "Y and not X".
		{`^(?!\s*$).+`, []string{"a", " a ", "a b"}, []string{"", " ", "\t \v", "a\nb"}},
		// Java's \s includes the vertical tab, RE2's does not.
		{`[\s]+`, []string{" \t\n\v\f\r"}, []string{"a"}},
		{`\s*x`, []string{"\vx", "x"}, []string{"\u00a0x"}},
		// \p{..} followed by a quantifier is not a possessive quantifier.
		{`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`, []string{"ä b:1", ""}, []string{"a#b"}},
		{`\p{L}+`, []string{"äb"}, []string{"a1"}},
		// '$' anchors the end of the input, never before a final newline.
		{`^[\-a-z0-9]+$`, []string{"us-east-1"}, []string{"us-east-1\n"}},
		// A literal backslash escape is kept as the model wrote it.
		{`^arn:[a-z0-9\\-]+:x:\\d{2}$`, []string{`arn:a\b:x:\dd`}, []string{"arn:a:x:12"}},
	}
	for _, tt := range tests {
		gp, err := translatePattern(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		for _, s := range tt.yes {
			if !conforms(t, gp, s) {
				t.Errorf("%s (as %s / %s) must accept %q", tt.pattern, gp.Match, gp.NotMatch, s)
			}
		}
		for _, s := range tt.no {
			if conforms(t, gp, s) {
				t.Errorf("%s (as %s / %s) must reject %q", tt.pattern, gp.Match, gp.NotMatch, s)
			}
		}
	}
}

func TestTranslatePatternRejectsWhatRE2Lacks(t *testing.T) {
	for _, p := range []string{`(?=a)b`, `a(?!b)`, `(?<=a)b`, `(a)\1`, `a++`, `[a-z&&[^b]]`, `[a[b]]`, `\`, `[abc`, `^(?!a`, `^(?!a)b`} {
		if gp, err := translatePattern(p); err == nil {
			t.Errorf("translatePattern(%q) = %+v, want an error", p, gp)
		}
	}
}

func TestEnumConst(t *testing.T) {
	tests := map[[2]string]string{
		{"EventSourceState", "PENDING"}:                                "EventSourceStatePending",
		{"RuleState", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}: "RuleStateEnabledWithAllCloudtrailManagementEvents",
		{"PlacementConstraintType", "distinctInstance"}:                "PlacementConstraintTypeDistinctInstance",
		{"LaunchType", "EC2"}:                                          "LaunchTypeEc2",
		{"ConnectionAuthorizationType", "OAUTH_CLIENT_CREDENTIALS"}:    "ConnectionAuthorizationTypeOauthClientCredentials",
	}
	for in, want := range tests {
		if got := enumConst(in[0], in[1]); got != want {
			t.Errorf("enumConst(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}
