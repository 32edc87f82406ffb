package sigv4

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// A Credential is one access key switchyard accepts: the key pair, the
// 12-digit account its requests act as, and the partner names it may create
// partner event sources under.
type Credential struct {
	AccessKeyID     string   `json:"access_key_id"`
	SecretAccessKey string   `json:"secret_access_key"`
	Account         string   `json:"account"`
	Partners        []string `json:"partners,omitempty"`
}

// credentialsFile is the on-disk shape read by LoadCredentials.
type credentialsFile struct {
	Credentials []Credential `json:"credentials"`
}

// LoadCredentials reads a JSON credentials file:
//
//	{"credentials": [
//	  {"access_key_id": "AKIA...", "secret_access_key": "...",
//	   "account": "111111111111", "partners": ["acme"]}
//	]}
//
// Unknown fields are rejected, so a misspelt key fails loudly. Every entry
// must have a non-empty access key id (no '/', ',', '=', ';' or white space,
// which would break the Authorization header) and secret, a 12-digit account,
// and partner names made of letters, digits, '.', '-' and '_'; key ids must be
// unique. Errors name the file and the 1-based entry, never the secret.
func LoadCredentials(path string) ([]Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sigv4: reading credentials: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f credentialsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("sigv4: credentials file %s: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sigv4: credentials file %s: unexpected data after the JSON object", path)
	}
	if len(f.Credentials) == 0 {
		return nil, fmt.Errorf("sigv4: credentials file %s: no entries in \"credentials\"", path)
	}
	if err := validateCredentials(f.Credentials); err != nil {
		return nil, fmt.Errorf("sigv4: credentials file %s: %w", path, err)
	}
	return f.Credentials, nil
}

// validateCredentials checks every entry as LoadCredentials documents.
func validateCredentials(creds []Credential) error {
	seen := make(map[string]int, len(creds))
	for i, c := range creds {
		entry := fmt.Sprintf("entry %d", i+1)
		if c.AccessKeyID == "" {
			return fmt.Errorf("%s: access_key_id is empty", entry)
		}
		entry += fmt.Sprintf(" (access key %q)", c.AccessKeyID)
		if strings.ContainsFunc(c.AccessKeyID, badKeyRune) {
			return fmt.Errorf("%s: access_key_id must not contain white space, control characters or any of / , = ;", entry)
		}
		if first, dup := seen[c.AccessKeyID]; dup {
			return fmt.Errorf("%s: access_key_id already used by entry %d", entry, first)
		}
		seen[c.AccessKeyID] = i + 1
		if c.SecretAccessKey == "" {
			return fmt.Errorf("%s: secret_access_key is empty", entry)
		}
		if !eventbus.IsAccountID(c.Account) {
			return fmt.Errorf("%s: account %q is not 12 digits", entry, c.Account)
		}
		for _, p := range c.Partners {
			if !isPartnerName(p) {
				return fmt.Errorf("%s: partner %q must be non-empty letters, digits, '.', '-' or '_'", entry, p)
			}
		}
	}
	return nil
}

func badKeyRune(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '/' || r == ',' || r == '=' || r == ';'
}

// isPartnerName reports whether s fits one segment of the partner event
// source name pattern: [\.\-_A-Za-z0-9]+.
func isPartnerName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
