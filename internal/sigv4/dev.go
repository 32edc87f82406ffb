package sigv4

import (
	"net/http"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// devAccount is the account of a dev-mode caller whose access key id is not
// itself an account id.
const devAccount = "000000000000"

// Dev authenticates without verifying signatures, for local development: the
// request must still carry a well-formed SigV4 (or SigV4a) Authorization
// header or presigned query, with a date, so an unsigned or garbled request
// gets the same error as from AWS. The caller's account is the access key id
// when that is exactly 12 digits, else 000000000000; it may use every partner
// name. Dev is stateless and safe for concurrent use.
type Dev struct{}

// Authenticate parses r's signature and returns the dev-mode caller; body is
// not read. Failures are *awserr.Error as for Verifier.
func (d Dev) Authenticate(r *http.Request, _ []byte) (eventbus.Caller, error) {
	payload, err := d.AuthenticateHeaders(r)
	if err != nil {
		return eventbus.Caller{}, err
	}
	return payload(nil)
}

// AuthenticateHeaders parses r's signature; the payload phase it returns
// ignores the body and returns the dev-mode caller.
func (Dev) AuthenticateHeaders(r *http.Request) (func(body []byte) (eventbus.Caller, error), error) {
	s, err := readSignature(r)
	if err != nil {
		return nil, err
	}
	scope, err := s.Scope()
	if err != nil {
		return nil, err
	}
	account := devAccount
	if eventbus.IsAccountID(scope.AccessKeyID) {
		account = scope.AccessKeyID
	}
	caller := eventbus.Caller{AccessKeyID: scope.AccessKeyID, Account: account, AnyPartner: true}
	return func([]byte) (eventbus.Caller, error) { return caller, nil }, nil
}
