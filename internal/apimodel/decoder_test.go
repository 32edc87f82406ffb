package apimodel

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

// skipAll is an input that ignores every member, so decoding it checks
// syntax only.
type skipAll struct{}

func (*skipAll) decodeMembers(d *decoder) {
	for _, ok := d.key(); ok; _, ok = d.key() {
		d.skip()
	}
}

var syntaxSeeds = []string{
	``, ` `, `{}`, `{"a":1}`, `{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00"}`,
	`{"a":1,}`, `{"a" 1}`, `{"a":}`, `{,"a":1}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":01}`, `{"a":1.}`,
	`{"a":-}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`, `{"a":"x}`, "{\"a\":\"\x01\"}", `{"a":"\x"}`,
	`{} x`, `{}}`, `{"a":{"b":{"c":[[[]]]}}}`, `[]`, `null`, `"x"`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}",
	`{"a":1}{"b":2}`, "\t{\n\"a\"\r:\n1 }\n",
}

// FuzzDecodeSyntax checks the decoder's notion of well-formed JSON against
// encoding/json: an object body decodes iff json.Valid accepts it.
func FuzzDecodeSyntax(f *testing.F) {
	for _, s := range syntaxSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := decodeInput(body, &skipAll{})
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		switch {
		case len(trimmed) == 0:
			if err != nil {
				t.Fatalf("%q: empty body must mean {}, got %v", body, err)
			}
		case trimmed[0] == '{':
			if valid := json.Valid(body); valid != (err == nil) {
				t.Fatalf("%q: json.Valid = %v, decode error = %v", body, valid, err)
			}
		default:
			if !awserr.Is(err, awserr.Serialization) {
				t.Fatalf("%q: a non-object body must fail with SerializationException, got %v", body, err)
			}
		}
	})
}

// FuzzDecodeString checks string decoding (escapes, surrogates, invalid
// UTF-8) against encoding/json.
func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`"x"`, `"\u00e9"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\ud800\u0041"`, "\"\xff\xfe\"", `"a\/b\\c\"d\n"`, `"\uDFFF\uD800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want string
		wantErr := json.Unmarshal(data, &want)
		d := &decoder{b: data}
		var got *string
		if d.kind() == kindString {
			got = d.string()
			d.ws()
		}
		ok := got != nil && d.err == nil && d.i == len(data)
		if ok != (wantErr == nil) {
			t.Fatalf("%q: decoded %v (err %v), encoding/json err %v", data, ok, d.err, wantErr)
		}
		if ok && *got != want {
			t.Fatalf("%q: decoded %q, encoding/json %q", data, *got, want)
		}
	})
}

func TestDecodeValues(t *testing.T) {
	var in PutTargetsRequest
	body := `{"Rule":"r\u0021","Unknown":[{"x":[1,{}]}],"Targets":[null,{"Id":"t","RetryPolicy":{"MaximumRetryAttempts":2.9,"MaximumEventAgeInSeconds":-1e2},
		"InputTransformer":{"InputPathsMap":{"k":"v","n":null},"InputTemplate":"<k>"},
		"HttpParameters":{"PathParameterValues":["a",null,"b"],"HeaderParameters":{}}}],"EventBusName":null}`
	if err := decodeInput([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if *in.Rule != "r!" || in.EventBusName != nil || len(in.Targets) != 1 {
		t.Fatalf("decoded %+v", in)
	}
	tg := in.Targets[0]
	if *tg.RetryPolicy.MaximumRetryAttempts != 2 || *tg.RetryPolicy.MaximumEventAgeInSeconds != -100 {
		t.Errorf("retry policy %+v", tg.RetryPolicy)
	}
	if m := tg.InputTransformer.InputPathsMap; len(m) != 1 || m["k"] != "v" {
		t.Errorf("input paths map %v", m)
	}
	if p := tg.HttpParameters.PathParameterValues; len(p) != 2 || p[1] != "b" {
		t.Errorf("path parameters %q", p)
	}
	if h := tg.HttpParameters.HeaderParameters; h == nil || len(h) != 0 {
		t.Errorf("an empty map must decode as empty, not nil: %v", h)
	}
}
