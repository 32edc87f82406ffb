// Package sigv4 owns the authentication of switchyard's API requests, behind
// one interface, Authenticator, with two implementations: Verifier checks AWS
// Signature Version 4 and SigV4a (Authorization header and presigned query
// forms, the date within a skew of an injected clock) against a fixed set of
// static credentials, which LoadCredentials reads from a JSON file; Dev, for
// local development, checks only that a request is signed in a well-formed
// way and takes a 12-digit access key id as the caller's account. Either
// turns an authenticated request into an eventbus.Caller. What an account ID
// is, and how a SigV4a region set's '*' matches, are the domain's rules
// (eventbus.IsAccountID, eventbus.WildcardMatch), not copies kept here.
//
// Every failure is an *awserr.Error carrying the exception name, message and
// HTTP status the real service answers with, so the wire layer can send it
// unchanged.
//
// It never authorises anything: which buses, rules or partner sources a caller
// may touch is decided by the domain using the Caller this package returns.
// It never routes, reads or writes HTTP bodies either: the wire layer asks
// for the header phase first (AuthenticateHeaders), reads the body only once
// that passed, and hands the body to the payload phase. It never stores or changes credentials, and
// never puts a secret in an error.
package sigv4
