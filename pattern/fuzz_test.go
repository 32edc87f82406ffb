package pattern

import (
	"errors"
	"testing"
)

// FuzzCompile feeds arbitrary text to the compiler: it must return a pattern
// or an *Error, never panic or hang, and a compiled pattern must match
// without error on a fixed event.
func FuzzCompile(f *testing.F) {
	for _, c := range readConformance(f) {
		f.Add(c.pattern)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) returned %T, want *Error", src, err)
			}
			_ = pe.Error()
			return
		}
		if _, err := p.Matches([]byte(`{"a":"x","b":[1,{"c":null}],"x":{"y":"10.0.0.1"}}`)); err != nil {
			t.Fatalf("Matches: %v", err)
		}
	})
}

// FuzzMatch feeds arbitrary bytes to the event scanner through a Matcher
// holding patterns of every kind: it must match or refuse the event, never
// panic or hang.
func FuzzMatch(f *testing.F) {
	m := NewMatcher()
	cases := readConformance(f)
	for i, c := range cases {
		if c.kind == "error" {
			continue
		}
		p, err := Compile(c.pattern)
		if err != nil {
			f.Fatal(err)
		}
		if err := m.Add(c.pattern, p); err != nil {
			f.Fatal(err)
		}
		if i%3 == 0 {
			f.Add([]byte(c.value))
		}
	}
	f.Add([]byte(`{"a":"\ud83d\ude00","x":[{"a":1},{"b":[[]]}]}`))
	f.Fuzz(func(t *testing.T, event []byte) {
		names, err := m.Match(event, nil)
		if err != nil && len(names) != 0 {
			t.Fatalf("names %q with error %v", names, err)
		}
	})
}
