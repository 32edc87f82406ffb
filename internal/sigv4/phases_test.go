package sigv4

import (
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
)

// TestHeaderPhase checks that AuthenticateHeaders refuses, without a body,
// every request whose headers alone condemn it, and that its payload phase
// still checks the signature over the body.
func TestHeaderPhase(t *testing.T) {
	v := newTestVerifier(t)
	stale := defaultSigning()
	stale.at = testNow.Add(-time.Hour)
	unknown := defaultSigning()
	unknown.keyID = "AKIDUNKNOWN"
	cases := []struct {
		name    string
		signing signing
		code    string // "" when the header phase passes
	}{
		{"unknown access key", unknown, awserr.UnrecognizedClient},
		{"date outside the window", stale, awserr.InvalidSignature},
		{"well signed", defaultSigning(), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload, err := v.AuthenticateHeaders(signedRequest(t, c.signing))
			if c.code != "" {
				if payload != nil {
					t.Error("a payload phase was returned with an error")
				}
				wantAWSError(t, err, c.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := payload(bodyOf(testBody + " ")); err == nil {
				t.Error("the payload phase accepted a body the signature does not cover")
			}
			if caller, err := payload(bodyOf(testBody)); err != nil || caller.Account != testAccount {
				t.Errorf("payload phase: %+v, %v", caller, err)
			}
		})
	}
}
