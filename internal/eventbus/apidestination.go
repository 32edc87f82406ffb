package eventbus

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// API destination states.
const (
	APIDestinationActive   = "ACTIVE"
	APIDestinationInactive = "INACTIVE"
)

// Defaults of API destinations, as AWS's.
const (
	// DefaultInvocationRateLimit is the InvocationRateLimitPerSecond of a
	// destination created without one.
	DefaultInvocationRateLimit = 300
	// DefaultMaxAPIDestinations is the quota per account and region.
	DefaultMaxAPIDestinations = 3000
)

// An APIDestination is an HTTP endpoint that rules can target, with the
// connection that authorizes requests to it. It is stored under
// (Account, Name) of the API destinations KV. Its state is not stored: it
// is ACTIVE exactly while its connection exists and is authorized (see
// APIDestinationState).
type APIDestination struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// ID is the UUID that ends the destination's ARN.
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// ConnectionArn names a connection of the same account and region.
	ConnectionArn string `json:"connectionArn"`
	// InvocationEndpoint is the URL, whose path may hold "*" wildcards that
	// the target's PathParameterValues fill (see URL).
	InvocationEndpoint           string    `json:"invocationEndpoint"`
	HTTPMethod                   string    `json:"httpMethod"`
	InvocationRateLimitPerSecond int       `json:"invocationRateLimitPerSecond"`
	CreatedAt                    time.Time `json:"createdAt"`
	ModifiedAt                   time.Time `json:"modifiedAt"`
}

// ARN returns the destination's ARN in region.
func (d APIDestination) ARN(region string) string {
	return APIDestinationARN(region, d.Account, d.Name, d.ID)
}

// APIDestinationARN returns arn:aws:events:<region>:<account>:api-destination/<name>/<id>.
func APIDestinationARN(region, account, name, id string) string {
	return "arn:aws:events:" + region + ":" + account + ":api-destination/" + name + "/" + id
}

// ParseAPIDestinationARN splits an API destination ARN
// (arn:<partition>:events:<region>:<account>:api-destination/<name>/<id>).
func ParseAPIDestinationARN(s string) (ResourceRef, bool) {
	return parseResourceARN(s, "api-destination/")
}

// APIDestinationState is the state of a destination whose connection is
// conn (nil when the connection no longer exists): ACTIVE when the
// connection is authorized, else INACTIVE, as AWS reports a destination on a
// connection that is still authorizing or was deauthorized.
func APIDestinationState(conn *Connection) string {
	if conn != nil && conn.Authorized() {
		return APIDestinationActive
	}
	return APIDestinationInactive
}

// ErrPathParameters is returned (wrapped) by URL when the number of values
// differs from the number of "*" wildcards in the endpoint's path.
var ErrPathParameters = errors.New("eventbus: path parameter values do not match the endpoint's wildcards")

// URL returns the invocation URL with each "*" of the endpoint's path
// replaced, in order, by the next of values, path-escaped. The endpoint
// must have been accepted by ValidEndpoint.
func (d APIDestination) URL(values []string) (string, error) {
	u, err := url.Parse(d.InvocationEndpoint)
	if err != nil {
		return "", err
	}
	path := u.EscapedPath()
	if n := strings.Count(path, "*"); n != len(values) {
		return "", errors.Join(ErrPathParameters, errors.New(d.InvocationEndpoint+" has "+strconv.Itoa(n)+" wildcards, got "+strconv.Itoa(len(values))+" values"))
	}
	var b strings.Builder
	for _, v := range values {
		before, after, _ := strings.Cut(path, "*")
		b.WriteString(before)
		b.WriteString(url.PathEscape(v))
		path = after
	}
	b.WriteString(path)
	return u.Scheme + "://" + u.Host + b.String(), nil
}

// ValidEndpoint reports whether s is an endpoint AWS accepts as an
// InvocationEndpoint or an OAuth AuthorizationEndpoint: an absolute https
// URL with a host name or IPv4 address, an optional port, and an optional
// path, without user information, query string or fragment (AWS refuses an
// https endpoint that carries a query string). With allowLoopbackHTTP, plain
// http is also accepted for localhost and loopback addresses, so endpoints
// on the machine running switchyard can be used; AWS itself never accepts
// http. Callers check the model's pattern and length first.
func ValidEndpoint(s string, allowLoopbackHTTP bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return false
	}
	host := u.Hostname()
	if !validHost(host) || !validPort(u.Port(), u.Host, host) {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return allowLoopbackHTTP && isLoopbackHost(host)
	default:
		return false
	}
}

// validHost accepts DNS names (labels of letters, digits, '-' and '_') and
// IPv4 addresses.
func validHost(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validPort accepts no port, or a decimal port 1-65535 after a colon.
func validPort(port, hostport, host string) bool {
	if port == "" {
		return hostport == host
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535 && port[0] != '+' && hostport == host+":"+port
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// A ResolvedAPIDestination is everything an HTTP sender needs to invoke an
// API destination: the destination, its connection (without secrets) and
// the connection's complete authorization.
type ResolvedAPIDestination struct {
	Destination APIDestination
	Connection  Connection
	Auth        ConnectionAuth
}

// An APIDestinationResolver finds an API destination for delivery.
// ResolveAPIDestination returns the destination named by arn, which must
// belong to account and the server's region, with its connection's
// decrypted authorization. It fails with ErrNotFound (wrapped) when the
// destination or its connection does not exist (for account), and with
// ErrConnectionNotAuthorized when the connection is deauthorized. Safe for
// concurrent use.
type APIDestinationResolver interface {
	ResolveAPIDestination(ctx context.Context, account, arn string) (ResolvedAPIDestination, error)
}
