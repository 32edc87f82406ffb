package eventbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// fullAuth has one secret in every place a connection can hold one.
func fullAuth() ConnectionAuth {
	params := &ConnectionHTTPParameters{
		Header:      []ConnectionParameter{{Key: "X-Plain", Value: "plain-h"}, {Key: "X-Secret", Value: "secret-h", IsSecret: true}},
		QueryString: []ConnectionParameter{{Key: "q", Value: "secret-q", IsSecret: true}},
		Body:        []ConnectionParameter{{Key: "b", Value: "plain-b"}},
	}
	return ConnectionAuth{
		Type: AuthOAuth,
		OAuth: &OAuthClientCredentials{
			ClientID: "client", ClientSecret: "secret-client", AuthorizationEndpoint: "https://auth.example.com/token",
			HTTPMethod: "POST", HTTPParameters: &ConnectionHTTPParameters{Body: []ConnectionParameter{{Key: "scope", Value: "secret-scope", IsSecret: true}}},
		},
		Invocation: params,
	}
}

var fullAuthSecrets = []string{"secret-h", "secret-q", "secret-client", "secret-scope"}

func TestRedacted(t *testing.T) {
	a := fullAuth()
	r := a.Redacted()
	dump := fmt.Sprintf("%#v", *r.OAuth) + fmt.Sprintf("%#v", *r.Invocation) + fmt.Sprintf("%#v", *r.OAuth.HTTPParameters)
	for _, p := range [][]ConnectionParameter{r.Invocation.Header, r.Invocation.QueryString, r.Invocation.Body, r.OAuth.HTTPParameters.Body} {
		for _, x := range p {
			dump += x.Value
		}
	}
	dump += r.OAuth.ClientSecret.Reveal()
	for _, s := range fullAuthSecrets {
		if strings.Contains(dump, s) {
			t.Errorf("Redacted keeps %q", s)
		}
	}
	if r.Invocation.Header[0].Value != "plain-h" || r.Invocation.Body[0].Value != "plain-b" || r.OAuth.ClientID != "client" {
		t.Errorf("Redacted dropped non-secret values: %+v", r)
	}
	if !r.Invocation.Header[1].IsSecret || r.Invocation.Header[1].Key != "X-Secret" {
		t.Errorf("Redacted lost the key or flag of a secret parameter")
	}
	// The original is untouched.
	if a.Invocation.Header[1].Value != "secret-h" || a.OAuth.ClientSecret != "secret-client" {
		t.Error("Redacted changed its receiver")
	}
	basic := ConnectionAuth{Type: AuthBasic, Basic: &BasicAuth{Username: "u", Password: "pw-secret"}}.Redacted()
	key := ConnectionAuth{Type: AuthAPIKey, APIKey: &APIKeyAuth{Name: "x-api-key", Value: "key-secret"}}.Redacted()
	if basic.Basic.Username != "u" || basic.Basic.Password != "" || key.APIKey.Name != "x-api-key" || key.APIKey.Value != "" {
		t.Errorf("Redacted basic %+v, api key %+v", basic.Basic, key.APIKey)
	}
}

// TestSecretsNeverPrinted prints and logs auth values every way a careless
// caller might, and finds no secret.
func TestSecretsNeverPrinted(t *testing.T) {
	a := fullAuth()
	basic := ConnectionAuth{Type: AuthBasic, Basic: &BasicAuth{Username: "u", Password: "pw-secret"}}
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		fmt.Fprintf(&out, verb, a)
		fmt.Fprintf(&out, verb, &a)
		fmt.Fprintf(&out, verb, basic)
		fmt.Fprintf(&out, verb, *basic.Basic)
		fmt.Fprintf(&out, verb, a.Invocation)
		fmt.Fprintf(&out, verb, struct{ Auth ConnectionAuth }{a})
		fmt.Fprintf(&out, verb, Secret("pw-secret"))
	}
	for _, v := range []any{a, &a, basic, a.Invocation, a.Invocation.Header, a.OAuth, struct{ A ConnectionAuth }{a}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("x", "auth", a, "basic", basic, "secret", Secret("pw-secret"), "param", a.Invocation.Header[1])
	log = slog.New(slog.NewTextHandler(&logs, nil))
	log.Info("x", "auth", a, "basic", basic.Basic, "params", a.Invocation)
	all := out.String() + logs.String()
	for _, s := range append(fullAuthSecrets, "pw-secret") {
		if strings.Contains(all, s) {
			t.Errorf("%q printed:\n%s", s, all)
		}
	}
	if !strings.Contains(all, "username=u") || !strings.Contains(all, "[redacted]") {
		t.Errorf("summary missing: %s", all)
	}
}

type fakeSealer struct{}

func (fakeSealer) Seal(p, ad []byte) ([]byte, error) {
	return append(append(append([]byte{}, ad...), 0), reverseBytes(p)...), nil
}

func (fakeSealer) Open(s, ad []byte) ([]byte, error) {
	prefix := append(append([]byte{}, ad...), 0)
	if !bytes.HasPrefix(s, prefix) {
		return nil, errors.New("wrong ad")
	}
	return reverseBytes(s[len(prefix):]), nil
}

func reverseBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}

func TestSealAuthRoundTrip(t *testing.T) {
	arn := ConnectionARN("us-east-1", "222222222222", "c", "id")
	sealed, err := SealAuth(fakeSealer{}, fullAuth(), arn)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenAuth(fakeSealer{}, sealed, arn)
	if err != nil {
		t.Fatal(err)
	}
	if got.OAuth.ClientSecret != "secret-client" || got.Invocation.QueryString[0].Value != "secret-q" || !got.Invocation.QueryString[0].IsSecret {
		t.Fatalf("round trip lost secrets: %+v", got.Redacted())
	}
	if _, err := OpenAuth(fakeSealer{}, sealed, ConnectionARN("us-east-1", "222222222222", "other", "id")); err == nil {
		t.Fatal("sealed auth opened for another connection")
	}
}

func TestConnectionARNs(t *testing.T) {
	c := Connection{Name: "my.conn-1", Account: "222222222222", ID: "0f8fad5b-d9cb-469f-a165-70867728950e", SecretID: "3c2d-ab12Cd"}
	arn := c.ARN("eu-west-1")
	if arn != "arn:aws:events:eu-west-1:222222222222:connection/my.conn-1/0f8fad5b-d9cb-469f-a165-70867728950e" {
		t.Fatalf("ARN %s", arn)
	}
	if got := c.SecretARN("eu-west-1"); got != "arn:aws:secretsmanager:eu-west-1:222222222222:secret:events!connection/my.conn-1/3c2d-ab12Cd" {
		t.Fatalf("SecretARN %s", got)
	}
	if (Connection{}).SecretARN("eu-west-1") != "" {
		t.Fatal("SecretARN without a secret")
	}
	ref, ok := ParseConnectionARN(arn)
	if !ok || ref != (ResourceRef{Region: "eu-west-1", Account: "222222222222", Name: "my.conn-1", ID: c.ID}) {
		t.Fatalf("ParseConnectionARN = %+v %v", ref, ok)
	}
	for _, bad := range []string{
		"", "arn:aws:events:eu-west-1:222222222222:connection/my", "arn:aws:events:eu-west-1:222222222222:connection//id",
		"arn:aws:events:eu-west-1:222222222222:connection/a b/id", "arn:aws:events:eu-west-1:22222222222:connection/a/id",
		"arn:aws:events:eu-west-1:222222222222:api-destination/a/id", "arn:aws:sqs:eu-west-1:222222222222:connection/a/id",
		"arn:aws:events:eu-west-1:222222222222:connection/a/id/extra", "arn:aws:events:eu-west-1::connection/a/id",
		"arn:aws:events:eu-west-1:222222222222:connection/" + strings.Repeat("a", 65) + "/id",
	} {
		if ref, ok := ParseConnectionARN(bad); ok {
			t.Errorf("ParseConnectionARN(%q) = %+v", bad, ref)
		}
	}
}

// FuzzParseConnectionARN: never panics; whatever parses formats back to the
// same ARN (for the aws partition).
func FuzzParseConnectionARN(f *testing.F) {
	f.Add(ConnectionARN("us-east-1", "222222222222", "c", "0f8fad5b-d9cb-469f-a165-70867728950e"))
	f.Add(APIDestinationARN("us-east-1", "222222222222", "d", "id"))
	f.Add("arn:aws:events:us-east-1:222222222222:connection/a/b/c")
	f.Add("arn:::::")
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []struct {
			fn     func(string) (ResourceRef, bool)
			format func(region, account, name, id string) string
		}{{ParseConnectionARN, ConnectionARN}, {ParseAPIDestinationARN, APIDestinationARN}} {
			ref, ok := parse.fn(s)
			if !ok {
				continue
			}
			if !strings.HasPrefix(s, "arn:aws:") {
				continue
			}
			if got := parse.format(ref.Region, ref.Account, ref.Name, ref.ID); got != s {
				t.Fatalf("%q parsed to %+v, which formats as %q", s, ref, got)
			}
		}
	})
}
