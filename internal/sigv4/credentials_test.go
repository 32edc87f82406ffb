package sigv4

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadCredentialsExample(t *testing.T) {
	creds, err := LoadCredentials(filepath.Join("testdata", "credentials.json"))
	if err != nil {
		t.Fatalf("LoadCredentials: %v", err)
	}
	want := []Credential{
		{AccessKeyID: "AKIAEXAMPLECUSTOMER", SecretAccessKey: "customer-secret-example", Account: "111111111111"},
		{AccessKeyID: "AKIAEXAMPLEPARTNER", SecretAccessKey: "partner-secret-example", Account: "222222222222", Partners: []string{"acme", "acme.eu"}},
	}
	if len(creds) != len(want) {
		t.Fatalf("got %d credentials, want %d", len(creds), len(want))
	}
	for i := range want {
		if creds[i].AccessKeyID != want[i].AccessKeyID || creds[i].SecretAccessKey != want[i].SecretAccessKey ||
			creds[i].Account != want[i].Account || !slices.Equal(creds[i].Partners, want[i].Partners) {
			t.Errorf("credential %d = %+v, want %+v", i, creds[i], want[i])
		}
	}
	if _, err := NewVerifier(Config{Credentials: creds}); err != nil {
		t.Errorf("NewVerifier with loaded credentials: %v", err)
	}
}

func TestLoadCredentialsErrors(t *testing.T) {
	const good = `{"access_key_id":"AKID1","secret_access_key":"SECRET-XYZ","account":"111111111111"}`
	tests := []struct {
		name, content, want string
	}{
		{"not JSON", `credentials: []`, "invalid character"},
		{"unknown field", `{"credentials":[{"access_key_id":"A","secret_access_key":"SECRET-XYZ","account":"111111111111","acount":"x"}]}`, `unknown field "acount"`},
		{"trailing data", `{"credentials":[` + good + `]} {}`, "unexpected data after the JSON object"},
		{"no entries", `{"credentials":[]}`, `no entries in "credentials"`},
		{"missing list", `{}`, `no entries in "credentials"`},
		{"empty key id", `{"credentials":[` + good + `,{"secret_access_key":"SECRET-XYZ","account":"111111111111"}]}`, "entry 2: access_key_id is empty"},
		{"key id with slash", `{"credentials":[{"access_key_id":"A/B","secret_access_key":"SECRET-XYZ","account":"111111111111"}]}`, `entry 1 (access key "A/B"): access_key_id must not contain`},
		{"key id with space", `{"credentials":[{"access_key_id":"A B","secret_access_key":"SECRET-XYZ","account":"111111111111"}]}`, `access_key_id must not contain`},
		{"empty secret", `{"credentials":[{"access_key_id":"A","account":"111111111111"}]}`, `entry 1 (access key "A"): secret_access_key is empty`},
		{"short account", `{"credentials":[{"access_key_id":"A","secret_access_key":"SECRET-XYZ","account":"11111111111"}]}`, `account "11111111111" is not 12 digits`},
		{"account with letters", `{"credentials":[{"access_key_id":"A","secret_access_key":"SECRET-XYZ","account":"11111111111x"}]}`, `is not 12 digits`},
		{"duplicate key id", `{"credentials":[` + good + `,` + good + `]}`, `entry 2 (access key "AKID1"): access_key_id already used by entry 1`},
		{"bad partner", `{"credentials":[{"access_key_id":"A","secret_access_key":"SECRET-XYZ","account":"111111111111","partners":["ac me"]}]}`, `partner "ac me"`},
		{"empty partner", `{"credentials":[{"access_key_id":"A","secret_access_key":"SECRET-XYZ","account":"111111111111","partners":[""]}]}`, `partner ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			_, err := LoadCredentials(path)
			if err == nil {
				t.Fatalf("LoadCredentials succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error = %q, want one naming %s and containing %q", err, path, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET-XYZ") {
				t.Errorf("error %q echoes a secret", err)
			}
		})
	}
}

func TestLoadCredentialsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.json")
	_, err := LoadCredentials(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want one naming %s", err, path)
	}
}
