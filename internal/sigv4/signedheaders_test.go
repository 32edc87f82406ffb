package sigv4

import (
	"net/http"
	"testing"

	"github.com/switchyard/switchyard/internal/awserr"
)

// TestVerifierRequiresSignedTarget replays signatures that leave the
// operation (X-Amz-Target) or the Content-Type out of SignedHeaders: a
// signature over Host and X-Amz-Date alone would otherwise let anyone who
// saw one request send it again as any other operation.
func TestVerifierRequiresSignedTarget(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t)
	// signedWithout signs a PutEvents request while the named headers are
	// absent, then adds them back, as a replay would.
	signedWithout := func(t *testing.T, target string, unsigned ...string) *http.Request {
		t.Helper()
		req := newAPIRequest(t, "PutEvents", "http://localhost:4010/", testBody)
		saved := map[string]string{}
		for _, h := range unsigned {
			saved[h] = req.Header.Get(h)
			req.Header.Del(h)
		}
		signHTTP(t, req, defaultSigning())
		for h, val := range saved {
			req.Header.Set(h, val)
		}
		if target != "" {
			req.Header.Set("X-Amz-Target", "AWSEvents."+target)
		}
		return req
	}
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		msg  string
	}{
		{"target unsigned, replayed as DeleteRule", func(t *testing.T) *http.Request {
			return signedWithout(t, "DeleteRule", "X-Amz-Target")
		}, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{"target and content type unsigned", func(t *testing.T) *http.Request {
			return signedWithout(t, "", "X-Amz-Target", "Content-Type")
		}, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{"content type unsigned", func(t *testing.T) *http.Request {
			return signedWithout(t, "", "Content-Type")
		}, "'Content-Type' must be a 'SignedHeader' in the AWS Authorization."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Authenticate(tt.req(t), bodyOf(testBody))
			wantAWSError(t, err, awserr.InvalidSignature, tt.msg)
		})
	}

	// Absent headers need no signature: without X-Amz-Target there is no
	// operation to replay, and a request without a body type is allowed.
	req := signedWithout(t, "", "Content-Type")
	req.Header.Del("Content-Type")
	if _, err := v.Authenticate(req, bodyOf(testBody)); err != nil {
		t.Errorf("no Content-Type: %v", err)
	}
}
