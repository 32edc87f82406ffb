package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchyard/switchyard/internal/apitest"
)

// selfSignedCert writes a certificate for 127.0.0.1 and its key as PEM files
// in a temporary directory and returns their paths and the certificate.
func selfSignedCert(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "switchyard test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestTLS serves HTTPS with --tls-cert and --tls-key: the SDK trusting the
// certificate works, plain HTTP does not.
func TestTLS(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	certFile, keyFile, cert := selfSignedCert(t)
	m := NewMain()
	m.Log = slog.New(slog.DiscardHandler)
	args := []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--tls-cert", certFile, "--tls-key", keyFile}
	if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := eventbridge.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(partnerAcct, "dev-secret", ""),
		BaseEndpoint: aws.String("https://" + m.Addr()),
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
	must[*eventbridge.ListEventBusesOutput](t)(client.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{}))

	if _, err := apitest.NewClient(m.Addr(), partnerAcct, "dev-secret").ListEventBuses(ctx, &eventbridge.ListEventBusesInput{}); err == nil {
		t.Error("plain HTTP was served")
	}
}

// TestTLSNeedsCertAndKey refuses one of the two TLS flags without the other.
func TestTLSNeedsCertAndKey(t *testing.T) {
	parallel(t)
	certFile, keyFile, _ := selfSignedCert(t)
	for _, flag := range [][]string{{"--tls-cert", certFile}, {"--tls-key", keyFile}} {
		m := NewMain()
		m.Log = slog.New(slog.DiscardHandler)
		args := append([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, flag...)
		if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err == nil {
			_ = m.Close(context.Background())
			t.Errorf("%v alone was accepted", flag)
		}
	}
}
