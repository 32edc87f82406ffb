package sigv4

import (
	"testing"
)

// BenchmarkVerifierAuthenticate measures verifying a PutEvents request signed
// in the Authorization header, the hot path of every API call.
func BenchmarkVerifierAuthenticate(b *testing.B) {
	v := newTestVerifier(b)
	req := signedRequest(b, defaultSigning())
	body := []byte(testBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Authenticate(req, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifierReject measures rejecting a request with a wrong secret,
// which costs as much as accepting one.
func BenchmarkVerifierReject(b *testing.B) {
	v := newTestVerifier(b)
	s := defaultSigning()
	s.secret = "wrong"
	req := signedRequest(b, s)
	body := []byte(testBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Authenticate(req, body); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkDevAuthenticate(b *testing.B) {
	req := signedRequest(b, defaultSigning())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Dev{}).Authenticate(req, nil); err != nil {
			b.Fatal(err)
		}
	}
}
