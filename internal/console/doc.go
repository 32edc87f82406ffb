// Package console owns switchyard's web console: the page, its script and
// style sheet, embedded in the binary and served under /console/; the
// read-only endpoints the page needs beyond the EventBridge API (a bus's
// live events, a partner's counters and source lifecycle, dead letters and
// their redrive); and the per-node partner counters those endpoints read.
//
// The page calls the EventBridge API itself, signed in the browser with
// the access key the user types in: the server never sees a secret and the
// console has no session of its own. The endpoints here authenticate each
// request the same way as the API (a SigV4 signature checked by the
// Authenticator handed in) and answer only about the caller's own account:
// a partner sees counts for its own sources, never a customer's rules,
// targets or events.
//
// It never reads or writes storage directly (what it shows comes through
// the small interfaces in Config), and it never changes anything but what
// a redrive does through its DeadLetters.
package console
