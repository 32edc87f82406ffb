package pattern

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// A conformanceCase is one expectation of testdata/conformance.txt.
type conformanceCase struct {
	line    int
	comment string
	pattern string
	kind    string // match, nomatch or error
	value   string // the event, or the error message
}

func readConformance(t testing.TB) []conformanceCase {
	t.Helper()
	f, err := os.Open("testdata/conformance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	var comment, pat string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "# ") {
			comment = line[2:]
			continue
		}
		kind, arg, _ := strings.Cut(line, " ")
		if strings.HasPrefix(arg, `"`) {
			u, err := strconv.Unquote(arg)
			if err != nil {
				t.Fatalf("line %d: %v", n, err)
			}
			arg = u
		}
		switch kind {
		case "pattern":
			pat = arg
		case "match", "nomatch", "error":
			cases = append(cases, conformanceCase{n, comment, pat, kind, arg})
		default:
			t.Fatalf("line %d: unknown directive %q", n, kind)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestConformance runs every case of testdata/conformance.txt through
// Compile, Pattern.Matches, a Matcher and the reference interpreter.
func TestConformance(t *testing.T) {
	cases := readConformance(t)
	if len(cases) < 100 {
		t.Fatalf("only %d conformance cases", len(cases))
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if c.kind == "error" {
			if err == nil {
				t.Errorf("line %d (%s): compiled, want error %q", c.line, c.comment, c.value)
			} else if err.Error() != c.value {
				t.Errorf("line %d (%s):\n got %q\nwant %q", c.line, c.comment, err.Error(), c.value)
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d (%s): %v", c.line, c.comment, err)
			continue
		}
		want := c.kind == "match"
		got, err := p.Matches([]byte(c.value))
		if err != nil || got != want {
			t.Errorf("line %d (%s): Matches(%s) = %v, %v; want %v", c.line, c.comment, c.value, got, err, want)
		}
		m := NewMatcher()
		if err := m.Add("r", p); err != nil {
			t.Fatal(err)
		}
		names, err := m.Match([]byte(c.value), nil)
		if err != nil || (len(names) == 1) != want || len(names) > 1 {
			t.Errorf("line %d (%s): Match(%s) = %q, %v; want match=%v", c.line, c.comment, c.value, names, err, want)
		}
		if ref := refMatches(t, c.pattern, c.value); ref != want {
			t.Errorf("line %d (%s): reference interpreter says %v for %s", c.line, c.comment, ref, c.value)
		}
	}
}
