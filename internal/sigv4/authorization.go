package sigv4

import (
	"net/http"
	"net/url"
	"strings"
)

const (
	algorithmHMAC  = "AWS4-HMAC-SHA256"
	algorithmECDSA = "AWS4-ECDSA-P256-SHA256" // SigV4a: parsed, not verified
	terminator     = "aws4_request"
	amzDateLayout  = "20060102T150405Z"
	scopeDateLen   = len("20060102")

	headerAuthorization = "Authorization"
	headerAmzDate       = "X-Amz-Date"
	headerDate          = "Date"
	headerSecurityToken = "X-Amz-Security-Token"
	headerTarget        = "X-Amz-Target"
	headerContentType   = "Content-Type"

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
)

// An Authorization is the parsed form of a SigV4 signature, from either the
// Authorization header or a presigned query string. Nothing in it has been
// verified.
type Authorization struct {
	// Algorithm is the signing algorithm, e.g. "AWS4-HMAC-SHA256".
	Algorithm string
	// Credential is the raw credential: AKID/date/region/service/aws4_request.
	Credential string
	// SignedHeaders lists the signed header names in the order given.
	SignedHeaders []string
	// Signature is the signature as sent (lower-case hex for SigV4).
	Signature string
}

// A Scope is a credential split into its elements.
type Scope struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	Region      string // empty for SigV4a, whose scope has no region
	Service     string
	Terminator  string // "aws4_request" when well formed
}

// ParseAuthorization parses an Authorization header value of the form
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex". It checks syntax only: the algorithm
// name, the credential's shape and the signature are left to Scope and the
// Verifier.
//
// On failure it returns an *awserr.Error: MissingAuthenticationTokenException
// when h is empty or not an AWS4 signature, IncompleteSignatureException with
// AWS's message when a part is malformed or missing. It never panics.
func ParseAuthorization(h string) (Authorization, error) {
	return parseAuthorization(h, true)
}

// parseAuthorization is ParseAuthorization; hasDate reports whether the
// request carries X-Amz-Date or Date, whose absence AWS reports in the same
// message as missing parameters.
func parseAuthorization(h string, hasDate bool) (Authorization, error) {
	trimmed := strings.TrimSpace(h)
	if !strings.HasPrefix(trimmed, "AWS4-") {
		return Authorization{}, errMissingToken()
	}
	alg, rest := trimmed, ""
	if i := strings.IndexAny(trimmed, " \t"); i >= 0 {
		alg, rest = trimmed[:i], trimmed[i+1:]
	}
	a := Authorization{Algorithm: alg}
	var signedHeaders string
	for _, part := range strings.FieldsFunc(rest, isParamSeparator) {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return Authorization{}, errNotKeyValue(part, h)
		}
		switch key {
		case "Credential":
			a.Credential = value
		case "SignedHeaders":
			signedHeaders = value
		case "Signature":
			a.Signature = value
		}
	}
	var msg strings.Builder
	if a.Credential == "" {
		msg.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if a.Signature == "" {
		msg.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if signedHeaders == "" {
		msg.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if !hasDate {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=")
		msg.WriteString(h)
		return Authorization{}, errIncomplete(msg.String())
	}
	a.SignedHeaders = strings.Split(signedHeaders, ";")
	return a, nil
}

func isParamSeparator(r rune) bool { return r == ',' || r == ' ' || r == '\t' }

// Scope splits the credential into its elements: five for SigV4
// (AKID/date/region/service/aws4_request), four for SigV4a. A trailing slash
// is ignored, as AWS does. It returns IncompleteSignatureException with AWS's
// message when the count is wrong or an element is empty.
func (a Authorization) Scope() (Scope, error) {
	parts := strings.Split(strings.TrimSuffix(a.Credential, "/"), "/")
	if a.Algorithm == algorithmECDSA {
		if len(parts) != 4 || hasEmpty(parts) {
			return Scope{}, errIncomplete(msgFourElements + " got '" + a.Credential + "'")
		}
		return Scope{AccessKeyID: parts[0], Date: parts[1], Service: parts[2], Terminator: parts[3]}, nil
	}
	if len(parts) != 5 || hasEmpty(parts) {
		return Scope{}, errIncomplete(msgFiveElements + " got '" + a.Credential + "'")
	}
	return Scope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}, nil
}

// String returns the scope as it appears in the string to sign:
// date/region/service/terminator.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

func hasEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" {
			return true
		}
	}
	return false
}

// signature is what a request says about its own signing: the parsed
// Authorization plus where the date and expiry came from.
type signature struct {
	Authorization
	presigned bool
	date      string // X-Amz-Date (header or query), or Date header
	httpDate  bool   // date came from the Date header (RFC 1123)
	expires   string // X-Amz-Expires; presigned only, may be empty
	regionSet string // X-Amz-Region-Set (SigV4a), header or query
}

// readSignature finds and parses the signature of r, in the header or the
// query string, reporting AWS's errors for absent, doubled or incomplete ones.
func readSignature(r *http.Request) (signature, error) {
	var query url.Values
	if r.URL.RawQuery != "" {
		query, _ = url.ParseQuery(r.URL.RawQuery) // keeps what parses; the canonical form re-reads the raw query
	}
	header := r.Header.Get(headerAuthorization)
	_, presigned := query[queryAlgorithm]
	switch {
	case header != "" && presigned:
		return signature{}, errBothForms()
	case presigned:
		return readPresigned(query)
	case header == "":
		return signature{}, errMissingToken()
	}
	s := signature{date: r.Header.Get(headerAmzDate), regionSet: r.Header.Get(headerRegionSet)}
	if s.date == "" {
		s.date, s.httpDate = r.Header.Get(headerDate), true
	}
	a, err := parseAuthorization(header, s.date != "")
	if err != nil {
		return signature{}, err
	}
	s.Authorization = a
	return s, nil
}

// readPresigned reads the X-Amz-* query parameters of a presigned request.
func readPresigned(q url.Values) (signature, error) {
	var msg strings.Builder
	for _, name := range []string{queryAlgorithm, queryCredential, querySignature, querySignedHeaders, queryDate} {
		if q.Get(name) == "" {
			msg.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString(msgReexamine)
		return signature{}, errIncomplete(msg.String())
	}
	return signature{
		Authorization: Authorization{
			Algorithm:     q.Get(queryAlgorithm),
			Credential:    q.Get(queryCredential),
			SignedHeaders: strings.Split(q.Get(querySignedHeaders), ";"),
			Signature:     q.Get(querySignature),
		},
		presigned: true,
		date:      q.Get(queryDate),
		expires:   q.Get(queryExpires),
		regionSet: q.Get(queryRegionSet),
	}, nil
}
