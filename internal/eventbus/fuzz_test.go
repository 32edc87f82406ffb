package eventbus

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzPutEntry feeds arbitrary entries through Check and NewEnvelope: they
// never panic; Check answers one of AWS's codes; ValidDetail agrees with
// encoding/json on objects; and an entry Check accepts always gives an
// envelope that is valid JSON with the nine keys in order and the entry's
// fields (checkEnvelope).
func FuzzPutEntry(f *testing.F) {
	for _, d := range detailSeeds {
		f.Add("com.example", "Order Created", d, "arn:aws:s3:::b", int64(1795874160))
	}
	f.Add("", "", "", "", int64(0))
	f.Add("quote\"\\", "ctl\x00\x1f\x7f", `{"a":"\u0000"}`, "<&>", int64(-62135596800))
	f.Add("bad\xff", "\xe2\x82", "{\"k\":\"\xff\"}", "\xed\xa0\x80", int64(253402300799))
	f.Fuzz(func(t *testing.T, source, detailType, detail, resource string, unix int64) {
		e := PutEntry{Source: source, DetailType: detailType, Detail: detail, Time: time.Unix(unix, 0), HasTime: true}
		if resource != "" {
			e.Resources = []string{resource, resource}
		}
		if e.Size() < len(source)+len(detailType)+len(detail)+14 {
			t.Fatalf("Size %d too small", e.Size())
		}
		valid := ValidDetail(detail)
		trimmed := strings.TrimLeft(detail, " \t\r\n")
		if want := strings.HasPrefix(trimmed, "{") && json.Valid([]byte(detail)) && utf8Valid(detail); valid != want && !tooDeep(detail) {
			t.Fatalf("ValidDetail(%q) = %v, encoding/json says %v", detail, valid, want)
		}
		checked := e.Check()
		switch checked.Code {
		case "", CodeInvalidArgument, CodeMalformedDetail:
		default:
			t.Fatalf("Check code %q", checked.Code)
		}
		h := EnvelopeHeader{ID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718", Account: "222222222222", Region: "us-east-1", Time: e.Time}
		env, err := NewEnvelope(h, e)
		if (err == nil) != valid {
			t.Fatalf("NewEnvelope err %v, ValidDetail %v", err, valid)
		}
		if !checked.OK() {
			return
		}
		if err != nil {
			t.Fatalf("Check accepted %+v but NewEnvelope failed: %v", e, err)
		}
		if e.Time.Year() < 0 || e.Time.Year() > 9999 {
			if !json.Valid(env) {
				t.Fatalf("envelope is not valid JSON: %q", env)
			}
			return // checkEnvelope compares times in RFC 3339, which has 4-digit years
		}
		checkEnvelope(t, env, h, e)
	})
}
