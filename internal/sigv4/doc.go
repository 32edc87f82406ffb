// Package sigv4 owns the authentication of switchyard's API requests: it
// verifies AWS Signature Version 4 and SigV4a (Authorization header and
// presigned query forms) against a set of static credentials, loads those credentials from a
// JSON file, and turns a verified request into an eventbus.Caller.
//
// Every failure is an *awserr.Error carrying the exception name, message and
// HTTP status the real service answers with, so the wire layer can send it
// unchanged.
//
// It never authorises anything: which buses, rules or partner sources a caller
// may touch is decided by the domain using the Caller this package returns.
// It never routes, reads or writes HTTP bodies either: the wire layer reads the
// body once and hands it in.
package sigv4
