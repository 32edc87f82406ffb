package pattern

import (
	"strings"
	"testing"
)

// TestWildcardComplexity checks the measure against event-ruler's
// MachineComplexityEvaluator: each figure was computed by event-ruler's own
// ByteMachine and evaluator (aws/event-ruler at commit 337e8d9, values
// quoted as its rule compiler quotes them). "!" marks an anything-but
// wildcard list, "|" separates globs.
func TestWildcardComplexity(t *testing.T) {
	cases := []struct {
		globs string
		want  int
	}{
		{"*", 2},
		{"abc", 1},
		{`a\*b*`, 2},
		{"ab*c", 2},
		{"*aa", 3},
		{"a*b*bb", 5},
		{"*a*", 3},
		{":*:*", 3},
		{"*:*:*", 5},
		{"*:*:eve", 4},
		{"*e:e", 3},
		{"*:*:*:*:*:eve", 10},
		{"*:*:*:*:*:e*", 11},
		{"*:*:*:*:*:event-bus/*", 11},
		{"arn:aws:events:us-east-1:*:event-bus/*", 3},
		{"/Users/*/doc.txt", 2},
		{"/Users/*/dir/dir/dir/dir/dir/doc.txt", 7},
		{"x0*|x1*|x2*|x3*|x4*", 5},
		{"*.bif|*.tiff|*.tif|*.svs", 8},
		{"*/datasync/*.bif|*/datasync/*.tif", 8},
		{"*/datasync/*.bif|*/datasync/*.tiff|*/datasync/*.tif|*/datasync/*.svs", 16},
		{"*:stack/SharedStack/*|*:stack/TrackerStack/*|*:stack/DriverStack/*", 9},
		{"*:stack/SharedStack/*|*:stack/TrackerStack/*|*:stack/DriverStack/*|*:stack/WorkerStack/*", 12},
		{"!*/dir/*", 4},
		{"!a*|b*|a*x", 2},
	}
	for _, tc := range cases {
		var terms []wildcardTerm
		list := strings.HasPrefix(tc.globs, "!")
		var ab wildcardTerm
		for _, src := range strings.Split(strings.TrimPrefix(tc.globs, "!"), "|") {
			g, reason := parseGlob(src)
			if reason != "" {
				t.Fatalf("%s: %s", src, reason)
			}
			if list {
				ab.globs = append(ab.globs, g)
			} else {
				terms = append(terms, wildcardTerm{[]*glob{g}})
			}
		}
		if list {
			terms = append(terms, ab)
		}
		if got := wildcardComplexity(terms, 1000); got != tc.want {
			t.Errorf("%s: complexity %d, want %d", tc.globs, got, tc.want)
		}
	}
}
