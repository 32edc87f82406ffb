package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// FuzzCompileApply compiles a transformer with two paths and a template,
// and an InputPath target, and applies them to an event. It checks that
// nothing panics; that Compile accepts whatever eventbus.CheckTargetInput
// accepts (within the model's limits) and otherwise fails with its
// message; that placeholders and paths are read as eventbus reads them;
// and that for an event that is a JSON object and a template that is JSON
// once its placeholders are filled (null outside strings, x inside) the
// output is JSON. It is seeded from testdata/cases.
func FuzzCompileApply(f *testing.F) {
	ec2, err := os.ReadFile(filepath.Join("testdata", "event-ec2.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range loadCases(f) {
		event, ok := c.get("event")
		if !ok {
			event = string(ec2)
		}
		tmpl, _ := c.get("template")
		var paths map[string]string
		if s, ok := c.get("paths"); ok {
			_ = json.Unmarshal([]byte(s), &paths)
		}
		p1, p2 := "$.detail", "$"
		for _, p := range paths {
			p1, p2 = p, p1
		}
		if p, ok := c.get("inputpath"); ok {
			p1 = p
		}
		f.Add(tmpl, p1, p2, []byte(event))
	}
	f.Fuzz(func(t *testing.T, tmpl, p1, p2 string, event []byte) {
		checkPathAgrees(t, p1)
		object := json.Valid(event) && bytes.HasPrefix(bytes.TrimLeft(event, " \t\r\n"), []byte("{"))
		if object {
			checkTrieAgrees(t, event, p1, p2)
		}
		fuzzTransformer(t, tmpl, p1, p2, event, object)
		fuzzInputPath(t, p1, event, object)
	})
}

func fuzzTransformer(t *testing.T, tmpl, p1, p2 string, event []byte, object bool) {
	target := eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{"a": p1, "b": p2}, Template: tmpl,
	}}
	msg := eventbus.CheckTargetInput(target.ID, eventbus.TargetInput{InputTransformer: target.InputTransformer})
	tr, err := Compile(target)
	switch {
	case err != nil && msg == "" && checkLimits(target) == "":
		t.Fatalf("Compile(%q, %q, %q) = %v; eventbus accepts it", tmpl, p1, p2, err)
	case err != nil && msg != "" && !eventbusSays(target, strings.TrimPrefix(err.Error(), "ValidationException: ")):
		t.Fatalf("Compile error %q, eventbus says %q", err, msg)
	case err == nil && msg != "":
		t.Fatalf("Compile accepted what eventbus refuses: %s", msg)
	case err != nil:
		return
	}
	out, err := tr.Apply(event, defaultMeta)
	if !object {
		return
	}
	if err != nil {
		t.Fatalf("Apply to a JSON object: %v", err)
	}
	if json.Valid(proxy(&tr.tmpl)) && !json.Valid(out) {
		t.Fatalf("template %q is JSON, output is not: %s", tmpl, out)
	}
}

// checkTrieAgrees evaluates the definite ones of paths alone and together
// in a trie, which must agree.
func checkTrieAgrees(t *testing.T, event []byte, paths ...string) {
	var tr trie
	var want []value
	for _, p := range paths {
		compiled, ok := parsePath(p)
		if !ok || compiled.indefinite {
			continue
		}
		v, ok := compiled.eval(event, nil)
		if !ok {
			t.Fatalf("path %q: malformed event", p)
		}
		tr.add(compiled, len(want))
		want = append(want, v)
	}
	got := make([]value, len(want))
	if !tr.eval(event, got, make([][]byte, tr.edges)) {
		t.Fatal("trie: malformed event")
	}
	for i := range want {
		if got[i].kind != want[i].kind || string(got[i].raw) != string(want[i].raw) {
			t.Fatalf("paths %q: trie gives %v %q for #%d, path.eval %v %q", paths, got[i].kind, got[i].raw, i, want[i].kind, want[i].raw)
		}
	}
}

// eventbusSays reports whether CheckTargetInput can give msg for target:
// which of several bad InputPathsMap entries it reports depends on map
// iteration order, so each entry is tried alone too.
func eventbusSays(target eventbus.Target, msg string) bool {
	it := target.InputTransformer
	if eventbus.CheckTargetInput(target.ID, eventbus.TargetInput{InputTransformer: it}) == msg {
		return true
	}
	for k, p := range it.PathsMap {
		one := &eventbus.InputTransformer{PathsMap: map[string]string{k: p}, Template: it.Template}
		if eventbus.CheckTargetInput(target.ID, eventbus.TargetInput{InputTransformer: one}) == msg {
			return true
		}
	}
	return false
}

// proxy is the template with its placeholders filled by stand-ins: null
// outside JSON strings, x inside.
func proxy(t *template) []byte {
	var b []byte
	for _, s := range t.segs {
		b = append(b, s.literal...)
		switch {
		case s.variable < 0:
		case s.inString:
			b = append(b, 'x')
		default:
			b = append(b, "null"...)
		}
	}
	return b
}

func fuzzInputPath(t *testing.T, p string, event []byte, object bool) {
	tr, err := Compile(eventbus.Target{ID: "t1", InputPath: p})
	if err != nil {
		if p != "" && eventbus.ValidJSONPath(p) && len(p) <= MaxInputPathLength {
			t.Fatalf("Compile(InputPath %q) = %v; eventbus accepts it", p, err)
		}
		return
	}
	out, err := tr.Apply(event, defaultMeta)
	if !object {
		return
	}
	if err != nil || len(out) > 0 && !json.Valid(out) {
		t.Fatalf("InputPath %q = %q, %v", p, out, err)
	}
	if tr.path.indefinite && len(out) == 0 {
		t.Fatalf("wildcard InputPath %q gave nothing", p)
	}
}

// FuzzEnvelopeTemplate fills templates from real envelopes
// (eventbus.NewEnvelope) with a fuzzed detail, through fixed paths that
// reach strings, numbers, objects, arrays, wildcards and nothing, and every
// predefined placeholder. A template that is JSON once filled with
// stand-ins must give JSON.
func FuzzEnvelopeTemplate(f *testing.F) {
	for _, c := range loadCases(f) {
		if tmpl, ok := c.get("template"); ok {
			f.Add(tmpl, `{"a":"x\"y","b":[1,{"c":"d"}],"n":-1.5e3,"z":null}`)
		}
	}
	f.Add(`{"a":<a>,"s":"<a> <b> <all> <aws.events.event>","w":<w>}`, `{"a":{"k":"v\\u00e9"},"b":[" \t"]}`)
	f.Fuzz(func(t *testing.T, tmpl, detail string) {
		if !eventbus.ValidDetail(detail) {
			return
		}
		event, err := eventbus.NewEnvelope(eventbus.EnvelopeHeader{ID: "1", Account: "123456789012", Region: "us-east-1"},
			eventbus.PutEntry{Source: "s", DetailType: "t", Detail: detail, Resources: []string{"r\"0"}})
		if err != nil {
			t.Fatal(err)
		}
		paths := map[string]string{"a": "$.detail.a", "b": "$.detail.b[1]", "w": "$.detail.*", "r": "$.resources[0]",
			"all": "$", "gone": "$.detail.gone.x"}
		tr, err := Compile(eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{PathsMap: paths, Template: tmpl}})
		if err != nil {
			return
		}
		out, err := tr.Apply(event, defaultMeta)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if json.Valid(proxy(&tr.tmpl)) && !json.Valid(out) {
			t.Fatalf("template %q is JSON, output is not: %s", tmpl, out)
		}
	})
}
