package sigv4

import (
	"net/http"
	"net/url"
	"testing"
)

// TestCanonicalFormsMatchSDK signs awkward requests with the SDK's signer and
// checks the Verifier rebuilds the same canonical request.
func TestCanonicalFormsMatchSDK(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		header http.Header
	}{
		{name: "root", url: "http://localhost:4010/"},
		{name: "no path", url: "http://localhost:4010"},
		{name: "escaped path", url: "http://localhost:4010/a%20b/c~d/%E2%82%AC"},
		{name: "trailing slash", url: "http://localhost:4010/buses/"},
		{name: "reserved characters in path", url: "http://localhost:4010/a:b@c!d$e&f=g+h"},
		{name: "sorted query", url: "http://localhost:4010/?b=2&a=1&a=0&A=3"},
		{name: "query encodings", url: "http://localhost:4010/?c=x%20y&d=%7E%2B%2A&p=a+b&slash=a/b&utf=%C3%A9"},
		{name: "query flag and empty value", url: "http://localhost:4010/?flag&empty="},
		{name: "default port", url: "http://localhost:80/"},
		{name: "header spaces", url: "http://localhost:4010/", header: http.Header{
			"X-Custom": {"  several   inner    spaces  "},
		}},
		{name: "repeated header", url: "http://localhost:4010/", header: http.Header{
			"X-Custom": {"one", "  two  ", "three"},
		}},
		{name: "header with tab and quotes", url: "http://localhost:4010/", header: http.Header{
			"X-Custom": {"\t\"a  b\"\t"},
		}},
	}
	v := newTestVerifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newAPIRequest(t, "ListEventBuses", tt.url, "{}")
			for k, vs := range tt.header {
				for _, val := range vs {
					req.Header.Add(k, val)
				}
			}
			s := defaultSigning()
			s.body = "{}"
			signHTTP(t, req, s)
			if _, err := v.Authenticate(req, []byte("{}")); err != nil {
				t.Errorf("Authenticate: %v", err)
			}
		})
	}
}

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/a//b", "/a/b"},
		{"/a/./b", "/a/b"},
		{"/a/x/../b", "/a/b"},
		{"/../../a", "/a"},
		{"/a/b/", "/a/b/"},
		{"/a/..", "/"},
		{"/a%20b", "/a%2520b"},
		{"/a*b", "/a%2Ab"},
		{"/~a_b-c.d", "/~a_b-c.d"},
	}
	for _, tt := range tests {
		u := &url.URL{Path: tt.path}
		if tt.path != "" {
			parsed, err := url.Parse("http://h" + tt.path)
			if err != nil {
				t.Fatalf("url.Parse(%q): %v", tt.path, err)
			}
			u = parsed
		}
		if got := canonicalURI(u); got != tt.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"b=2&a=1", false, "a=1&b=2"},
		{"a=2&a=1", false, "a=1&a=2"},
		{"a=x y&b=%zz", false, "a=x%20y&b=%25zz"},
		{"&&a&", false, "a="},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc", false, "X-Amz-Signature=abc"},
	}
	for _, tt := range tests {
		if got := canonicalQuery(tt.raw, tt.presigned); got != tt.want {
			t.Errorf("canonicalQuery(%q, %v) = %q, want %q", tt.raw, tt.presigned, got, tt.want)
		}
	}
}

func TestCollapseSpaces(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"  a  ", "a"},
		{"a   b    c", "a b c"},
		{"\ta\t", "a"},
	}
	for _, tt := range tests {
		if got := collapseSpaces(tt.in); got != tt.want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRegionSetMatches(t *testing.T) {
	tests := []struct {
		set, region string
		want        bool
	}{
		{"*", "us-east-1", true},
		{"us-east-1", "us-east-1", true},
		{"eu-west-1, us-east-1", "us-east-1", true},
		{"us-*", "us-east-1", true},
		{"us-*-1", "us-east-1", true},
		{"*-1", "us-east-2", false},
		{"eu-*", "us-east-1", false},
		{"", "us-east-1", false},
		{"us-east-1x", "us-east-1", false},
		{"**", "x", true},
	}
	for _, tt := range tests {
		if got := regionSetMatches(tt.set, tt.region); got != tt.want {
			t.Errorf("regionSetMatches(%q, %q) = %v, want %v", tt.set, tt.region, got, tt.want)
		}
	}
}
