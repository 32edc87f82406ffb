package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/delivery"
)

// consoleCall POSTs body to a console endpoint of m signed as account (dev
// auth) and returns the status and body.
func consoleCall(t *testing.T, m *Main, account, endpoint, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/console/api/"+endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: "dev-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "events", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestConsoleDeadLettersScoped: through the real server, an account lists
// and redrives only its own dead letters; another account sees none and
// cannot redrive them.
func TestConsoleDeadLettersScoped(t *testing.T) {
	parallel(t)
	p := &probe{fail: func(probeHit) error { return delivery.Permanent(delivery.CodeNoResource, "queue unavailable") }}
	m, _, tb := routedServer(t, t.TempDir(), p, nil)
	c := clientFor(m, customerAcct)
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, target("q", sqsARN(customerAcct, "q")))
	waitRules(t, tb, customerAcct, "default", 1)
	id := putEvent(t, c, "default", "app", `{"n":1}`)
	seq := strconv.FormatUint(waitDeadLetters(t, m, 1)[0].Seq, 10)

	tests := []struct {
		name, account, endpoint, body string
		status                        int
		contains                      string
	}{
		{"another account sees none", otherAcct, "deadletters", `{}`, 200, `"deadLetters":[]`},
		{"another account cannot redrive", otherAcct, "redrive", `{"Seq":` + seq + `}`, 400, "ResourceNotFoundException"},
		{"the owner sees it", customerAcct, "deadletters", `{}`, 200, id},
		{"the owner redrives it", customerAcct, "redrive", `{"Seq":` + seq + `}`, 200, `"redriven":1`},
		{"once", customerAcct, "redrive", `{"Seq":` + seq + `}`, 400, "ResourceNotFoundException"},
	}
	for _, tt := range tests { // in order: the redrive removes the letter
		status, body := consoleCall(t, m, tt.account, tt.endpoint, tt.body)
		if status != tt.status || !strings.Contains(body, tt.contains) {
			t.Errorf("%s: %d %s; want %d with %q", tt.name, status, body, tt.status, tt.contains)
		}
	}
}

// TestConsoleOff: with --console=false, /console/ is not served (the API
// answers it as an unknown operation) and the partner counts nothing.
func TestConsoleOff(t *testing.T) {
	parallel(t)
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.Console = false })
	res, err := http.Get("http://" + m.Addr() + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 400 || !strings.Contains(string(b), "UnknownOperationException") || m.counters != nil {
		t.Errorf("GET /console/ with --console=false: %d %s (counters %v)", res.StatusCode, b, m.counters)
	}
}
