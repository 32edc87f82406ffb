package jsontext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// The strict document check (ValidObject) is held to encoding/json by
// package eventbus's table and fuzz tests of ValidDetail, which is it.

func TestNumberEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  int
		good bool
	}{
		{"0", 1, true}, {"-0", 2, true}, {"12", 2, true}, {"1.5", 3, true}, {"-1.5e10", 7, true}, {"1E+2", 4, true},
		{"1e-2,", 4, true}, {"7}", 1, true}, {"01", 1, true}, // a number ends where the grammar does
		{"", 0, false}, {"-", 1, false}, {"+1", 0, false}, {".5", 0, false}, {"1.", 2, false}, {"1e", 2, false},
		{"1e+", 3, false}, {"-a", 1, false},
	} {
		end, ok := NumberEnd(c.in, 0)
		if end != c.end || ok != c.good {
			t.Errorf("NumberEnd(%q) = %d, %v; want %d, %v", c.in, end, ok, c.end, c.good)
		}
		if bend, bok := NumberEnd([]byte(c.in), 0); bend != end || bok != ok {
			t.Errorf("NumberEnd([]byte(%q)) differs from the string form", c.in)
		}
	}
}

func TestDecodeEscape(t *testing.T) {
	for _, c := range []struct {
		in string
		r  rune
		n  int
	}{
		{`\"`, '"', 2}, {`\\`, '\\', 2}, {`\/`, '/', 2}, {`\b`, '\b', 2}, {`\f`, '\f', 2}, {`\n`, '\n', 2},
		{`\r`, '\r', 2}, {`\t`, '\t', 2}, {`\u00e9x`, 'é', 6}, {`\u00E9`, 'é', 6},
		{`\ud83d\ude00`, '😀', 12}, {`\ud83dx`, utf8.RuneError, 6}, {`\ud83d\u0041`, utf8.RuneError, 6},
		{`\x`, 0, 0}, {`\`, 0, 0}, {`\u12`, 0, 0}, {`\u12G4`, 0, 0},
	} {
		r, n := DecodeEscape(c.in)
		if r != c.r || n != c.n {
			t.Errorf("DecodeEscape(%q) = %q, %d; want %q, %d", c.in, r, n, c.r, c.n)
		}
	}
}

func TestValueEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  int
		good bool
	}{
		{`"a\"b" x`, 6, true}, {`{"a":"}"} x`, 9, true}, {`[1,[2,{"b":"]"}]] x`, 17, true}, {`true,`, 4, true},
		{`null`, 4, true}, {`-1.5e3 `, 6, true}, {`"open`, 5, false}, {`{"a":1`, 6, false}, {`tru`, 0, false}, {`x`, 0, false},
	} {
		end, ok := ValueEnd([]byte(c.in), 0)
		if end != c.end || ok != c.good {
			t.Errorf("ValueEnd(%q) = %d, %v; want %d, %v", c.in, end, ok, c.end, c.good)
		}
	}
}

func TestValidObjectDepth(t *testing.T) {
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}` }
	if !ValidObject(deep(10), 10) || ValidObject(deep(11), 10) {
		t.Fatal("depth bound not at maxDepth")
	}
}

// FuzzDecodeEscape: never panics; a valid escape decodes as encoding/json
// decodes it.
func FuzzDecodeEscape(f *testing.F) {
	for _, s := range []string{`\n`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, `\u12G4`, `\q`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.HasPrefix(s, `\`) {
			s = `\` + s
		}
		r, n := DecodeEscape(s)
		if n == 0 {
			return
		}
		if n != 2 && n != 6 && n != 12 || n > len(s) {
			t.Fatalf("DecodeEscape(%q) took %d bytes", s, n)
		}
		var want string
		if err := json.Unmarshal([]byte(`"`+s[:n]+`"`), &want); err != nil {
			t.Fatalf("DecodeEscape(%q) accepted %q, encoding/json: %v", s, s[:n], err)
		}
		if string(r) != want && !(r == utf8.RuneError && strings.ContainsRune(want, utf8.RuneError)) {
			t.Fatalf("DecodeEscape(%q) = %q, encoding/json %q", s, r, want)
		}
	})
}

// FuzzValueEnd: never panics or overruns; on a valid JSON document it finds
// the document's end.
func FuzzValueEnd(f *testing.F) {
	for _, s := range []string{`{"a":[1,"]"]}`, `"x\"y"`, `-1.5e3`, `null`, `[`, `{"a":"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		end, ok := ValueEnd(b, 0)
		if end < 0 || end > len(b) {
			t.Fatalf("ValueEnd(%q) = %d", s, end)
		}
		if json.Valid(b) && len(b) > 0 && !IsSpace(b[0]) && !IsSpace(b[len(b)-1]) && (!ok || end != len(b)) {
			t.Fatalf("ValueEnd(%q) = %d, %v on a valid document", s, end, ok)
		}
	})
}

func BenchmarkValidObject(b *testing.B) {
	doc := `{"order":{"id":"o-123","total":250.5,"items":[{"sku":"a","qty":2},{"sku":"b","qty":1}],"note":"caf\u00e9 \"x\""},"ok":true}`
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if !ValidObject(doc, 1000) {
			b.Fatal("invalid")
		}
	}
}
