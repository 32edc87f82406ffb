package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// canonicalRequest builds the SigV4 canonical request of r as AWS does for
// every service but S3: method, normalised and doubly encoded path, sorted
// and encoded query (without X-Amz-Signature when presigned), the signed
// headers, the signed header list, and the SHA-256 of body.
func canonicalRequest(r *http.Request, s signature, body []byte) string {
	var b strings.Builder
	b.Grow(256 + len(r.URL.RawQuery))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, s.presigned))
	b.WriteByte('\n')
	names := make([]string, len(s.SignedHeaders))
	for i, name := range s.SignedHeaders {
		names[i] = strings.ToLower(name)
		b.WriteString(names[i])
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, names[i]))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(names, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// canonicalURI normalises the escaped path (RFC 3986 dot segments removed,
// empty segments dropped, a trailing slash kept) and URI-encodes it again,
// which for a path already escaped on the wire is AWS's double encoding.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" || p == "/" {
		return "/"
	}
	var segs []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	out := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") && len(segs) > 0 {
		out += "/"
	}
	return uriEncode(out, false)
}

// canonicalQuery decodes each name=value pair of the raw query, re-encodes
// both with SigV4's strict encoding and sorts by name, then value. A pair that
// does not decode is kept as sent, so it simply fails to match.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == querySignature {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// uriEncode percent-encodes every byte but the unreserved ones (A-Z a-z 0-9
// - _ . ~), with upper-case hex; '/' is kept unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalHeaderValue returns the values of the named header, each trimmed
// with inner runs of spaces collapsed, joined by commas. Go keeps Host out of
// r.Header and may keep Content-Length only in r.ContentLength.
func canonicalHeaderValue(r *http.Request, name string) string {
	if name == "host" {
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return collapseSpaces(host)
	}
	values := r.Header.Values(name)
	if len(values) == 0 && name == "content-length" && r.ContentLength > 0 {
		return strconv.FormatInt(r.ContentLength, 10)
	}
	if len(values) == 1 {
		return collapseSpaces(values[0])
	}
	cleaned := make([]string, len(values))
	for i, v := range values {
		cleaned[i] = collapseSpaces(v)
	}
	return strings.Join(cleaned, ",")
}

// collapseSpaces trims leading and trailing white space and turns each inner
// run of spaces into one, as the AWS SDKs do before signing.
func collapseSpaces(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// stringToSign is SigV4's string to sign for a canonical request.
func stringToSign(date time.Time, scope Scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithmHMAC + "\n" + date.Format(amzDateLayout) + "\n" + scope.String() + "\n" + hex.EncodeToString(sum[:])
}

// signingKey derives SigV4's signing key for secret and scope.
func signingKey(secret string, scope Scope) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), scope.Date)
	k = hmacSHA256(k, scope.Region)
	k = hmacSHA256(k, scope.Service)
	return hmacSHA256(k, scope.Terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
