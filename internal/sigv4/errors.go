package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
)

// status is the HTTP status of every authentication failure. AWS's awsJson
// services (seen for Kinesis, DynamoDB, CloudWatch Logs, ECS, Cognito) answer
// signature and credential errors with 400 Bad Request and a JSON body; the
// 403s in AWS's "common errors" pages belong to the XML query protocol.
const status = http.StatusBadRequest

// Messages as the real services send them, word for word (recorded from
// Kinesis, DynamoDB, CloudWatch Logs and others, all Coral awsJson services
// like EventBridge). The last three are S3's wording for presigned URLs and
// the four-element credential message is switchyard's, for SigV4a: AWS's
// JSON services were not seen answering those.
const (
	msgMissingToken  = "Missing Authentication Token"
	msgBothForms     = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgUnrecognized  = "The security token included in the request is invalid."
	msgMismatch      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgHostUnsigned  = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgReexamine     = "Re-examine the query-string parameters."
	msgFiveElements  = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
	msgFourElements  = "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term,"
	msgExpiresNumber = "X-Amz-Expires should be a number"
	msgExpiresNeg    = "X-Amz-Expires must be non-negative"
	msgExpiresWeek   = "X-Amz-Expires must be less than a week (in seconds) that is 604800"
)

func errMissingToken() *awserr.Error {
	return awserr.WithStatus(awserr.MissingAuthenticationToken, status, msgMissingToken)
}

func errBothForms() *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status, msgBothForms)
}

func errUnrecognizedClient() *awserr.Error {
	return awserr.WithStatus(awserr.UnrecognizedClient, status, msgUnrecognized)
}

func errMismatch() *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status, msgMismatch)
}

func errHostUnsigned() *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status, msgHostUnsigned)
}

// errHeaderUnsigned refuses a request whose signature leaves out a header
// that must be signed (see mustSign). AWS's JSON services were not seen
// answering this case; the wording is theirs for an unsigned Host
// (msgHostUnsigned) with the header's name in its place.
func errHeaderUnsigned(header string) *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status,
		"'"+header+"' must be a 'SignedHeader' in the AWS Authorization.")
}

func errIncomplete(msg string) *awserr.Error {
	return awserr.WithStatus(awserr.IncompleteSignature, status, msg)
}

func errNotKeyValue(part, header string) *awserr.Error {
	return errIncomplete(fmt.Sprintf(
		"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, header))
}

func errUnsupportedAlgorithm(alg string) *awserr.Error {
	return errIncomplete(fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only %s for now). ", alg, algorithmHMAC))
}

func errBadDate(got string) *awserr.Error {
	return errIncomplete(fmt.Sprintf(
		"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", got))
}

// errExpired reports a request dated before now-window.
func errExpired(date, now time.Time, window time.Duration) *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status, fmt.Sprintf(
		"Signature expired: %s is now earlier than %s (%s - %s.)",
		date.Format(amzDateLayout), now.Add(-window).Format(amzDateLayout),
		now.Format(amzDateLayout), formatWindow(window)))
}

// errNotYetCurrent reports a request dated after now+window.
func errNotYetCurrent(date, now time.Time, window time.Duration) *awserr.Error {
	return awserr.WithStatus(awserr.InvalidSignature, status, fmt.Sprintf(
		"Signature not yet current: %s is still later than %s (%s + %s.)",
		date.Format(amzDateLayout), now.Add(window).Format(amzDateLayout),
		now.Format(amzDateLayout), formatWindow(window)))
}

// formatWindow renders a skew window the way AWS does: "15 min", or seconds
// when it is not a whole number of minutes.
func formatWindow(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d sec", d/time.Second)
}

// scopeProblems collects AWS's credential-scope complaints; AWS reports all of
// them in one message.
type scopeProblems struct{ b strings.Builder }

func (p *scopeProblems) region() { p.b.WriteString("Credential should be scoped to a valid region. ") }

func (p *scopeProblems) service(want string) {
	fmt.Fprintf(&p.b, "Credential should be scoped to correct service: '%s'. ", want)
}

func (p *scopeProblems) terminator(got string) {
	fmt.Fprintf(&p.b, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", terminator, got)
}

func (p *scopeProblems) date(scope, want, amzDate string) {
	fmt.Fprintf(&p.b,
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
		scope, want, amzDate)
}

func (p *scopeProblems) err() error {
	if p.b.Len() == 0 {
		return nil
	}
	return awserr.WithStatus(awserr.InvalidSignature, status, p.b.String())
}
