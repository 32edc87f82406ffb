package eventbus

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/jsontext"
)

var update = flag.Bool("update", false, "rewrite testdata/envelope golden files")

// envelopeKeys is the key order of every envelope (FACTS.md).
var envelopeKeys = []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}

var goldenHeader = EnvelopeHeader{
	ID:      "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
	Account: "222222222222",
	Region:  "us-east-1",
	Time:    time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC),
}

// TestEnvelopeGolden compares envelopes with testdata/envelope/<name>.json
// byte for byte. Run with -update to rewrite them, then review the diff.
func TestEnvelopeGolden(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	cases := []struct {
		name   string
		header EnvelopeHeader
		entry  PutEntry
	}{
		{"minimal", goldenHeader, PutEntry{Source: "com.example.orders", DetailType: "Order Created", Detail: `{}`}},
		{"resources", goldenHeader, PutEntry{Source: "com.example.orders", DetailType: "Order Created",
			Detail: `{"orderId":"o-1","total":12.50}`, Resources: []string{"arn:aws:s3:::bucket/key", "arn:aws:ec2:us-east-1:222222222222:instance/i-1"}}},
		{"compacted-detail", goldenHeader, PutEntry{Source: "s", DetailType: "t",
			Detail: " {\n  \"a\" : [ 1 , 2.5e3 , -0 , true , false , null ],\r\n\t\"b\" : { \"c d\" : \"  spaced  \" } \n} "}},
		{"detail-kept-verbatim", goldenHeader, PutEntry{Source: "s", DetailType: "t",
			Detail: `{"dup":1,"dup":2,"big":123456789012345678901234567890,"exp":1E+2,"esc":"\u00e9\/\"","z":{},"y":[]}`}},
		{"escaped-strings", goldenHeader, PutEntry{Source: "quote\"back\\slash/", DetailType: "tab\tnl\ncr\rbell\x07del\x7f",
			Detail: `{}`, Resources: []string{"<html>&amp;", "ctl\x00\x1f"}}},
		{"unicode", goldenHeader, PutEntry{Source: "café.ünïcode", DetailType: "日本語 \u2028 \U0001F600",
			Detail: `{"emoji":"😀","sep":" "}`}},
		{"invalid-utf8", goldenHeader, PutEntry{Source: "bad\xffbyte", DetailType: "cut\xe2\x82", Detail: `{}`}},
		{"time-zone-and-fraction", EnvelopeHeader{ID: goldenHeader.ID, Account: "111111111111", Region: "eu-west-1",
			Time: time.Date(2026, 11, 22, 8, 56, 0, 999_999_999, est)}, PutEntry{Source: "s", DetailType: "t", Detail: `{"x":1}`}},
		{"partner", EnvelopeHeader{ID: goldenHeader.ID, Account: "222222222222", Region: "us-east-1", Time: goldenHeader.Time},
			PutEntry{Source: "aws.partner/acme.com/orders/created", DetailType: "Order", Detail: `{"id":"1"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NewEnvelope(c.header, c.entry)
			if err != nil {
				t.Fatal(err)
			}
			checkEnvelope(t, got, c.header, c.entry)
			path := filepath.Join("testdata", "envelope", c.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("envelope differs from %s\n got  %s\n want %s", path, got, want)
			}
		})
	}
}

// checkEnvelope checks what must hold for every envelope: valid JSON, the
// nine keys in order, the fields equal to the inputs (strings compared after
// JSON decoding, invalid UTF-8 as U+FFFD), and the detail equal to the
// entry's detail once both are compacted.
func checkEnvelope(t *testing.T, env []byte, h EnvelopeHeader, e PutEntry) {
	t.Helper()
	if !json.Valid(env) {
		t.Fatalf("envelope is not valid JSON: %q", env)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(env, &fields); err != nil {
		t.Fatal(err)
	}
	if keys := topLevelKeys(t, env); strings.Join(keys, ",") != strings.Join(envelopeKeys, ",") {
		t.Fatalf("keys %v, want %v", keys, envelopeKeys)
	}
	wantStrings := map[string]string{
		"version": "0", "id": h.ID, "detail-type": e.DetailType, "source": e.Source, "account": h.Account,
		"time": h.Time.UTC().Format(time.RFC3339)[:19] + "Z", "region": h.Region,
	}
	for k, want := range wantStrings {
		var got string
		if err := json.Unmarshal(fields[k], &got); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if want = strings.ToValidUTF8(want, "\ufffd"); got != want && !sameWithReplacement(got, want) {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	var resources []string
	if err := json.Unmarshal(fields["resources"], &resources); err != nil {
		t.Fatal(err)
	}
	if len(resources) != len(e.Resources) {
		t.Errorf("resources %q, want %q", resources, e.Resources)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(e.Detail)); err != nil {
		t.Fatalf("entry detail: %v", err)
	}
	if !bytes.Equal(fields["detail"], compact.Bytes()) {
		t.Errorf("detail %s, want %s", fields["detail"], compact.Bytes())
	}
}

// sameWithReplacement accepts that each invalid byte became its own U+FFFD,
// where strings.ToValidUTF8 folds a run of them into one.
func sameWithReplacement(got, want string) bool {
	fold := func(s string) string {
		for strings.Contains(s, "\ufffd\ufffd") {
			s = strings.ReplaceAll(s, "\ufffd\ufffd", "\ufffd")
		}
		return s
	}
	return fold(got) == fold(want)
}

func topLevelKeys(t *testing.T, env []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(env))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestJSONStringEscaping checks the envelope's strings (jsontext.AppendQuoted) against encoding/json for
// every single byte and a few runes: the decoded value must round-trip.
func TestJSONStringEscaping(t *testing.T) {
	var inputs []string
	for c := 0; c < 256; c++ {
		inputs = append(inputs, "a"+string([]byte{byte(c)})+"z")
	}
	inputs = append(inputs, "", "é", "\u2028\u2029", "😀", "\xed\xa0\x80", "<>&", `\u0000`)
	for _, in := range inputs {
		out := jsontext.AppendQuoted(nil, in)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q -> %s: %v", in, out, err)
		}
		if want := strings.ToValidUTF8(in, "\ufffd"); got != want && !sameWithReplacement(got, want) {
			t.Errorf("%q -> %s decodes to %q", in, out, got)
		}
	}
	if got := string(jsontext.AppendQuoted(nil, "a\"b\\c\n\x01</script>")); got != `"a\"b\\c\n\u0001</script>"` {
		t.Errorf("escaping: %s", got)
	}
}

func TestNewEnvelopeMalformedDetail(t *testing.T) {
	for _, d := range []string{"", "[]", `"{}"`, "{", `{"a":}`, "{} {}", "null"} {
		if _, err := NewEnvelope(goldenHeader, PutEntry{Source: "s", DetailType: "t", Detail: d}); err != ErrMalformedDetail {
			t.Errorf("detail %q: err %v, want ErrMalformedDetail", d, err)
		}
	}
	dst := []byte("keep")
	if got, err := AppendEnvelope(dst, goldenHeader, PutEntry{Detail: "x"}); err == nil || string(got) != "keep" {
		t.Errorf("AppendEnvelope on error = %q, %v; want dst unchanged", got, err)
	}
}

// BenchmarkEnvelope builds the envelope of a ~1 KB event. It should make one
// allocation (the envelope itself).
func BenchmarkEnvelope(b *testing.B) {
	detail := benchDetail(1024)
	for _, c := range []struct {
		name   string
		detail string
	}{{"compact", detail}, {"indented", indent(detail)}} {
		e := PutEntry{Source: "com.example.orders", DetailType: "Order Created", Detail: c.detail,
			Resources: []string{"arn:aws:dynamodb:us-east-1:222222222222:table/orders"}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(e.Size()))
			for b.Loop() {
				if _, err := NewEnvelope(goldenHeader, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheck validates the same event, as ingest does before building
// the envelope; it should not allocate.
func BenchmarkCheck(b *testing.B) {
	e := PutEntry{Source: "com.example.orders", DetailType: "Order Created", Detail: benchDetail(1024)}
	b.ReportAllocs()
	b.SetBytes(int64(e.Size()))
	for b.Loop() {
		if err := e.Check(); !err.OK() {
			b.Fatal(err)
		}
	}
}

// benchDetail returns a realistic detail object of about n bytes.
func benchDetail(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"orderId":"o-12345","customer":{"id":"c-987","name":"Zoë Müller","tier":"gold"},"items":[`)
	for i := 0; sb.Len() < n-40; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"sku":"SKU-` + strings.Repeat("7", 6) + `","qty":3,"price":19.99}`)
	}
	sb.WriteString(`],"paid":true,"note":null}`)
	return sb.String()
}

func indent(s string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		panic(err)
	}
	return buf.String()
}
