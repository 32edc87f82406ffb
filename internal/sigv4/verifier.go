package sigv4

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// An Authenticator decides who sent a request, in two phases so that a
// server need not read the body of a request it will refuse anyway:
// AuthenticateHeaders checks everything the request line and headers show
// (a well-formed signature, the date within the window, the credential
// scope, a known access key) and returns the payload phase, which checks the
// signature over the body once it has been read and returns the caller.
// Authenticate runs both phases on an already-read body. Failures are
// *awserr.Error with AWS's exception name, message and status.
// Implementations are safe for concurrent use.
type Authenticator interface {
	AuthenticateHeaders(r *http.Request) (payload func(body []byte) (eventbus.Caller, error), err error)
	Authenticate(r *http.Request, body []byte) (eventbus.Caller, error)
}

var (
	_ Authenticator = (*Verifier)(nil)
	_ Authenticator = Dev{}
)

// Defaults applied by NewVerifier to a zero Config field.
const (
	// DefaultService is EventBridge's signing name.
	DefaultService = "events"
	// DefaultMaxSkew is how far a request's date may be from the server's
	// clock, either way.
	DefaultMaxSkew = 15 * time.Minute
	// maxExpires is the longest X-Amz-Expires AWS accepts: one week.
	maxExpires = 7 * 24 * time.Hour
)

// Config configures a Verifier.
type Config struct {
	// Credentials are the access keys accepted; see LoadCredentials.
	Credentials []Credential
	// Region is the region requests must be scoped to. Empty accepts any
	// region (the region is still covered by the signature).
	Region string
	// Service is the signing name requests must be scoped to; default "events".
	Service string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// MaxSkew is the allowed distance between a request's date and Now;
	// default 15 minutes.
	MaxSkew time.Duration
}

// A Verifier authenticates requests by verifying their SigV4 signature (or
// SigV4a, which the SDKs use for PutEvents with an EndpointId) against a fixed
// set of credentials. It is immutable after NewVerifier and
// safe for concurrent use.
type Verifier struct {
	keys    map[string]*key // by access key id; the map is read-only after NewVerifier
	region  string
	service string
	now     func() time.Time
	maxSkew time.Duration
}

// NewVerifier returns a Verifier for cfg, applying the defaults. It fails when
// a credential is invalid (as LoadCredentials checks) or MaxSkew is negative.
func NewVerifier(cfg Config) (*Verifier, error) {
	if err := validateCredentials(cfg.Credentials); err != nil {
		return nil, fmt.Errorf("sigv4: %w", err)
	}
	if cfg.MaxSkew < 0 {
		return nil, errors.New("sigv4: MaxSkew must not be negative")
	}
	v := &Verifier{
		keys:    make(map[string]*key, len(cfg.Credentials)),
		region:  cfg.Region,
		service: cfg.Service,
		now:     cfg.Now,
		maxSkew: cfg.MaxSkew,
	}
	if v.service == "" {
		v.service = DefaultService
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxSkew == 0 {
		v.maxSkew = DefaultMaxSkew
	}
	for _, c := range cfg.Credentials {
		c.Partners = slices.Clone(c.Partners)
		pub, err := sigv4aPublicKey(c.AccessKeyID, c.SecretAccessKey)
		if err != nil {
			return nil, fmt.Errorf("sigv4: access key %q: %w", c.AccessKeyID, err)
		}
		v.keys[c.AccessKeyID] = &key{cred: c, v4a: pub}
	}
	return v, nil
}

// Authenticate verifies the signature of r over body, SigV4 or SigV4a, in the
// Authorization header or a presigned query string: AuthenticateHeaders, then
// its payload phase.
func (v *Verifier) Authenticate(r *http.Request, body []byte) (eventbus.Caller, error) {
	payload, err := v.AuthenticateHeaders(r)
	if err != nil {
		return eventbus.Caller{}, err
	}
	return payload(body)
}

// AuthenticateHeaders runs every check that needs no body, in AWS's order:
// presence and completeness, date format, clock skew or presigned expiry,
// Host signed (and X-Amz-Target and Content-Type when present), algorithm, credential shape, credential scope (region or
// SigV4a region set, service, terminator, date), access key. The payload
// phase it returns verifies the signature over the body; the caller it
// returns acts as the credential's account with its partners. r must not
// change between the phases.
func (v *Verifier) AuthenticateHeaders(r *http.Request) (func(body []byte) (eventbus.Caller, error), error) {
	s, err := readSignature(r)
	if err != nil {
		return nil, err
	}
	date, err := s.time()
	if err != nil {
		return nil, err
	}
	if err := v.checkTime(s, date); err != nil {
		return nil, err
	}
	if !s.signs("host") {
		return nil, errHostUnsigned()
	}
	if err := checkSignedHeaders(r, s); err != nil {
		return nil, err
	}
	if s.Algorithm != algorithmHMAC && s.Algorithm != algorithmECDSA {
		return nil, errUnsupportedAlgorithm(s.Algorithm)
	}
	scope, err := s.Scope()
	if err != nil {
		return nil, err
	}
	if err := v.checkScope(s, scope, date); err != nil {
		return nil, err
	}
	k, ok := v.keys[scope.AccessKeyID]
	if !ok {
		return nil, errUnrecognizedClient()
	}
	if !s.presigned && r.Header.Get(headerSecurityToken) != "" && !s.signs(headerSecurityToken) {
		return nil, errMismatch()
	}
	return func(body []byte) (eventbus.Caller, error) {
		if !k.verify(s, scope, date, canonicalRequest(r, s, body)) {
			return eventbus.Caller{}, errMismatch()
		}
		return eventbus.Caller{
			AccessKeyID: k.cred.AccessKeyID,
			Account:     k.cred.Account,
			Partners:    slices.Clone(k.cred.Partners),
		}, nil
	}, nil
}

// A key is one credential with what is derived from it: the SigV4a public
// key, fixed, and the SigV4 signing key of the last scope used, which changes
// daily. Concurrent verifications may race to replace derived; any winner is
// correct.
type key struct {
	cred    Credential
	v4a     *ecdsa.PublicKey
	derived atomic.Pointer[derivedKey]
}

// A derivedKey is a SigV4 signing key and the scope it was derived for.
type derivedKey struct {
	scope Scope
	key   []byte
}

// verify checks the signature itself, in constant time for SigV4.
func (k *key) verify(s signature, scope Scope, date time.Time, canonical string) bool {
	if s.Algorithm == algorithmECDSA {
		return verifyECDSA(k.v4a, date, scope, canonical, s.Signature)
	}
	d := k.derived.Load()
	if d == nil || d.scope != scope {
		d = &derivedKey{scope: scope, key: signingKey(k.cred.SecretAccessKey, scope)}
		k.derived.Store(d)
	}
	want := hmacSHA256(d.key, stringToSign(date, scope, canonical))
	got, err := hex.DecodeString(s.Signature)
	return err == nil && hmac.Equal(want, got)
}

// mustSign are the headers that, when present, the signature must cover:
// X-Amz-Target names the operation and Content-Type how the body is read, so
// a signature that left them out could be replayed as another operation
// (a DescribeRule signature sent again as DeleteRule). Every AWS SDK signs
// both. An absent header needs no signature: without X-Amz-Target there is
// no operation to call.
var mustSign = [...]string{headerTarget, headerContentType}

// checkSignedHeaders returns InvalidSignatureException naming the first
// header of mustSign that r carries but s does not sign.
func checkSignedHeaders(r *http.Request, s signature) error {
	for _, h := range mustSign {
		if _, present := r.Header[h]; present && !s.signs(h) {
			return errHeaderUnsigned(h)
		}
	}
	return nil
}

// signs reports whether the named header is among the signed headers.
func (s signature) signs(name string) bool {
	return slices.ContainsFunc(s.SignedHeaders, func(h string) bool { return strings.EqualFold(h, name) })
}

// time parses the request date: X-Amz-Date in ISO 8601 basic format, or an
// HTTP Date header.
func (s signature) time() (time.Time, error) {
	if s.httpDate {
		t, err := http.ParseTime(s.date)
		if err != nil {
			return time.Time{}, errBadDate(s.date)
		}
		return t.UTC(), nil
	}
	t, err := time.Parse(amzDateLayout, s.date)
	if err != nil || len(s.date) != len(amzDateLayout) {
		return time.Time{}, errBadDate(s.date)
	}
	return t, nil
}

// checkTime rejects a date further than MaxSkew from now, except that a
// presigned request with X-Amz-Expires stays valid until date+expires; its
// expiry is reported in the skew message's form with the expiry as window.
func (v *Verifier) checkTime(s signature, date time.Time) error {
	now := v.now().UTC().Truncate(time.Second)
	if date.After(now.Add(v.maxSkew)) {
		return errNotYetCurrent(date, now, v.maxSkew)
	}
	window := v.maxSkew
	if s.presigned && s.expires != "" {
		secs, err := strconv.ParseInt(s.expires, 10, 64)
		switch {
		case err != nil:
			return errIncomplete(msgExpiresNumber)
		case secs < 0:
			return errIncomplete(msgExpiresNeg)
		case secs > int64(maxExpires/time.Second):
			return errIncomplete(msgExpiresWeek)
		}
		window = time.Duration(secs) * time.Second
	}
	if date.Before(now.Add(-window)) {
		return errExpired(date, now, window)
	}
	return nil
}

// checkScope compares the credential scope with the verifier's region (for
// SigV4a, the signed region set) and service and with the request date,
// reporting every mismatch at once.
func (v *Verifier) checkScope(s signature, scope Scope, date time.Time) error {
	var p scopeProblems
	switch {
	case v.region == "":
	case s.Algorithm == algorithmECDSA:
		// The region set counts only when the signature covers it.
		if !(s.presigned || s.signs(headerRegionSet)) || !regionSetMatches(s.regionSet, v.region) {
			p.region()
		}
	case s.Algorithm == algorithmHMAC && scope.Region != v.region:
		p.region()
	}
	if scope.Service != v.service {
		p.service(v.service)
	}
	if scope.Terminator != terminator {
		p.terminator(scope.Terminator)
	}
	if want := date.Format(amzDateLayout)[:scopeDateLen]; scope.Date != want {
		p.date(scope.Date, want, date.Format(amzDateLayout))
	}
	return p.err()
}
