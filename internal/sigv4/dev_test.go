package sigv4

import (
	"net/http"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

func TestDevAccepts(t *testing.T) {
	tests := []struct {
		name        string
		request     func(t *testing.T) *http.Request
		wantKey     string
		wantAccount string
	}{
		{"12-digit key id is the account", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.keyID = "123456789012"
			return signedRequest(t, s)
		}, "123456789012", "123456789012"},
		{"other key id", func(t *testing.T) *http.Request {
			return signedRequest(t, defaultSigning())
		}, testKeyID, "000000000000"},
		{"13 digits is not an account", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.keyID = "1234567890123"
			return signedRequest(t, s)
		}, "1234567890123", "000000000000"},
		{"signature not checked", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.secret, s.region, s.at = "anything", "mars-north-1", testNow.AddDate(-3, 0, 0)
			return signedRequest(t, s)
		}, testKeyID, "000000000000"},
		{"presigned", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.keyID = "210987654321"
			return presignedRequest(t, s, 0)
		}, "210987654321", "210987654321"},
		{"SigV4a header", func(t *testing.T) *http.Request {
			req := newAPIRequest(t, "PutEvents", "http://localhost:4010/", testBody)
			req.Header.Set("X-Amz-Date", "20261122T135600Z")
			req.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=123456789012/20261122/events/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045")
			return req
		}, "123456789012", "123456789012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Dev{}.Authenticate(tt.request(t), nil)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if c.AccessKeyID != tt.wantKey || c.Account != tt.wantAccount || !c.AnyPartner {
				t.Errorf("caller = %+v, want key %s, account %s, any partner", c, tt.wantKey, tt.wantAccount)
			}
		})
	}
}

func TestDevRejects(t *testing.T) {
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
		code    string
	}{
		{"missing", func(t *testing.T) *http.Request {
			return newAPIRequest(t, "PutEvents", "http://localhost:4010/", testBody)
		}, awserr.MissingAuthenticationToken},
		{"garbled", func(t *testing.T) *http.Request {
			req := signedRequest(t, defaultSigning())
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage")
			return req
		}, awserr.IncompleteSignature},
		{"no date", func(t *testing.T) *http.Request {
			req := signedRequest(t, defaultSigning())
			req.Header.Del("X-Amz-Date")
			return req
		}, awserr.IncompleteSignature},
		{"bad credential", func(t *testing.T) *http.Request {
			req := signedRequest(t, defaultSigning())
			replaceAuth(t, req, "/20261122/", "/")
			return req
		}, awserr.IncompleteSignature},
		{"both forms", func(t *testing.T) *http.Request {
			req := presignedRequest(t, defaultSigning(), 0)
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 x=y")
			return req
		}, awserr.InvalidSignature},
		{"incomplete query", func(t *testing.T) *http.Request {
			return newAPIRequest(t, "PutEvents", "http://localhost:4010/?X-Amz-Algorithm=AWS4-HMAC-SHA256", testBody)
		}, awserr.IncompleteSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dev{}.Authenticate(tt.request(t), nil)
			wantAWSError(t, err, tt.code, "")
		})
	}
}
