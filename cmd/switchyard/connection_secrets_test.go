package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apitest"
)

// This file tests that connection secrets stay secret: out of responses,
// logs and the data dir, and decryptable after a restart.

// startLoggedServer is startServer with the server's log, at debug level,
// written to log.
func startLoggedServer(t *testing.T, dataDir string, log io.Writer, args ...string) (*Main, func()) {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags(append([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}, args...), func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	m.Log = slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				t.Errorf("close: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return m, stop
}

// syncBuffer is a buffer safe for the server's goroutines.
type syncBuffer = apitest.SyncBuffer

// rawBody marshals v for rawCall.
func rawBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawAuth is apitest.AuthInput as raw API JSON.
func rawAuth(typ types.ConnectionAuthorizationType, tag string) map[string]any {
	param := func(k, v string, secret bool) map[string]any {
		return map[string]any{"Key": k, "Value": v, "IsValueSecret": secret}
	}
	p := map[string]any{"InvocationHttpParameters": map[string]any{
		"HeaderParameters":      []any{param("X-Plain", "plain-header", false), param("X-Secret", "hdr-"+tag, true)},
		"QueryStringParameters": []any{param("token", "qs-"+tag, true)},
		"BodyParameters":        []any{param("tenant", "plain-body", false)},
	}}
	switch typ {
	case types.ConnectionAuthorizationTypeBasic:
		p["BasicAuthParameters"] = map[string]any{"Username": "user-1", "Password": "pw-" + tag}
	case types.ConnectionAuthorizationTypeApiKey:
		p["ApiKeyAuthParameters"] = map[string]any{"ApiKeyName": "x-api-key", "ApiKeyValue": "key-" + tag}
	default:
		p["OAuthParameters"] = map[string]any{
			"AuthorizationEndpoint": "https://auth.example.com/oauth2/token", "HttpMethod": "POST",
			"ClientParameters":    map[string]any{"ClientID": "client-1", "ClientSecret": "cs-" + tag},
			"OAuthHttpParameters": map[string]any{"BodyParameters": []any{param("scope", "read", false), param("audience", "aud-"+tag, true)}},
		}
	}
	return p
}

// TestConnectionSecretsStayHidden stores secrets in every place a
// connection holds them, calls every operation (some failing on purpose
// with secrets in the request), and finds no secret in any response body,
// in the server's debug log, or in any file of the data dir; then restarts
// the server over the same data dir and decrypts them all.
func TestConnectionSecretsStayHidden(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	var logs syncBuffer
	m, stop := startLoggedServer(t, dir, &logs)
	addr := m.Addr()
	var secrets, bodies []string
	call := func(op string, body any, wantStatus int) string {
		t.Helper()
		status, typ, msg := rawCall(t, addr, customerAcct, op, rawBody(t, body))
		if status != wantStatus {
			t.Fatalf("%s: %d %s %s", op, status, typ, msg)
		}
		bodies = append(bodies, msg)
		return msg
	}
	arns := map[string]string{}
	for _, typ := range apitest.AuthTypes {
		tag := "S3cr3t-" + strings.ToLower(string(typ)[:3])
		secrets = append(secrets, apitest.SecretsOf(typ, tag)...)
		name := "hidden-" + strings.ToLower(string(typ))
		var out struct{ ConnectionArn string }
		if err := json.Unmarshal([]byte(call("CreateConnection", map[string]any{"Name": name, "AuthorizationType": typ, "AuthParameters": rawAuth(typ, tag)}, 200)), &out); err != nil {
			t.Fatal(err)
		}
		arns[name] = out.ConnectionArn
		// Failing calls that carry secrets: a duplicate, and a bad endpoint.
		call("CreateConnection", map[string]any{"Name": name, "AuthorizationType": typ, "AuthParameters": rawAuth(typ, tag)}, 400)
		call("CreateApiDestination", map[string]any{"Name": "d-" + name, "ConnectionArn": out.ConnectionArn, "InvocationEndpoint": "https://example.com/" + name, "HttpMethod": "POST"}, 200)
		call("DescribeConnection", map[string]any{"Name": name}, 200)
		call("DescribeApiDestination", map[string]any{"Name": "d-" + name}, 200)
	}
	newSecret := "R0tated-pw-secret"
	secrets = append(secrets, newSecret)
	call("UpdateConnection", map[string]any{"Name": "hidden-basic", "AuthParameters": map[string]any{"BasicAuthParameters": map[string]any{"Password": newSecret}}}, 200)
	call("UpdateConnection", map[string]any{"Name": "hidden-basic", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": map[string]any{
		"OAuthParameters": map[string]any{"AuthorizationEndpoint": "http://auth.example.com", "HttpMethod": "GET", "ClientParameters": map[string]any{"ClientID": "c", "ClientSecret": newSecret}}}}, 400)
	call("CreateConnection", map[string]any{"Name": "x", "AuthorizationType": "BASIC", "AuthParameters": map[string]any{"BasicAuthParameters": map[string]any{"Username": "u", "Password": strings.Repeat(newSecret, 40)}}}, 400)
	call("ListConnections", map[string]any{}, 200)
	call("ListApiDestinations", map[string]any{}, 200)
	call("DescribeConnection", map[string]any{"Name": "hidden-basic"}, 200)
	call("DeauthorizeConnection", map[string]any{"Name": "hidden-api_key"}, 200)
	call("DescribeConnection", map[string]any{"Name": "hidden-api_key"}, 200)
	call("UpdateConnection", map[string]any{"Name": "hidden-api_key", "AuthParameters": rawAuth(types.ConnectionAuthorizationTypeApiKey, "S3cr3t-api")}, 200)
	for _, s := range secrets {
		for _, b := range bodies {
			if strings.Contains(b, s) {
				t.Errorf("secret %q in a response: %s", s, b)
			}
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("secret %q in the log", s)
		}
	}
	if !strings.Contains(strings.Join(bodies, ""), `"Username":"user-1"`) {
		t.Fatal("Describe does not show the user name: the test checks nothing")
	}

	stop()
	files := dataDirFiles(t, dir)
	for _, s := range secrets {
		for path, data := range files {
			for _, form := range append(base64Forms(s), s) {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("secret %q in clear (as %q) in %s", s, form, path)
				}
			}
		}
	}
	// The same files do hold the connections' public parts: the search
	// reads where the records are.
	found := false
	for _, data := range files {
		found = found || bytes.Contains(data, []byte("x-api-key")) && bytes.Contains(data, []byte("plain-header"))
	}
	if !found {
		t.Fatal("no data file holds a connection record in clear: the search for secrets proves nothing")
	}
	fi, err := os.Stat(filepath.Join(dir, secretKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: %v %v", fi, err)
	}

	// After a restart the generated key decrypts everything.
	m2, _ := startServer(t, dir, nil)
	want := map[string]string{"hidden-basic": newSecret, "hidden-api_key": "key-S3cr3t-api", "hidden-oauth_client_credentials": "cs-S3cr3t-oau"}
	for name, secret := range want {
		r, err := m2.service.ResolveAPIDestination(context.Background(), customerAcct, apiDestinationARN(t, m2, "d-"+name))
		if err != nil {
			t.Fatalf("%s after restart: %v", name, err)
		}
		var got string
		switch a := r.Auth; {
		case a.Basic != nil:
			got = a.Basic.Password.Reveal()
		case a.APIKey != nil:
			got = a.APIKey.Value.Reveal()
		case a.OAuth != nil:
			got = a.OAuth.ClientSecret.Reveal()
		}
		if got != secret || r.Connection.ARN("us-east-1") != arns[name] || r.Connection.Sealed != nil {
			t.Errorf("%s after restart: secret %q, connection %s", name, got, r.Connection.ARN("us-east-1"))
		}
	}
}

// base64Forms returns, for each of the three alignments a value can have in
// a base64 text, the part of its encoding that does not depend on the
// bytes around it: a value stored base64-encoded (as encoding/json does
// with []byte) contains one of them.
func base64Forms(s string) []string {
	var forms []string
	for k := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, k), s...))
		start, end := (k+2)/3*4, (k+len(s))/3*4
		if end-start >= 8 {
			forms = append(forms, enc[start:end])
		}
	}
	return forms
}

// dataDirFiles reads every regular file under dir.
func dataDirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestSecretKeyFile: with --secret-key-file no key is generated, restarts
// with the same file decrypt, and a server given another key still answers
// the API but cannot decrypt (the delivery side gets an error, no secret).
func TestSecretKeyFile(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	dir, keys := t.TempDir(), t.TempDir()
	keyFile, otherKey := filepath.Join(keys, "k1"), filepath.Join(keys, "k2")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(otherKey, bytes.Repeat([]byte{9}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	m, stop := startLoggedServer(t, dir, &logs, "--secret-key-file", keyFile)
	created := apitest.CreateConnection(t, clientFor(m, customerAcct), "k", types.ConnectionAuthorizationTypeBasic, "keyfile")
	arn := aws.ToString(created.ConnectionArn)
	stop()
	if _, err := os.Stat(filepath.Join(dir, secretKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a key was generated although --secret-key-file was given: %v", err)
	}

	m, stop = startLoggedServer(t, dir, &logs, "--secret-key-file", keyFile)
	auth, err := m.service.ConnectionAuth(ctx, customerAcct, arn)
	if err != nil || auth.Basic.Password.Reveal() != "pw-keyfile" {
		t.Fatalf("after restart with the key file: %v", err)
	}
	stop()

	m, _ = startLoggedServer(t, dir, &logs, "--secret-key-file", otherKey)
	if d := apitest.DescribeConnection(t, clientFor(m, customerAcct), "k"); d.ConnectionState != types.ConnectionStateAuthorized {
		t.Fatalf("describe under another key: %+v", d)
	}
	if _, err := m.service.ConnectionAuth(ctx, customerAcct, arn); err == nil || strings.Contains(err.Error(), "pw-keyfile") {
		t.Fatalf("ConnectionAuth under the wrong key: %v", err)
	}

	bad := NewMain()
	if err := bad.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--secret-key-file", filepath.Join(keys, "missing")}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	bad.Log = slog.New(slog.DiscardHandler)
	if err := bad.Run(ctx); err == nil {
		_ = bad.Close(ctx)
		t.Fatal("a missing --secret-key-file was accepted")
	}
}

// apiDestinationARN returns the ARN of customerAcct's destination name.
func apiDestinationARN(t *testing.T, m *Main, name string) string {
	t.Helper()
	return aws.ToString(apitest.DescribeDestination(t, clientFor(m, customerAcct), name).ApiDestinationArn)
}
