package main

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchyard/switchyard/internal/apitest"
)

// The helpers the API tests share (internal/apitest), under their names here.
const (
	partnerAcct  = apitest.PartnerAcct
	customerAcct = apitest.CustomerAcct
	otherAcct    = apitest.OtherAcct
	srcName      = apitest.SrcName
)

var (
	rawCall       = apitest.RawCall
	wantAPIError  = apitest.WantAPIError
	describeState = apitest.DescribeState
	ruleARN       = apitest.RuleARN
)

func must[T any](t *testing.T) func(T, error) T { return apitest.Must[T](t) }

// startServer runs the real program on 127.0.0.1:0 over dataDir, closing it
// when the test ends (or earlier through the returned stop function).
// testWait is how long a test waits for what it expects (a delivery, a
// rule in the router, a log record) before it fails. A passing test never
// waits it out; it is long enough for a message that waits out a 30-second
// ack wait on a starved machine, where 10 and 20 seconds were not.
const testWait = time.Minute

func startServer(t *testing.T, dataDir string, configure func(*Config)) (*Main, func()) {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(&m.Config)
	}
	m.Log = slog.New(slog.DiscardHandler)
	if os.Getenv("SY_TEST_LOG") != "" { // the server's log on stderr, to debug a test
		m.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(stop)
	return m, stop
}

func clientFor(m *Main, account string) *eventbridge.Client {
	return apitest.NewClient(m.Addr(), account, "dev-secret")
}
