package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchyard/switchyard/internal/apitest"
)

// TestSigV4ReplayAsAnotherOperation replays the attack: a
// DescribeRule request signed over host and x-amz-date only, sent again with
// X-Amz-Target DeleteRule. The server refuses it and the rule stays.
func TestSigV4ReplayAsAnotherOperation(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	creds := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(creds, []byte(credentialsJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.Auth = "sigv4"; c.CredentialsFile = creds })
	customer := apitest.NewClient(m.Addr(), "AKIACUSTOMER000001", "customer-secret")
	must[*eventbridge.PutRuleOutput](t)(customer.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("keep"), EventPattern: aws.String(`{"source":["a"]}`)}))

	body := `{"Name":"keep"}`
	req, err := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	signer := v4.NewSigner()
	err = signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKIACUSTOMER000001", SecretAccessKey: "customer-secret"},
		req, hex.EncodeToString(sum[:]), "events", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if h := req.Header.Get("Authorization"); strings.Contains(h, "x-amz-target") || strings.Contains(h, "content-type") {
		t.Fatalf("signed %q, want neither x-amz-target nor content-type", h)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents.DeleteRule")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if typ := resp.Header.Get("X-Amzn-ErrorType"); resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(typ, "InvalidSignatureException") {
		t.Errorf("replayed as DeleteRule: %d %s, want 400 InvalidSignatureException", resp.StatusCode, typ)
	}
	must[*eventbridge.DescribeRuleOutput](t)(customer.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("keep")}))
}
