package apimodel

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/switchyard/switchyard/internal/awserr"
)

var update = flag.Bool("update", false, "rewrite the expected results in testdata/*.txt")

// A dispatchCase is one block of a testdata script:
//
//	=== name
//	Operation
//	body (any number of lines, possibly none)
//	---
//	Code: message    (what Dispatch returns through Unimplemented)
type dispatchCase struct {
	name, op, body, want string
}

func readCases(t *testing.T, path string) (header string, cases []dispatchCase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c *dispatchCase
	var body []string
	state := "header"
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			c = &dispatchCase{name: strings.TrimPrefix(line, "=== ")}
			body, state = nil, "op"
		case state == "header":
			header += line + "\n"
		case state == "op":
			c.op, state = line, "body"
		case state == "body" && line == "---":
			c.body, state = strings.Join(body, "\n"), "want"
		case state == "body":
			body = append(body, line)
		case state == "want":
			c.want, state = unquoteWant(t, line), "between"
			cases = append(cases, *c)
		case state == "between" && line != "":
			t.Fatalf("%s: unexpected line after case %q: %q", path, c.name, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if state == "want" { // expected line not written yet: -update fills it in
		cases = append(cases, *c)
		state = "between"
	}
	if state != "between" && state != "header" {
		t.Fatalf("%s: unterminated case %q", path, c.name)
	}
	return header, cases
}

func writeCases(t *testing.T, path, header string, cases []dispatchCase) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(header)
	for i, c := range cases {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("=== " + c.name + "\n" + c.op + "\n")
		if c.body != "" {
			b.WriteString(c.body + "\n")
		}
		b.WriteString("---\n" + quoteWant(c.want) + "\n")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// quoteWant writes an expected line that holds a control character (AWS
// echoes values verbatim) as a Go string literal; unquoteWant reads it back.
func quoteWant(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) || strings.HasPrefix(s, `"`) {
		return strconv.Quote(s)
	}
	return s
}

func unquoteWant(t *testing.T, line string) string {
	t.Helper()
	if !strings.HasPrefix(line, `"`) {
		return line
	}
	s, err := strconv.Unquote(line)
	if err != nil {
		t.Fatalf("bad quoted expectation %s: %v", line, err)
	}
	return s
}

// outcome renders what Dispatch returned as one line.
func outcome(out any, err error) string {
	if err == nil {
		if out == nil {
			return "ok: {}"
		}
		return "ok"
	}
	var e *awserr.Error
	if !errors.As(err, &e) {
		return "NOT AN *awserr.Error: " + err.Error()
	}
	if e.Message == "" {
		return e.Code + " (no message)"
	}
	return e.Code + ": " + e.Message
}

// TestDispatchScripts runs every testdata/*.txt script through Dispatch with
// Unimplemented: a request that decodes and validates reaches the service
// and comes back as UnsupportedOperationException.
func TestDispatchScripts(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata scripts: %v", err)
	}
	for _, path := range paths {
		header, cases := readCases(t, path)
		for i, c := range cases {
			t.Run(filepath.Base(path)+"/"+c.name, func(t *testing.T) {
				got := outcome(Dispatch(context.Background(), Unimplemented{}, c.op, []byte(c.body)))
				if *update {
					cases[i].want = got
					return
				}
				if got != c.want {
					t.Errorf("%s %s\n got: %s\nwant: %s", c.op, c.body, got, c.want)
				}
			})
		}
		if *update {
			writeCases(t, path, header, cases)
		}
	}
}
