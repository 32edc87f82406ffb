package sigv4

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
)

func TestVerifierAccepts(t *testing.T) {
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
		want    string // access key id of the caller
	}{
		{"header", func(t *testing.T) *http.Request {
			return signedRequest(t, defaultSigning())
		}, testKeyID},
		{"header, second credential", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.keyID, s.secret = "AKIDOTHER", "other-secret"
			return signedRequest(t, s)
		}, "AKIDOTHER"},
		{"header, empty body", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.body = ""
			return signedRequest(t, s)
		}, testKeyID},
		{"header, signed 14 minutes ago", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.at = testNow.Add(-14 * time.Minute)
			return signedRequest(t, s)
		}, testKeyID},
		{"header, signed 14 minutes ahead", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.at = testNow.Add(14 * time.Minute)
			return signedRequest(t, s)
		}, testKeyID},
		{"header, session token signed", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.token = "FwoGZXIvYXdzEXAMPLETOKEN"
			return signedRequest(t, s)
		}, testKeyID},
		{"header, unsigned header added after signing", func(t *testing.T) *http.Request {
			req := signedRequest(t, defaultSigning())
			req.Header.Set("User-Agent", "changed")
			return req
		}, testKeyID},
		{"presigned", func(t *testing.T) *http.Request {
			return presignedRequest(t, defaultSigning(), 0)
		}, testKeyID},
		{"presigned with session token", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.token = "FwoGZXIvYXdzEXAMPLETOKEN"
			return presignedRequest(t, s, 0)
		}, testKeyID},
		{"presigned an hour ago, expires in two", func(t *testing.T) *http.Request {
			s := defaultSigning()
			s.at = testNow.Add(-time.Hour)
			return presignedRequest(t, s, 2*time.Hour)
		}, testKeyID},
	}
	v := newTestVerifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.request(t)
			body := bodyOf(testBody)
			if strings.Contains(tt.name, "empty body") {
				body = nil
			}
			c, err := v.Authenticate(req, body)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if c.AccessKeyID != tt.want {
				t.Errorf("AccessKeyID = %q, want %q", c.AccessKeyID, tt.want)
			}
			if c.AnyPartner {
				t.Error("AnyPartner = true for a verified caller")
			}
		})
	}
}

func TestVerifierCaller(t *testing.T) {
	v := newTestVerifier(t)
	c, err := v.Authenticate(signedRequest(t, defaultSigning()), bodyOf(testBody))
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if c.Account != testAccount || !slices.Equal(c.Partners, []string{"acme"}) || !c.MayUsePartner("acme") || c.MayUsePartner("other") {
		t.Errorf("caller = %+v, want account %s with partner acme only", c, testAccount)
	}
	c.Partners[0] = "mutated"
	c2, err := v.Authenticate(signedRequest(t, defaultSigning()), bodyOf(testBody))
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if c2.Partners[0] != "acme" {
		t.Errorf("a caller's Partners alias the verifier's credentials")
	}
}

func TestVerifierRejects(t *testing.T) {
	const allMissing = "Authorization header requires 'Credential' parameter. " +
		"Authorization header requires 'Signature' parameter. " +
		"Authorization header requires 'SignedHeaders' parameter. "
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
		body    string
		code    string
		msg     string
	}{
		{
			name: "missing",
			request: func(t *testing.T) *http.Request {
				return newAPIRequest(t, "PutEvents", "http://localhost:4010/", testBody)
			},
			code: awserr.MissingAuthenticationToken, msg: "Missing Authentication Token",
		},
		{
			name: "not an AWS4 scheme",
			request: func(t *testing.T) *http.Request {
				req := newAPIRequest(t, "PutEvents", "http://localhost:4010/", testBody)
				req.Header.Set("Authorization", "Bearer abc")
				return req
			},
			code: awserr.MissingAuthenticationToken, msg: "Missing Authentication Token",
		},
		{
			name: "header and query both",
			request: func(t *testing.T) *http.Request {
				req := presignedRequest(t, defaultSigning(), 0)
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
				return req
			},
			code: awserr.InvalidSignature,
			msg:  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name: "algorithm only",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256")
				return req
			},
			code: awserr.IncompleteSignature, msg: allMissing + "Authorization=AWS4-HMAC-SHA256",
		},
		{
			name: "no signature and no date",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Del("X-Amz-Date")
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host")
				return req
			},
			code: awserr.IncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host",
		},
		{
			name: "parameter without equal sign",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders")
				return req
			},
			code: awserr.IncompleteSignature,
			msg:  "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.",
		},
		{
			name: "date not ISO 8601 basic",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("X-Amz-Date", "2026-11-22T13:56:00Z")
				return req
			},
			code: awserr.IncompleteSignature,
			msg:  "Date must be in ISO-8601 'basic format'. Got '2026-11-22T13:56:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "expired",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.at = testNow.Add(-20 * time.Minute)
				return signedRequest(t, s)
			},
			code: awserr.InvalidSignature,
			msg:  "Signature expired: 20261122T133600Z is now earlier than 20261122T134100Z (20261122T135600Z - 15 min.)",
		},
		{
			name: "too far in the future",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.at = testNow.Add(20 * time.Minute)
				return signedRequest(t, s)
			},
			code: awserr.InvalidSignature,
			msg:  "Signature not yet current: 20261122T141600Z is still later than 20261122T141100Z (20261122T135600Z + 15 min.)",
		},
		{
			name: "host not signed",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				replaceAuth(t, req, "SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;")
				return req
			},
			code: awserr.InvalidSignature,
			msg:  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name: "unsupported algorithm",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				replaceAuth(t, req, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")
				return req
			},
			code: awserr.IncompleteSignature,
			msg:  "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name: "credential with four elements",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				replaceAuth(t, req, "/us-east-1/events/", "/us-east-1/")
				return req
			},
			code: awserr.IncompleteSignature,
			msg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20261122/us-east-1/aws4_request'",
		},
		{
			name: "wrong region",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.region = "eu-west-1"
				return signedRequest(t, s)
			},
			code: awserr.InvalidSignature, msg: "Credential should be scoped to a valid region. ",
		},
		{
			name: "wrong service",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.service = "sqs"
				return signedRequest(t, s)
			},
			code: awserr.InvalidSignature, msg: "Credential should be scoped to correct service: 'events'. ",
		},
		{
			name: "wrong terminator",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				replaceAuth(t, req, "/aws4_request", "/aws5_request")
				return req
			},
			code: awserr.InvalidSignature,
			msg:  "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
		},
		{
			name: "scope date is not the request date",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.at = time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC)
				req := signedRequest(t, s)
				req.Header.Set("X-Amz-Date", "20261122T135000Z")
				return req
			},
			code: awserr.InvalidSignature,
			msg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T135000Z'.",
		},
		{
			name: "every scope element wrong",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				replaceAuth(t, req, "/20261122/us-east-1/events/aws4_request", "/20261121/xx-1/sqs/term")
				return req
			},
			code: awserr.InvalidSignature,
			msg: "Credential should be scoped to a valid region. " +
				"Credential should be scoped to correct service: 'events'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'term'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T135600Z'.",
		},
		{
			name: "unknown access key",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.keyID = "AKIDUNKNOWN"
				return signedRequest(t, s)
			},
			code: awserr.UnrecognizedClient, msg: "The security token included in the request is invalid.",
		},
		{
			name: "wrong secret",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.secret = "not-the-secret"
				return signedRequest(t, s)
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "tampered body",
			request: func(t *testing.T) *http.Request {
				return signedRequest(t, defaultSigning())
			},
			body: strings.Replace(testBody, "com.example", "com.evil", 1),
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "body dropped",
			request: func(t *testing.T) *http.Request {
				return signedRequest(t, defaultSigning())
			},
			body: "-",
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "tampered signed header",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("X-Amz-Target", "AWSEvents.DeleteEventBus")
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "tampered host",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Host = "evil.example:4010"
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "tampered date within skew",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("X-Amz-Date", "20261122T135601Z")
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "tampered query",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.URL.RawQuery = "a=1"
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "signature not hex",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				h := req.Header.Get("Authorization")
				req.Header.Set("Authorization", h[:strings.Index(h, "Signature=")]+"Signature=zz")
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "session token not signed",
			request: func(t *testing.T) *http.Request {
				req := signedRequest(t, defaultSigning())
				req.Header.Set("X-Amz-Security-Token", "injected")
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "presigned, parameters missing",
			request: func(t *testing.T) *http.Request {
				return newAPIRequest(t, "PutEvents", "http://localhost:4010/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261122T135600Z", testBody)
			},
			code: awserr.IncompleteSignature,
			msg: "AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"Re-examine the query-string parameters.",
		},
		{
			name: "presigned, expired",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.at = testNow.Add(-5 * time.Minute)
				return presignedRequest(t, s, time.Minute)
			},
			code: awserr.InvalidSignature,
			msg:  "Signature expired: 20261122T135100Z is now earlier than 20261122T135500Z (20261122T135600Z - 1 min.)",
		},
		{
			name: "presigned, expires not a number",
			request: func(t *testing.T) *http.Request {
				req := presignedRequest(t, defaultSigning(), time.Minute)
				req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=soon", 1)
				return req
			},
			code: awserr.IncompleteSignature, msg: "X-Amz-Expires should be a number",
		},
		{
			name: "presigned, expires over a week",
			request: func(t *testing.T) *http.Request {
				return presignedRequest(t, defaultSigning(), 8*24*time.Hour)
			},
			code: awserr.IncompleteSignature, msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800",
		},
		{
			name: "presigned, tampered body",
			request: func(t *testing.T) *http.Request {
				return presignedRequest(t, defaultSigning(), 0)
			},
			body: "{}",
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "presigned, tampered query parameter",
			request: func(t *testing.T) *http.Request {
				req := presignedRequest(t, defaultSigning(), 0)
				req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "AWSEvents.PutEvents", "AWSEvents.DeleteRule", 1)
				return req
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
		{
			name: "presigned, wrong secret",
			request: func(t *testing.T) *http.Request {
				s := defaultSigning()
				s.secret = "nope"
				return presignedRequest(t, s, 0)
			},
			code: awserr.InvalidSignature, msg: msgMismatch,
		},
	}
	v := newTestVerifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := testBody
			switch tt.body {
			case "":
			case "-":
				body = ""
			default:
				body = tt.body
			}
			_, err := v.Authenticate(tt.request(t), bodyOf(body))
			wantAWSError(t, err, tt.code, tt.msg)
		})
	}
}

func TestNewVerifierDefaults(t *testing.T) {
	v, err := NewVerifier(Config{Credentials: testCredentials()})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	if v.service != DefaultService || v.maxSkew != DefaultMaxSkew || v.now == nil {
		t.Errorf("defaults not applied: service %q, skew %v", v.service, v.maxSkew)
	}
	// Any region is accepted when Region is empty; time.Now is the clock.
	s := defaultSigning()
	s.region, s.at = "ap-southeast-2", time.Now()
	if _, err := v.Authenticate(signedRequest(t, s), bodyOf(testBody)); err != nil {
		t.Errorf("Authenticate with the default config: %v", err)
	}
}

func TestNewVerifierRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bad account", Config{Credentials: []Credential{{AccessKeyID: "A", SecretAccessKey: "s", Account: "12"}}}, `account "12" is not 12 digits`},
		{"duplicate key", Config{Credentials: append(testCredentials(), testCredentials()[0])}, "already used by entry 1"},
		{"negative skew", Config{Credentials: testCredentials(), MaxSkew: -time.Second}, "MaxSkew"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewVerifier error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestVerifierAcrossScopes authenticates, concurrently, requests whose scopes
// alternate between two days, exercising the per-key signing key cache.
func TestVerifierAcrossScopes(t *testing.T) {
	midnight := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	v, err := NewVerifier(Config{
		Credentials: testCredentials(),
		Region:      testRegion,
		Now:         func() time.Time { return midnight },
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	before, after := defaultSigning(), defaultSigning()
	before.at, after.at = midnight.Add(-time.Minute), midnight.Add(time.Minute)
	reqs := []*http.Request{signedRequest(t, before), signedRequest(t, after)}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			var err error
			for i := range 50 {
				if _, err = v.Authenticate(reqs[(g+i)%2], bodyOf(testBody)); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("Authenticate: %v", err)
		}
	}
}
