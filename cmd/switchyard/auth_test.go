package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchyard/switchyard/internal/apitest"
)

const credentialsJSON = `{"credentials":[
 {"access_key_id":"AKIAPARTNER0000001","secret_access_key":"partner-secret","account":"111111111111","partners":["acme.com"]},
 {"access_key_id":"AKIACUSTOMER000001","secret_access_key":"customer-secret","account":"222222222222"}]}`

// TestSigV4Mode runs the server with --auth sigv4: signatures are verified,
// the access key decides the account, and partners may only use the partner
// names their credentials grant.
func TestSigV4Mode(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	creds := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(creds, []byte(credentialsJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := startServer(t, t.TempDir(), func(c *Config) { c.Auth = "sigv4"; c.CredentialsFile = creds })
	partner := apitest.NewClient(m.Addr(), "AKIAPARTNER0000001", "partner-secret")
	customer := apitest.NewClient(m.Addr(), "AKIACUSTOMER000001", "customer-secret")

	must[*eventbridge.CreatePartnerEventSourceOutput](t)(partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(srcName), Account: aws.String(customerAcct)}))
	_, err := partner.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String("aws.partner/other.com/a/b"), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "AccessDeniedException", "")
	// The customer key acts as account 222222222222 and sees the source.
	if d := describeState(t, customer, srcName); aws.ToString(d.Name) != srcName {
		t.Fatalf("customer sees %+v", d)
	}
	// The customer is no partner of acme.com.
	_, err = customer.CreatePartnerEventSource(ctx, &eventbridge.CreatePartnerEventSourceInput{Name: aws.String("aws.partner/acme.com/a/b"), Account: aws.String(customerAcct)})
	wantAPIError(t, err, "AccessDeniedException", "")

	_, err = apitest.NewClient(m.Addr(), "AKIAPARTNER0000001", "wrong-secret").ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	wantAPIError(t, err, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	_, err = apitest.NewClient(m.Addr(), "AKIAUNKNOWN", "x").ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	wantAPIError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	if status, typ, _ := rawCall(t, m.Addr(), "AKIAPARTNER0000001", "ListEventBuses", `{}`); status != 400 || typ != "InvalidSignatureException" {
		t.Errorf("forged signature: %d %s", status, typ)
	}
}

func TestDevModeRefusesNonLoopback(t *testing.T) {
	parallel(t)
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "0.0.0.0:0", "--data-dir", t.TempDir()}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err == nil {
		_ = m.Close(context.Background())
		t.Fatal("dev mode started on 0.0.0.0")
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	parallel(t)
	m := NewMain()
	env := map[string]string{"SWITCHYARD_LISTEN": "127.0.0.1:5000", "SWITCHYARD_REGION": "eu-west-1", "SWITCHYARD_MAX_BUSES": "7"}
	if err := m.ParseFlags([]string{"--region", "ap-south-1"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if m.Config.Listen != "127.0.0.1:5000" || m.Config.Region != "ap-south-1" || m.Config.API.MaxBusesPerAccount != 7 {
		t.Fatalf("config %+v", m.Config)
	}
	if err := NewMain().ParseFlags(nil, func(k string) string {
		if k == "SWITCHYARD_MAX_BUSES" {
			return "many"
		}
		return ""
	}); err == nil {
		t.Error("a bad SWITCHYARD_MAX_BUSES was accepted")
	}
}

// TestDataDirIsExclusive checks that a second server cannot open a data
// directory another one is using, and can once the first has stopped.
func TestDataDirIsExclusive(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	_, stop := startServer(t, dir, nil)
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", dir}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err == nil {
		_ = m.Close(context.Background())
		t.Fatal("a second server opened a data directory in use")
	}
	stop()
	startServer(t, dir, nil)
}

// TestDevAnyAddress: --dev-any-address is the explicit opt-in that lets
// --auth dev take a non-loopback address (a container network); without
// it the same address is refused. Nothing is bound.
func TestDevAnyAddress(t *testing.T) {
	parallel(t)
	for _, allow := range []bool{false, true} {
		m := NewMain()
		args := []string{"--listen", "0.0.0.0:4010"}
		if allow {
			args = append(args, "--dev-any-address")
		}
		if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		m.Log = slog.New(slog.DiscardHandler)
		if _, err := m.authenticator(); (err == nil) != allow {
			t.Errorf("--dev-any-address %v: %v", allow, err)
		}
	}
}
