package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/switchyard/switchyard/internal/awserr"
)

const (
	testKeyID   = "AKIDEXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testAccount = "111111111111"
	testRegion  = "us-east-1"
	testService = "events"
	testBody    = `{"Entries":[{"Source":"com.example","DetailType":"test","Detail":"{}"}]}`
)

// testNow is the verifier's clock in every test.
var testNow = time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC)

func testCredentials() []Credential {
	return []Credential{
		{AccessKeyID: testKeyID, SecretAccessKey: testSecret, Account: testAccount, Partners: []string{"acme"}},
		{AccessKeyID: "AKIDOTHER", SecretAccessKey: "other-secret", Account: "222222222222"},
	}
}

func newTestVerifier(t testing.TB) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{
		Credentials: testCredentials(),
		Region:      testRegion,
		Now:         func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// signing describes how a test request is signed by the SDK's signer.
type signing struct {
	keyID, secret, token string
	region, service      string
	at                   time.Time
	body                 string
}

func defaultSigning() signing {
	return signing{keyID: testKeyID, secret: testSecret, region: testRegion, service: testService, at: testNow, body: testBody}
}

func (s signing) creds() aws.Credentials {
	return aws.Credentials{AccessKeyID: s.keyID, SecretAccessKey: s.secret, SessionToken: s.token}
}

func hashHex(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

// newAPIRequest is an awsJson1_1 call as the SDK sends it, unsigned.
func newAPIRequest(t testing.TB, target, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents."+target)
	return req
}

// signedRequest returns a PutEvents request signed in the Authorization header.
func signedRequest(t testing.TB, s signing) *http.Request {
	t.Helper()
	req := newAPIRequest(t, "PutEvents", "http://localhost:4010/", s.body)
	signHTTP(t, req, s)
	return req
}

func signHTTP(t testing.TB, req *http.Request, s signing) {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), s.creds(), req, hashHex(s.body), s.service, s.region, s.at)
	if err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// presignedRequest returns a PutEvents request signed in the query string.
func presignedRequest(t testing.TB, s signing, expires time.Duration) *http.Request {
	t.Helper()
	url := "http://localhost:4010/"
	if expires > 0 {
		url += "?X-Amz-Expires=" + strconv.FormatInt(int64(expires/time.Second), 10)
	}
	req := newAPIRequest(t, "PutEvents", url, s.body)
	uri, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), s.creds(), req, hashHex(s.body), s.service, s.region, s.at)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(http.MethodPost, uri, strings.NewReader(s.body))
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", uri, err)
	}
	for name, values := range hdr { // the signer's map uses lower-case keys
		if strings.EqualFold(name, "host") {
			continue
		}
		for _, v := range values {
			out.Header.Add(name, v)
		}
	}
	return out
}

// wantAWSError checks that err is an *awserr.Error with the code, the
// status AWS uses and, when msg is not empty, exactly that message.
func wantAWSError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *awserr.Error %s", err, err, code)
	}
	if e.Code != code {
		t.Errorf("code = %s, want %s (message %q)", e.Code, code, e.Message)
	}
	if e.HTTPStatus() != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", e.HTTPStatus())
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message =\n\t%q\nwant\n\t%q", e.Message, msg)
	}
}

// replaceAuth rewrites part of a signed request's Authorization header.
func replaceAuth(t testing.TB, req *http.Request, old, new string) {
	t.Helper()
	h := req.Header.Get("Authorization")
	if !strings.Contains(h, old) {
		t.Fatalf("Authorization %q does not contain %q", h, old)
	}
	req.Header.Set("Authorization", strings.Replace(h, old, new, 1))
}

func bodyOf(s string) []byte { return bytes.Clone([]byte(s)) }
