package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ParseKey reads a key from the contents of a key file: exactly KeySize raw
// bytes, or the key in base64 (standard or URL alphabet, padded or not)
// with any surrounding whitespace. A file of exactly KeySize bytes is always
// taken raw: the base64 of a 32-byte key is 43 or 44 characters, so the two
// forms never collide. The error never quotes the file's contents.
func ParseKey(data []byte) ([]byte, error) {
	if len(data) == KeySize {
		return bytes.Clone(data), nil
	}
	text := bytes.TrimSpace(data)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key := make([]byte, enc.DecodedLen(len(text)))
		n, err := enc.Strict().Decode(key, text)
		if err == nil && n == KeySize {
			return key[:n], nil
		}
	}
	return nil, fmt.Errorf("secrets: a key file holds %d raw bytes or their base64, not %d bytes of something else", KeySize, len(data))
}

// LoadKeyFile reads and parses the key file at path (see ParseKey).
func LoadKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: read key file: %w", err)
	}
	key, err := ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return key, nil
}

// LoadOrCreateKeyFile returns the key in the file at path, creating the file
// first, with a new random key in base64 and permissions 0600, if it does not
// exist (and its directory, 0700, if needed). created reports whether this
// call made the file. Creation is atomic: the key is written and synced to a
// temporary file that is then hard-linked into place, so a crash never
// leaves a partial key file and, of two processes racing, both end up with
// the key of the one that linked first.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = LoadKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("secrets: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("secrets: new key: %w", err)
	}
	tmp, err := writeTemp(dir, []byte(base64.StdEncoding.EncodeToString(key)+"\n"))
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp)
	switch err := os.Link(tmp, path); {
	case errors.Is(err, fs.ErrExist):
		key, err = LoadKeyFile(path) // another process won the race
		return key, false, err
	case err != nil:
		return nil, false, fmt.Errorf("secrets: create key file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// writeTemp writes data to a new 0600 file in dir, synced, and returns its
// name.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".secret-key-*") // CreateTemp uses mode 0600
	if err != nil {
		return "", fmt.Errorf("secrets: %w", err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("secrets: write key file: %w", err)
	}
	return f.Name(), nil
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("secrets: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("secrets: sync %s: %w", dir, err)
	}
	return nil
}
