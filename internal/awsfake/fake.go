// Package awsfake is a test server for the AWS service calls switchyard's
// AWS-service targets make: SQS (GetQueueUrl, SendMessage), SNS (Publish),
// Lambda (Invoke), Kinesis (PutRecord), Firehose (PutRecord), Step
// Functions (StartExecution), CloudWatch Logs (CreateLogStream,
// PutLogEvents) and STS (AssumeRole). It checks every request's SigV4 signature with
// switchyard's own verifier, for the service the request is scoped to,
// decodes the request into the SDK's own input shapes, and answers in
// each service's protocol (awsJson1_0/1_1, query, restJson1), including
// its errors.
//
// It records what it received, lets a test wait for it, and injects
// failures. Only tests import it; resources (queues, topics, ...) exist
// once Create* names them, and anything else is missing, as in AWS.
package awsfake

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchyard/switchyard/internal/sigv4"
)

// Test credentials the server accepts.
const (
	AccessKeyID     = "AKIDAWSFAKE"
	SecretAccessKey = "secret-of-the-fake"
	Account         = "222222222222"
	// RoleAccessKeyID and RoleSecretAccessKey are the credentials STS
	// AssumeRole hands out for a role AllowRole names.
	RoleAccessKeyID     = "ASIAAWSFAKEROLE"
	RoleSecretAccessKey = "secret-of-the-role"
)

// A Record is one call the server accepted.
type Record struct {
	// Service is the signing name ("sqs", "sns", "lambda", "kinesis",
	// "firehose", "states", "logs"); Op the operation.
	Service, Op string
	// Resource names what the call was for: queue, topic or function name,
	// stream, state machine ARN, log group and stream ("group/stream").
	Resource string
	// Body is the message, payload, record data or log message.
	Body string
	// GroupID is a FIFO message group id; PartitionKey a Kinesis one.
	GroupID, PartitionKey string
	// Attributes are SQS message attributes (String values).
	Attributes map[string]string
	// Timestamp is a log event's, in epoch milliseconds.
	Timestamp int64
	// AccessKeyID signed the call.
	AccessKeyID string
}

// A Server is a running fake. Safe for concurrent use.
type Server struct {
	URL string

	srv       *http.Server
	verifiers map[string]*sigv4.Verifier // by signing name; read-only

	mu        sync.Mutex
	changed   chan struct{}              // closed and replaced on every change; guarded by mu
	resources map[string]map[string]bool // service -> names; guarded by mu
	records   []Record                   // guarded by mu
	faults    map[string][]fault         // by "service.Op"; guarded by mu
	holds     map[string]chan struct{}   // by "service.Op": calls wait until it is closed; guarded by mu
	held      map[string]int             // calls waiting on holds, by "service.Op"; guarded by mu
}

type fault struct {
	code   string
	status int
}

// Start starts a server on 127.0.0.1:0, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		verifiers: map[string]*sigv4.Verifier{}, changed: make(chan struct{}),
		resources: map[string]map[string]bool{}, faults: map[string][]fault{},
		holds: map[string]chan struct{}{}, held: map[string]int{},
	}
	for _, svc := range []string{"sqs", "sns", "lambda", "kinesis", "firehose", "states", "logs", "sts"} {
		v, err := sigv4.NewVerifier(sigv4.Config{Service: svc, Credentials: []sigv4.Credential{
			{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Account: Account},
			{AccessKeyID: RoleAccessKeyID, SecretAccessKey: RoleSecretAccessKey, Account: Account},
		}})
		if err != nil {
			t.Fatal(err)
		}
		s.verifiers[svc] = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Config returns an SDK configuration that reaches the server with its
// credentials.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Create makes resources of service exist: queue names, topic names,
// function names, stream names, delivery stream names, state machine
// ARNs, log group names; for "sts", the ARNs of roles AssumeRole grants.
func (s *Server) Create(service string, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resources[service] == nil {
		s.resources[service] = map[string]bool{}
	}
	for _, n := range names {
		s.resources[service][n] = true
	}
}

func (s *Server) exists(service, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resources[service][name]
}

// Fail makes the next n calls of service's op fail with the error code and
// HTTP status given, before anything else is checked.
func (s *Server) Fail(service, op, code string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[service+"."+op] = append(s.faults[service+"."+op], fault{code, status})
	}
}

// Hold makes calls of service's op wait, once authenticated, until release
// is called.
func (s *Server) Hold(service, op string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.holds[service+"."+op] = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.holds, service+"."+op)
			s.mu.Unlock()
			close(ch)
		})
	}
}

// Held returns how many calls of service's op are waiting on a Hold.
func (s *Server) Held(service, op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[service+"."+op]
}

// takeFault waits while the call is held, then returns the failure to
// inject, if any.
func (s *Server) takeFault(service, op string) (fault, bool) {
	k := service + "." + op
	s.mu.Lock()
	if ch, ok := s.holds[k]; ok {
		s.held[k]++
		s.mu.Unlock()
		<-ch
		s.mu.Lock()
		s.held[k]--
	}
	s.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults[k]) == 0 {
		return fault{}, false
	}
	f := s.faults[k][0]
	s.faults[k] = s.faults[k][1:]
	s.notifyLocked()
	return f, true
}

// notifyLocked wakes Wait: something changed (a record, an answered fault).
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// record records rec, a call req made.
func (s *Server) record(req *http.Request, rec Record) {
	rec.AccessKeyID, _ = req.Context().Value(accessKeyCtx{}).(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, rec)
	s.notifyLocked()
}

// Records returns the calls accepted so far that cond selects (nil: all).
func (s *Server) Records(cond func(Record) bool) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, r := range s.records {
		if cond == nil || cond(r) {
			out = append(out, r)
		}
	}
	return out
}

// Wait returns the first n records cond selects once there are n, or
// fails the test when ctx ends first.
func (s *Server) Wait(ctx context.Context, t testing.TB, n int, cond func(Record) bool) []Record {
	t.Helper()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if rs := s.Records(cond); len(rs) >= n {
			return rs[:n]
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("awsfake: waiting for %d records: %v; have %+v", n, ctx.Err(), s.Records(nil))
			return nil
		}
	}
}

// FaultsLeft returns how many injected failures of service's op are still
// to be answered.
func (s *Server) FaultsLeft(service, op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[service+"."+op])
}

// ServeHTTP authenticates the request and hands it to its service.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	svc, akid, err := s.authenticate(r, body)
	if err != nil {
		w.Header().Set("X-Amzn-ErrorType", "InvalidSignatureException")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"__type":"InvalidSignatureException","message":%q}`, err.Error())
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), accessKeyCtx{}, akid))
	switch svc {
	case "sts":
		s.serveSTS(w, body)
	case "sqs":
		s.serveSQS(w, r, body)
	case "sns":
		s.serveSNS(w, r, body)
	case "lambda":
		s.serveLambda(w, r, body)
	default:
		s.serveJSON(w, r, svc, body)
	}
}

// authenticate verifies the signature and returns the service the request
// is scoped to and the access key that signed it.
func (s *Server) authenticate(r *http.Request, body []byte) (service, akid string, err error) {
	a, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return "", "", err
	}
	sc, err := a.Scope()
	if err != nil {
		return "", "", err
	}
	v, ok := s.verifiers[sc.Service]
	if !ok {
		return "", "", fmt.Errorf("awsfake: no service %q", sc.Service)
	}
	if _, err := v.Authenticate(r, body); err != nil {
		return "", "", err
	}
	return sc.Service, sc.AccessKeyID, nil
}

// accessKeyCtx keys the access key that signed a request in its context.
type accessKeyCtx struct{}

// writeJSONError answers an awsJson error: the status, X-Amzn-ErrorType and
// {"__type", "message"}; query-compatible services (SQS) also get
// x-amzn-query-error.
func writeJSONError(w http.ResponseWriter, status int, code, queryCode, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", code)
	if queryCode != "" {
		w.Header().Set("x-amzn-query-error", queryCode+";Sender")
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// lastSegment returns what follows the last sep in s.
func lastSegment(s, sep string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return s
}
