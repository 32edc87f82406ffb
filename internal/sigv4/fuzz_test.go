package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// authCodes are the only exceptions authentication may answer with.
var authCodes = []string{
	awserr.MissingAuthenticationToken, awserr.IncompleteSignature,
	awserr.InvalidSignature, awserr.UnrecognizedClient,
}

// checkAuthError fails unless err is an *awserr.Error with an authentication
// code and status 400.
func checkAuthError(t *testing.T, err error) {
	t.Helper()
	e, ok := err.(*awserr.Error)
	if !ok {
		t.Fatalf("error %v is %T, want *awserr.Error", err, err)
	}
	if !slices.Contains(authCodes, e.Code) || e.HTTPStatus() != http.StatusBadRequest || e.Message == "" {
		t.Fatalf("unexpected error %q, status %d", e.Error(), e.HTTPStatus())
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(signedRequest(f, defaultSigning()).Header.Get("Authorization"))
	for _, s := range []string{
		"", "AWS4-", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ,,,", "AWS4-HMAC-SHA256 Credential",
		"AWS4-HMAC-SHA256 Credential==, SignedHeaders=;;, Signature==",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
		"AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=30",
		"AWS4-HMAC-SHA256\tCredential=/////,\tSignedHeaders=host\t,Signature=\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			checkAuthError(t, err)
			return
		}
		if a.Credential == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("ParseAuthorization(%q) = %+v without an error", h, a)
		}
		if _, err := a.Scope(); err != nil {
			checkAuthError(t, err)
		}
	})
}

func FuzzAuthenticate(f *testing.F) {
	signed := signedRequest(f, defaultSigning())
	presigned := presignedRequest(f, defaultSigning(), 0)
	f.Add(signed.Header.Get("Authorization"), signed.Header.Get("X-Amz-Date"), "", "/", testBody)
	f.Add("", "", presigned.URL.RawQuery, "/", testBody)
	f.Add(signed.Header.Get("Authorization"), "20261122T135600Z", "a=1&b=%zz&&c", "/a/../b//c%2F", "{}")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/events/aws4_request, SignedHeaders=, Signature=", "", "", "/", "")
	f.Add("", "", "X-Amz-Algorithm=&X-Amz-Expires=-1", "", "")
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20261122/events/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ff",
		"20261122T135600Z", "", "/", "{}")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Date=x&X-Amz-Signature=s&X-Amz-SignedHeaders=host&X-Amz-Expires=99999999999999999999", "/", "")

	v := newTestVerifier(f)
	f.Fuzz(func(t *testing.T, auth, date, query, path, body string) {
		req := &http.Request{
			Method: http.MethodPost,
			URL:    &url.URL{Path: path, RawQuery: query},
			Host:   "localhost:4010",
			Header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"AWSEvents.PutEvents"},
			},
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if date != "" {
			req.Header.Set("X-Amz-Date", date)
		}
		if strings.HasPrefix(auth, algorithmECDSA) {
			req.Header.Set("X-Amz-Region-Set", "*")
		}
		devCaller, devErr := Dev{}.Authenticate(req, []byte(body))
		if devErr != nil {
			checkAuthError(t, devErr)
		} else if devCaller.AccessKeyID == "" || !eventbus.IsAccountID(devCaller.Account) || !devCaller.AnyPartner {
			t.Fatalf("dev caller %+v", devCaller)
		}
		c, err := v.Authenticate(req, []byte(body))
		if err != nil {
			checkAuthError(t, err)
			return
		}
		if devErr != nil {
			t.Fatalf("Verifier accepted what Dev rejected: %v", devErr)
		}
		if c.AccessKeyID != testKeyID && c.AccessKeyID != "AKIDOTHER" {
			t.Fatalf("verified caller %+v", c)
		}
	})
}
