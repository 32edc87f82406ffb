package eventbus

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPutEntrySize(t *testing.T) {
	cases := []struct {
		name  string
		entry PutEntry
		want  int
	}{
		{"empty", PutEntry{}, 0},
		{"strings count bytes", PutEntry{Source: "abc", DetailType: "de", Detail: `{"x":1}`}, 3 + 2 + 7},
		{"utf-8 bytes, not runes", PutEntry{Source: "é", DetailType: "日本", Detail: "{}"}, 2 + 6 + 2},
		{"time adds 14", PutEntry{Source: "a", HasTime: true}, 1 + 14},
		{"zero time that was given still counts", PutEntry{HasTime: true, Time: time.Time{}}, 14},
		{"resources each count", PutEntry{Detail: "{}", Resources: []string{"arn:1", "", "xyz"}}, 2 + 5 + 0 + 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.entry.Size(); got != c.want {
				t.Errorf("Size = %d, want %d", got, c.want)
			}
		})
	}
}

// TestPutEntryCheck is the per-entry validation table, with AWS's codes and
// messages word for word.
func TestPutEntryCheck(t *testing.T) {
	const (
		noSource     = "Parameter Source is not valid. Reason: Source is a required argument."
		noDetailType = "Parameter DetailType is not valid. Reason: DetailType is a required argument."
		noDetail     = "Parameter Detail is not valid. Reason: Detail is a required argument."
		malformed    = "Detail is malformed."
	)
	ok := PutEntry{Source: "s", DetailType: "t", Detail: `{"a":1}`}
	with := func(f func(*PutEntry)) PutEntry { e := ok; f(&e); return e }
	cases := []struct {
		name     string
		entry    PutEntry
		code     string
		message  string
		wantPass bool
	}{
		{"complete", ok, "", "", true},
		{"nothing: Source first", PutEntry{}, CodeInvalidArgument, noSource, false},
		{"no source", with(func(e *PutEntry) { e.Source = "" }), CodeInvalidArgument, noSource, false},
		{"no source and bad detail: Source first", PutEntry{DetailType: "t", Detail: "x"}, CodeInvalidArgument, noSource, false},
		{"no detail type", with(func(e *PutEntry) { e.DetailType = "" }), CodeInvalidArgument, noDetailType, false},
		{"no detail type nor detail: DetailType first", PutEntry{Source: "s"}, CodeInvalidArgument, noDetailType, false},
		{"no detail", with(func(e *PutEntry) { e.Detail = "" }), CodeInvalidArgument, noDetail, false},
		{"detail string", with(func(e *PutEntry) { e.Detail = `"text"` }), CodeMalformedDetail, malformed, false},
		{"detail serialized object", with(func(e *PutEntry) { e.Detail = `"{\"a\":1}"` }), CodeMalformedDetail, malformed, false},
		{"detail array", with(func(e *PutEntry) { e.Detail = `[{"a":1}]` }), CodeMalformedDetail, malformed, false},
		{"detail number", with(func(e *PutEntry) { e.Detail = `42` }), CodeMalformedDetail, malformed, false},
		{"detail null", with(func(e *PutEntry) { e.Detail = `null` }), CodeMalformedDetail, malformed, false},
		{"detail not json", with(func(e *PutEntry) { e.Detail = `{a:1}` }), CodeMalformedDetail, malformed, false},
		{"detail truncated", with(func(e *PutEntry) { e.Detail = `{"a":1` }), CodeMalformedDetail, malformed, false},
		{"detail trailing data", with(func(e *PutEntry) { e.Detail = `{"a":1}x` }), CodeMalformedDetail, malformed, false},
		{"detail whitespace only", with(func(e *PutEntry) { e.Detail = "  " }), CodeMalformedDetail, malformed, false},
		{"detail with surrounding whitespace", with(func(e *PutEntry) { e.Detail = " \n{ } \t" }), "", "", true},
		{"detail nested at the limit", with(func(e *PutEntry) { e.Detail = nested(MaxDetailDepth) }), "", "", true},
		{"detail nested too deep", with(func(e *PutEntry) { e.Detail = nested(MaxDetailDepth + 1) }), CodeMalformedDetail, malformed, false},
		{"whitespace source is present", with(func(e *PutEntry) { e.Source = " " }), "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.entry.Check()
			if got.OK() != c.wantPass || got.Code != c.code || got.Message != c.message {
				t.Errorf("Check = %+v, want {%s %s}", got, c.code, c.message)
			}
		})
	}
}

// nested returns an object nested depth levels deep: {"a":{"a":...{}}}
// with arrays at every other level.
func nested(depth int) string {
	var open, closing strings.Builder
	for i := 0; i < depth; i++ {
		if i%2 == 0 {
			open.WriteString(`{"a":`)
			closing.WriteString("}")
		} else {
			open.WriteString(`[`)
			closing.WriteString("]")
		}
	}
	return open.String() + "1" + reverse(closing.String())
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func TestIsReservedSource(t *testing.T) {
	for s, want := range map[string]bool{
		"aws.s3": true, "aws.partner/acme.com/x": true, "aws.": true,
		"aws": false, "awsx.s3": false, "com.aws.s3": false, "AWS.s3": false, "": false,
	} {
		if got := IsReservedSource(s); got != want {
			t.Errorf("IsReservedSource(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestValidDetailAgreesWithEncodingJSON: for objects, ValidDetail accepts
// exactly what encoding/json accepts (both refuse invalid UTF-8 here), and
// AppendCompactDetail gives what json.Compact gives.
func TestValidDetailAgreesWithEncodingJSON(t *testing.T) {
	for _, d := range detailSeeds {
		isObject := strings.HasPrefix(strings.TrimLeft(d, " \t\r\n"), "{")
		want := isObject && json.Valid([]byte(d)) && utf8Valid(d)
		if got := ValidDetail(d); got != want && !tooDeep(d) {
			t.Errorf("ValidDetail(%q) = %v, encoding/json says %v", d, got, want)
		}
		out, ok := AppendCompactDetail([]byte("prefix:"), d)
		if ok != ValidDetail(d) {
			t.Errorf("AppendCompactDetail(%q) ok = %v, ValidDetail %v", d, ok, !ok)
		}
		if !ok {
			if string(out) != "prefix:" {
				t.Errorf("AppendCompactDetail(%q) failed but changed dst: %q", d, out)
			}
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(d)); err != nil {
			t.Fatal(err)
		}
		if string(out) != "prefix:"+buf.String() {
			t.Errorf("AppendCompactDetail(%q) = %q, want %q", d, out[7:], buf.String())
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

func tooDeep(s string) bool { return strings.Count(s, "{")+strings.Count(s, "[") > MaxDetailDepth }

// detailSeeds are details for the table above and the fuzz corpus.
var detailSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":[1,2,{"b":null}],"c":{"d":true,"e":false}}`,
	"{\n\t\"a\" : \"x y\" ,\r\n \"b\" : [ ] }", `{"n":-0.5e-10}`, `{"n":1E+2}`, `{"n":0}`, `{"s":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\"}`,
	`{"s":"é😀"}`, `{"dup":1,"dup":2}`, `{"big":123456789012345678901234567890}`,
	// invalid
	``, ` `, `[]`, `"{}"`, `1`, `null`, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":1 "b":2}`, `{'a':1}`, `{a:1}`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":True}`,
	`{"a":"\x}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", `{"a":"unterminated}`,
	"{\"a\":\"bad\xffutf8\"}", "{\"bad\xfekey\":1}", `{"a":1}{"b":2}`, `{"a":1} x`, `{"a":[1,2}`, `{"a":{"b":1]}`,
	"\ufeff{}", `{"a":NaN}`, `{"a":Infinity}`,
}

func TestDetailDepthLimit(t *testing.T) {
	atLimit := strings.Repeat("[", MaxDetailDepth-1)
	d := "{\"a\":" + atLimit + strings.Repeat("]", MaxDetailDepth-1) + "}"
	if !ValidDetail(d) {
		t.Errorf("depth %d refused", MaxDetailDepth)
	}
	over := "{\"a\":" + atLimit + "[]" + strings.Repeat("]", MaxDetailDepth-1) + "}"
	if ValidDetail(over) {
		t.Errorf("depth %d accepted", MaxDetailDepth+1)
	}
}
