package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustSealer(t *testing.T, key []byte) *Sealer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustSealer(t, testKey(1))
	plain := []byte("hunter2")
	ad := []byte("arn:aws:events:us-east-1:222222222222:connection/c/id")
	a, err := s.Seal(plain, ad)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Seal(plain, ad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if bytes.Contains(a, plain) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := s.Open(a, ad)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	empty, err := s.Seal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(empty, nil); err != nil || len(got) != 0 {
		t.Fatalf("Open(empty) = %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	s := mustSealer(t, testKey(1))
	ad := []byte("ad")
	sealed, err := s.Seal([]byte("secret"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte { c := bytes.Clone(sealed); c[i] ^= 1; return c }
	for name, tc := range map[string]struct {
		s      *Sealer
		sealed []byte
		ad     []byte
	}{
		"other key":        {mustSealer(t, testKey(2)), sealed, ad},
		"other ad":         {s, sealed, []byte("other")},
		"no ad":            {s, sealed, nil},
		"altered version":  {s, flip(0), ad},
		"altered nonce":    {s, flip(1), ad},
		"altered text":     {s, flip(14), ad},
		"altered tag":      {s, flip(len(sealed) - 1), ad},
		"truncated":        {s, sealed[:len(sealed)-1], ad},
		"too short":        {s, sealed[:5], ad},
		"empty":            {s, nil, ad},
		"appended garbage": {s, append(bytes.Clone(sealed), 0), ad},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := tc.s.Open(tc.sealed, tc.ad)
			if !errors.Is(err, ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func TestParseKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789ABCDEF")
	std := base64.StdEncoding.EncodeToString(key)
	for name, tc := range map[string]struct {
		data string
		ok   bool
	}{
		"raw":                 {string(key), true},
		"raw with spaces":     {" \n" + string(key[3:]) + "\t", true}, // 32 bytes: taken raw
		"base64":              {std, true},
		"base64 newline":      {std + "\n", true},
		"base64 unpadded":     {strings.TrimRight(std, "="), true},
		"base64 url":          {base64.URLEncoding.EncodeToString(key), true},
		"base64 spaces":       {"  " + std + " \r\n", true},
		"short raw":           {"short", false},
		"long raw":            {string(key) + "x", false},
		"base64 of 16 bytes":  {base64.StdEncoding.EncodeToString(key[:16]), false},
		"base64 of 33 bytes":  {base64.StdEncoding.EncodeToString(append(key, 'x')), false},
		"base64 inner spaces": {std[:10] + " " + std[10:], false},
		"empty":               {"", false},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseKey([]byte(tc.data))
			if (err == nil) != tc.ok {
				t.Fatalf("ParseKey err = %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				if strings.Contains(err.Error(), tc.data) && tc.data != "" {
					t.Fatalf("error quotes the key file: %v", err)
				}
				return
			}
			if len(got) != KeySize {
				t.Fatalf("key is %d bytes", len(got))
			}
			if name != "raw with spaces" && !bytes.Equal(got, key) {
				t.Fatalf("ParseKey = %q, want %q", got, key)
			}
		})
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path := filepath.Join(dir, "secret.key")
	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(key) != KeySize {
		t.Fatalf("first call: %d bytes, created %v, %v", len(key), created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("second call: created %v, same key %v, %v", created, bytes.Equal(again, key), err)
	}
	loaded, err := LoadKeyFile(path)
	if err != nil || !bytes.Equal(loaded, key) {
		t.Fatalf("LoadKeyFile: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// TestLoadOrCreateKeyFileRace: processes (here goroutines) starting together
// over an empty data dir all end up with one key.
func TestLoadOrCreateKeyFileRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, _, err := LoadOrCreateKeyFile(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("racing callers got different keys")
		}
	}
}

func TestLoadOrCreateKeyFileKeepsBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("a malformed key file was accepted")
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "not a key" {
		t.Fatalf("malformed key file was replaced: %q %v", data, err)
	}
}

// FuzzParseKey: ParseKey never panics, returns KeySize bytes or an error,
// and never quotes its input in the error.
func FuzzParseKey(f *testing.F) {
	key := testKey(7)
	f.Add(key)
	f.Add([]byte(base64.StdEncoding.EncodeToString(key) + "\n"))
	f.Add([]byte(base64.RawURLEncoding.EncodeToString(key)))
	f.Add([]byte(""))
	f.Add([]byte("===="))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err != nil {
			if len(data) >= 8 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error quotes input: %v", err)
			}
			return
		}
		if len(k) != KeySize {
			t.Fatalf("key of %d bytes", len(k))
		}
		if _, err := New(k); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzOpen: Open never panics on arbitrary input and never accepts a value
// that Seal did not make under its key and additional data.
func FuzzOpen(f *testing.F) {
	s, err := New(testKey(3))
	if err != nil {
		f.Fatal(err)
	}
	good, err := s.Seal([]byte("value"), []byte("ad"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, []byte("ad"))
	f.Add([]byte{1}, []byte(nil))
	f.Add([]byte{}, []byte("ad"))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		plain, err := s.Open(sealed, ad)
		if err != nil {
			if !errors.Is(err, ErrOpen) || plain != nil {
				t.Fatalf("Open = %q, %v", plain, err)
			}
			return
		}
		// Fuzz workers are separate processes with their own nonces, so the
		// only genuine values are seals of "value" under "ad".
		if !bytes.Equal(ad, []byte("ad")) || string(plain) != "value" {
			t.Fatalf("Open accepted a forged value %x / %q", sealed, ad)
		}
	})
}
