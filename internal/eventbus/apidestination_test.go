package eventbus

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

var endpointCases = []struct {
	url           string
	https, loopOK bool // accepted without / with allowLoopbackHTTP
	why           string
}{
	{"https://example.com", true, true, "host only"},
	{"https://example.com/", true, true, "root path"},
	{"https://api.example.com/v1/orders/*/items/*", true, true, "path wildcards"},
	{"https://example.com:8443/hook", true, true, "port"},
	{"https://203.0.113.7/hook", true, true, "IPv4"},
	{"https://my_host.example.com/x", true, true, "underscore"},
	{"https://example.com/a%20b", true, true, "escaped path"},
	{"http://example.com/hook", false, false, "plain http"},
	{"http://127.0.0.1:8080/hook", false, true, "loopback http"},
	{"http://localhost:9000/x", false, true, "localhost http"},
	{"http://LOCALHOST/x", false, true, "localhost any case"},
	{"http://127.1.2.3/x", false, true, "loopback range"},
	{"http://10.0.0.1/x", false, false, "private http"},
	{"https://example.com/cron.php?secret=x", false, false, "query string (AWS refuses it)"},
	{"https://example.com/x?", false, false, "empty query"},
	{"https://example.com/x#frag", false, false, "fragment"},
	{"https://user:pw@example.com/x", false, false, "user info"},
	{"https://example.com:0/x", false, false, "port 0"},
	{"https://example.com:65536/x", false, false, "port too big"},
	{"https://example.com:/x", false, false, "empty port"},
	{"https://example.com:+80/x", false, false, "signed port"},
	{"https:///x", false, false, "no host"},
	{"https://-bad.example.com", false, false, "label starts with -"},
	{"https://bad..example.com", false, false, "empty label"},
	{"https://*.example.com", false, false, "wildcard host"},
	{"ftp://example.com/x", false, false, "other scheme"},
	{"example.com/x", false, false, "no scheme"},
	{"https:example.com", false, false, "opaque"},
	{"", false, false, "empty"},
}

func TestValidEndpoint(t *testing.T) {
	for _, c := range endpointCases {
		t.Run(c.why, func(t *testing.T) {
			if got := ValidEndpoint(c.url, false); got != c.https {
				t.Errorf("ValidEndpoint(%q, false) = %v", c.url, got)
			}
			if got := ValidEndpoint(c.url, true); got != c.loopOK {
				t.Errorf("ValidEndpoint(%q, true) = %v", c.url, got)
			}
		})
	}
}

func TestAPIDestinationURL(t *testing.T) {
	for _, c := range []struct {
		endpoint string
		values   []string
		want     string
	}{
		{"https://example.com/hook", nil, "https://example.com/hook"},
		{"https://example.com/orders/*/items/*", []string{"o-1", "a b/c"}, "https://example.com/orders/o-1/items/a%20b%2Fc"},
		{"https://example.com:8443/*", []string{"x"}, "https://example.com:8443/x"},
		{"http://127.0.0.1:9/a%2Ab/*", []string{"y"}, "http://127.0.0.1:9/a%2Ab/y"},
	} {
		got, err := APIDestination{InvocationEndpoint: c.endpoint}.URL(c.values)
		if err != nil || got != c.want {
			t.Errorf("URL(%q, %q) = %q, %v; want %q", c.endpoint, c.values, got, err, c.want)
		}
	}
	for _, values := range [][]string{nil, {"a", "b", "c"}} {
		if _, err := (APIDestination{InvocationEndpoint: "https://example.com/*/*"}).URL(values); !errors.Is(err, ErrPathParameters) {
			t.Errorf("URL with %d values for 2 wildcards: %v", len(values), err)
		}
	}
}

func TestAPIDestinationStateFollowsConnection(t *testing.T) {
	authorized := &Connection{State: ConnectionAuthorized, Sealed: []byte{1}}
	for _, c := range []struct {
		conn *Connection
		want string
	}{
		{authorized, APIDestinationActive},
		{&Connection{State: ConnectionDeauthorized}, APIDestinationInactive},
		{&Connection{State: ConnectionAuthorized}, APIDestinationInactive}, // no credentials
		{nil, APIDestinationInactive},
	} {
		if got := APIDestinationState(c.conn); got != c.want {
			t.Errorf("APIDestinationState(%+v) = %s, want %s", c.conn, got, c.want)
		}
	}
	d := APIDestination{Name: "d", Account: "222222222222", ID: "abc-1"}
	if got := d.ARN("us-east-1"); got != "arn:aws:events:us-east-1:222222222222:api-destination/d/abc-1" {
		t.Fatalf("ARN %s", got)
	}
	if ref, ok := ParseAPIDestinationARN(d.ARN("us-east-1")); !ok || ref.Name != "d" || ref.ID != "abc-1" {
		t.Fatalf("ParseAPIDestinationARN = %+v %v", ref, ok)
	}
}

// FuzzValidEndpoint: never panics; an accepted endpoint is an absolute
// http(s) URL with a host and no query, fragment or user info, http only
// for loopback hosts and only when allowed; and URL fills its wildcards
// into a URL that parses back to the same host.
func FuzzValidEndpoint(f *testing.F) {
	for _, c := range endpointCases {
		f.Add(c.url, true, "v")
	}
	f.Fuzz(func(t *testing.T, s string, loop bool, value string) {
		if !ValidEndpoint(s, loop) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			t.Fatalf("accepted %q: %+v %v", s, u, err)
		}
		if u.Scheme != "https" && !(loop && u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
			t.Fatalf("accepted %q with scheme %q (loopback allowed %v)", s, u.Scheme, loop)
		}
		if ValidEndpoint(s, false) != (u.Scheme == "https") {
			t.Fatalf("%q: https-only answer disagrees with its scheme", s)
		}
		values := make([]string, strings.Count(u.EscapedPath(), "*"))
		for i := range values {
			values[i] = value
		}
		got, err := APIDestination{InvocationEndpoint: s}.URL(values)
		if err != nil {
			t.Fatalf("URL(%q): %v", s, err)
		}
		g, err := url.Parse(got)
		if err != nil || g.Host != u.Host || g.Scheme != u.Scheme || g.RawQuery != "" {
			t.Fatalf("URL(%q) = %q (%v)", s, got, err)
		}
	})
}
