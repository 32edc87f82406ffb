package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/apitest"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
	"github.com/switchyard/switchyard/internal/secrets"
	"github.com/switchyard/switchyard/internal/sigv4"
)

// The API tests in this package send real SDK and raw awsJson1_1 requests
// through the real wire handler (awsjson, sigv4.Dev) to a Service over
// memory stores: the same answers the server gives, in milliseconds, so
// every test runs in parallel. What needs storage on disk, routing or
// delivery is tested end to end in cmd/switchyard.

// The helpers the API tests share (internal/apitest), under their names here.
const (
	partnerAcct  = apitest.PartnerAcct
	customerAcct = apitest.CustomerAcct
	otherAcct    = apitest.OtherAcct
	srcName      = apitest.SrcName
)

var (
	rawCall             = apitest.RawCall
	wantAPIError        = apitest.WantAPIError
	describeState       = apitest.DescribeState
	ruleARN             = apitest.RuleARN
	authTypes           = apitest.AuthTypes
	authInput           = apitest.AuthInput
	createConnection    = apitest.CreateConnection
	describeConnection  = apitest.DescribeConnection
	describeDestination = apitest.DescribeDestination
)

func must[T any](t *testing.T) func(T, error) T { return apitest.Must[T](t) }

// server is an API service over memory stores behind the real wire handler.
type server struct {
	http    *httptest.Server
	stores  api.Stores
	service *api.Service
	events  *eventLog
	replays *replayStarts
}

// replayStarts is an api.Replayer that records the replays started.
type replayStarts struct {
	mu      sync.Mutex
	started []string // account/name; guarded by mu
	err     error    // returned by Start when set; guarded by mu
}

func (r *replayStarts) Start(_ context.Context, account, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.started = append(r.started, account+"/"+name)
	return nil
}

// startServer serves a fresh service on 127.0.0.1:0 until the test ends.
// configure, when not nil, adjusts api.DefaultConfig() first.
func startServer(t *testing.T, configure func(*api.Config)) *server {
	t.Helper()
	cfg := api.DefaultConfig()
	if configure != nil {
		configure(&cfg)
	}
	records, err := eventbus.OpenStores(memstore.Open)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := &server{events: &eventLog{}}
	s.replays = &replayStarts{}
	s.stores = api.Stores{Stores: records, Events: s.events, Secrets: sealer, ArchiveLog: memstore.NewArchives(), Replayer: s.replays}
	if s.service, err = api.New(cfg, s.stores); err != nil {
		t.Fatal(err)
	}
	dispatch := func(ctx context.Context, op string, body []byte) (any, error) {
		return apimodel.Dispatch(ctx, s.service, op, body)
	}
	s.http = httptest.NewServer(awsjson.NewHandler(dispatch, sigv4.Dev{}, slog.New(slog.DiscardHandler), awsjson.Limits{}))
	t.Cleanup(s.http.Close)
	return s
}

// Addr returns the host:port the server listens on.
func (s *server) Addr() string { return s.http.Listener.Addr().String() }

// storedEvent is one event appended to the event log.
type storedEvent struct {
	Account, Bus string
	Event        eventbus.Event
}

// eventLog is an eventbus.EventLog in memory that keeps what was appended,
// each event through its binary encoding as the durable log stores it.
type eventLog struct {
	mu     sync.Mutex
	events []storedEvent // guarded by mu
	read   int           // events returned by until; guarded by mu
	err    error         // returned by Append when set; guarded by mu
}

var _ eventbus.EventLog = (*eventLog)(nil)

func (l *eventLog) Append(_ context.Context, events []eventbus.BusEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	for _, be := range events {
		raw, err := be.Event.MarshalBinary()
		if err != nil {
			return err
		}
		var e eventbus.Event
		if err := e.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("event does not decode: %w", err)
		}
		l.events = append(l.events, storedEvent{Account: be.Account, Bus: be.Bus, Event: e})
	}
	return nil
}

// fail makes every later Append return err.
func (l *eventLog) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.err = err
}

// until returns the events appended since the last call, up to and
// including the event with id marker, failing the test when it is absent.
// Append returns before the API answers, so no waiting is needed.
func (l *eventLog) until(t *testing.T, marker string) []storedEvent {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := l.read; i < len(l.events); i++ {
		if l.events[i].Event.ID == marker {
			got := append([]storedEvent(nil), l.events[l.read:i+1]...)
			l.read = i + 1
			return got
		}
	}
	t.Fatalf("event %s not in the log; %d events since the last read", marker, len(l.events)-l.read)
	return nil
}

func clientFor(s *server, account string) *eventbridge.Client {
	return apitest.NewClient(s.Addr(), account, "dev-secret")
}

// An errorCase is one entry of a testdata/*.json error table: a raw request,
// sent as Account (customerAcct when empty), and the error AWS gives for it.
// A nil Message checks the exception name only. ${NAME} in Body, Account
// and Message is replaced from the table's variables.
type errorCase struct {
	Name    string  `json:"name"`
	Op      string  `json:"op"`
	Body    string  `json:"body"`
	Account string  `json:"account"`
	Type    string  `json:"type"`
	Message *string `json:"message"`
}

// runErrorTable sends every case of the testdata file to the server at addr,
// checks each error word for word, and then that snapshot (the stored state
// as the API reports it) did not change: bad input never damages state. The
// cases run in parallel, all before the second snapshot.
func runErrorTable(t *testing.T, addr, file string, vars map[string]string, snapshot func() string) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []errorCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	before := snapshot()
	t.Run("cases", func(t *testing.T) { // returns when every case has
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				account, body := customerAcct, expand(c.Body)
				if c.Account != "" {
					account = expand(c.Account)
				}
				status, typ, msg := rawCall(t, addr, account, c.Op, body)
				if status != 400 || typ != c.Type {
					t.Fatalf("%s %s: got %d %s %q, want 400 %s", c.Op, body, status, typ, msg, c.Type)
				}
				if c.Message != nil && msg != expand(*c.Message) {
					t.Errorf("%s %s:\n got  %q\n want %q", c.Op, body, msg, expand(*c.Message))
				}
				if msg == "" && typ != "UnknownOperationException" && typ != "SerializationException" {
					t.Errorf("%s: %s without a message", c.Op, typ)
				}
			})
		}
	})
	if after := snapshot(); after != before {
		t.Errorf("bad requests changed stored state:\n before %s\n after  %s", before, after)
	}
}
