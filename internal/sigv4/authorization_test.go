package sigv4

import (
	"slices"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Authorization
	}{
		{
			name: "as the SDKs send it",
			in:   "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd",
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256", Credential: "AKID/20261122/us-east-1/events/aws4_request", SignedHeaders: []string{"host", "x-amz-date"}, Signature: "abcd"},
		},
		{
			name: "no spaces, other order, unknown parameter",
			in:   "AWS4-HMAC-SHA256 Signature=ab,Foo=bar,SignedHeaders=host,Credential=a/b/c/d/e",
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256", Credential: "a/b/c/d/e", SignedHeaders: []string{"host"}, Signature: "ab"},
		},
		{
			name: "surrounding white space",
			in:   "  AWS4-HMAC-SHA256\tCredential=c,\tSignedHeaders=host ,  Signature=s  ",
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256", Credential: "c", SignedHeaders: []string{"host"}, Signature: "s"},
		},
		{
			name: "other algorithm parses",
			in:   "AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=30",
			want: Authorization{Algorithm: "AWS4-ECDSA-P256-SHA256", Credential: "a/b/c/d", SignedHeaders: []string{"host"}, Signature: "30"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.in)
			if err != nil {
				t.Fatalf("ParseAuthorization: %v", err)
			}
			if got.Algorithm != tt.want.Algorithm || got.Credential != tt.want.Credential ||
				got.Signature != tt.want.Signature || !slices.Equal(got.SignedHeaders, tt.want.SignedHeaders) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	tests := []struct {
		name, in, code, msg string
	}{
		{"empty", "", awserr.MissingAuthenticationToken, "Missing Authentication Token"},
		{"other scheme", "Basic dXNlcjpwYXNz", awserr.MissingAuthenticationToken, "Missing Authentication Token"},
		{"SigV2", "AWS AKID:sig", awserr.MissingAuthenticationToken, "Missing Authentication Token"},
		{"algorithm only", "AWS4-HMAC-SHA256", awserr.IncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"empty values", "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=x", awserr.IncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=x"},
		{"no equal sign", "AWS4-HMAC-SHA256 Credential", awserr.IncompleteSignature,
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAuthorization(tt.in)
			wantAWSError(t, err, tt.code, tt.msg)
		})
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		name string
		a    Authorization
		want Scope
		err  string
	}{
		{"five", Authorization{Algorithm: algorithmHMAC, Credential: "K/20261122/us-east-1/events/aws4_request"},
			Scope{"K", "20261122", "us-east-1", "events", "aws4_request"}, ""},
		{"trailing slash ignored", Authorization{Algorithm: algorithmHMAC, Credential: "K/d/r/s/t/"},
			Scope{"K", "d", "r", "s", "t"}, ""},
		{"SigV4a four", Authorization{Algorithm: algorithmECDSA, Credential: "K/d/s/t"},
			Scope{AccessKeyID: "K", Date: "d", Service: "s", Terminator: "t"}, ""},
		{"six", Authorization{Algorithm: algorithmHMAC, Credential: "a/b/c/d/e/f"}, Scope{},
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f'"},
		{"empty element", Authorization{Algorithm: algorithmHMAC, Credential: "a//c/d/e"}, Scope{},
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a//c/d/e'"},
		{"SigV4a five", Authorization{Algorithm: algorithmECDSA, Credential: "a/b/c/d/e"}, Scope{},
			"Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got 'a/b/c/d/e'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Scope()
			if tt.err != "" {
				wantAWSError(t, err, awserr.IncompleteSignature, tt.err)
				return
			}
			if err != nil {
				t.Fatalf("Scope: %v", err)
			}
			if got != tt.want {
				t.Errorf("Scope = %+v, want %+v", got, tt.want)
			}
		})
	}
}
