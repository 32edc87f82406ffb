// Package secrets seals small secrets at rest: connection passwords, API key
// values, OAuth client secrets and secret HTTP parameter values. It
// encrypts with AES-256-GCM (crypto/aes, crypto/cipher) under one 32-byte key
// and reads or creates that key's file.
//
// It owns the sealed format and the key file format. It never decides what is
// secret (the domain does), never logs, and never keeps plaintext beyond the
// call that handles it.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the size of a key in bytes (AES-256).
const KeySize = 32

// formatV1 is the first byte of every sealed value: version 1 is
// formatV1 || 12-byte random nonce || AES-256-GCM ciphertext and tag.
const formatV1 byte = 1

// ErrOpen is returned (wrapped) by Open for a value it cannot open: sealed
// under another key, bound to other additional data, truncated or altered.
var ErrOpen = errors.New("secrets: cannot open sealed value (wrong key, or altered data)")

// A Sealer encrypts and authenticates values under one key. Each Seal draws
// a fresh random 96-bit nonce, so one key may seal up to about 2^32 values
// (NIST SP 800-38D) — far more than a server stores. Safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer over key, which must be KeySize bytes. The key is
// copied into the cipher's schedule; the caller may clear its slice.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext and binds it to additionalData (which is not
// stored: Open must be given the same bytes). It fails only if the system's
// random source does.
func (s *Sealer) Seal(plaintext, additionalData []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plaintext)+s.aead.Overhead())
	out[0] = formatV1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secrets: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:1+n], plaintext, additionalData), nil
}

// Open decrypts a value made by Seal with the same key and additional data.
// Anything else — another key, other additional data, a truncated, altered
// or unknown-format value — fails with ErrOpen and returns no plaintext.
func (s *Sealer) Open(sealed, additionalData []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrOpen, len(sealed))
	}
	if sealed[0] != formatV1 {
		return nil, fmt.Errorf("%w: unknown format %d", ErrOpen, sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], additionalData)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
