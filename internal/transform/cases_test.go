package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/cases")

// A testCase is one file of testdata/cases, an archive in the txtar layout:
// a comment saying where the case comes from, then "-- name --" sections.
// Each section's text loses one trailing newline.
//
//	event        the event (default: testdata/event-ec2.json, AWS's example)
//	meta         {"ruleArn":..., "ruleName":..., "ingestionTime": RFC 3339}
//	input        the target's Input
//	inputpath    the target's InputPath
//	paths        the InputPathsMap, a JSON object
//	template     the InputTemplate (a transformer is set when paths or
//	             template is present)
//	want         what Apply returns (empty: nothing)
//	error        Compile's error message, instead of want
//	apply-error  Apply's error message, instead of want
//	json         (empty) the output must be valid JSON
type testCase struct {
	name     string
	comment  string
	sections []section
}

type section struct{ name, text string }

func (c *testCase) get(name string) (string, bool) {
	for _, s := range c.sections {
		if s.name == name {
			return s.text, true
		}
	}
	return "", false
}

// parseArchive reads the txtar layout described on testCase.
func parseArchive(name string, data []byte) (*testCase, error) {
	c := &testCase{name: name}
	text := string(data)
	var cur *section
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimSuffix(body.String(), "\n")
			c.sections = append(c.sections, *cur)
		} else {
			c.comment = body.String()
		}
		body.Reset()
	}
	for line := range strings.Lines(text) {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			cur = &section{name: strings.TrimSpace(trimmed[3 : len(trimmed)-3])}
			continue
		}
		body.WriteString(line)
	}
	flush()
	if c.comment == "" {
		return nil, errors.New("no comment saying where the case comes from")
	}
	return c, nil
}

// format writes c back in the txtar layout.
func (c *testCase) format() []byte {
	var b bytes.Buffer
	b.WriteString(c.comment)
	for _, s := range c.sections {
		b.WriteString("-- " + s.name + " --\n" + s.text + "\n")
	}
	return b.Bytes()
}

func (c *testCase) set(name, text string) {
	for i := range c.sections {
		if c.sections[i].name == name {
			c.sections[i].text = text
			return
		}
	}
	c.sections = append(c.sections, section{name, text})
}

// defaultMeta is the rule of AWS's examples.
var defaultMeta = Meta{
	RuleArn:       "arn:aws:events:us-east-2:123456789012:rule/example",
	RuleName:      "example",
	IngestionTime: time.Date(2015, 11, 11, 21, 29, 54, 512_000_000, time.UTC),
}

// target builds the eventbus.Target the case describes.
func (c *testCase) target(t *testing.T) eventbus.Target {
	t.Helper()
	tg := eventbus.Target{ID: "t1", Arn: "arn:aws:sqs:us-east-1:123456789012:q"}
	tg.Input, _ = c.get("input")
	tg.InputPath, _ = c.get("inputpath")
	paths, hasPaths := c.get("paths")
	tmpl, hasTmpl := c.get("template")
	if hasPaths || hasTmpl {
		tg.InputTransformer = &eventbus.InputTransformer{Template: tmpl}
		if hasPaths {
			if err := json.Unmarshal([]byte(paths), &tg.InputTransformer.PathsMap); err != nil {
				t.Fatalf("paths: %v", err)
			}
		}
	}
	return tg
}

func (c *testCase) eventAndMeta(t *testing.T) ([]byte, Meta) {
	t.Helper()
	event, ok := c.get("event")
	if !ok {
		b, err := os.ReadFile(filepath.Join("testdata", "event-ec2.json"))
		if err != nil {
			t.Fatal(err)
		}
		event = strings.TrimSuffix(string(b), "\n")
	}
	m := defaultMeta
	if s, ok := c.get("meta"); ok {
		var raw struct {
			RuleArn, RuleName string
			IngestionTime     time.Time
		}
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			t.Fatalf("meta: %v", err)
		}
		m = Meta{RuleArn: raw.RuleArn, RuleName: raw.RuleName, IngestionTime: raw.IngestionTime}
	}
	return []byte(event), m
}

func loadCases(t testing.TB) []*testCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/cases")
	}
	slices.Sort(files)
	var out []*testCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseArchive(strings.TrimSuffix(filepath.Base(f), ".txtar"), data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

// TestCases runs every testdata/cases archive. Run with -update to rewrite
// the want sections from what Apply returns, then review the diff.
func TestCases(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got, verdict := runCase(t, c)
			if *update {
				if _, isErr := c.get("error"); !isErr && verdict == "want" {
					c.set("want", got)
					path := filepath.Join("testdata", "cases", c.name+".txtar")
					if err := os.WriteFile(path, c.format(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want, _ := c.get(verdict)
			if got != want {
				t.Errorf("%s:\n got: %s\nwant: %s", verdict, got, want)
			}
		})
	}
}

// runCase compiles and applies c, returning the outcome and the section it
// is compared with.
func runCase(t *testing.T, c *testCase) (got, verdict string) {
	t.Helper()
	tr, err := Compile(c.target(t))
	if err != nil {
		if _, ok := c.get("error"); !ok {
			t.Fatalf("Compile: %v", err)
		}
		return strings.TrimPrefix(err.Error(), "ValidationException: "), "error"
	}
	if _, ok := c.get("error"); ok {
		t.Fatal("Compile succeeded, want an error")
	}
	event, m := c.eventAndMeta(t)
	out, err := tr.Apply(event, m)
	if err != nil {
		return err.Error(), "apply-error"
	}
	appended, err := tr.AppendApply([]byte("prefix:"), event, m)
	if err != nil || string(appended) != "prefix:"+string(out) {
		t.Errorf("AppendApply = %q, %v; want prefix:%s", appended, err, out)
	}
	if _, jsonTemplate := c.get("json"); jsonTemplate && !json.Valid(out) {
		t.Errorf("output is not JSON: %s", out)
	}
	return string(out), "want"
}
