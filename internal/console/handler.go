package console

import (
	"context"
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// Path is where the console is served; APIPath is the prefix of its
// endpoints.
const (
	Path    = "/console/"
	APIPath = Path + "api/"
)

// maxRequestBytes bounds the body of a console endpoint request: they are
// a few small fields.
const maxRequestBytes = 16 << 10

//go:embed static
var static embed.FS

// Sources lists the partner event sources a partner account created, with
// the state each customer sees (api.Service implements it).
type Sources interface {
	PartnerSourceViews(ctx context.Context, partnerAccount string) ([]eventbus.PartnerSourceView, error)
}

// A TailFunc calls fn with each event appended to the event log from now
// on (first those the log still holds from since ago), until ctx ends or
// fn fails; ready is called once it follows the log, dropped with the
// running count of events it could not keep up with.
type TailFunc func(ctx context.Context, since time.Duration, ready func(), fn func(eventbus.BusEvent) error, dropped func(n int)) error

// A DeadLetter is an undelivered event as the console shows it.
type DeadLetter struct {
	Seq    uint64    `json:"seq"`
	Stored time.Time `json:"stored"`
	// Attributes are AWS's (RULE_ARN, TARGET_ARN, ERROR_CODE, ...).
	Attributes map[string]string `json:"attributes"`
	// Switchyard holds switchyard's own metadata (Bus, Event-Id, ...).
	Switchyard map[string]string `json:"switchyard,omitempty"`
	// Event is the event: JSON, or a string when it is not JSON.
	Event any `json:"event"`
}

// DeadLetters lists and redrives one account's dead letters. Redrive of a
// dead letter that is not account's must fail as if it did not exist.
type DeadLetters interface {
	List(ctx context.Context, account string, limit int) ([]DeadLetter, error)
	Redrive(ctx context.Context, account string, seq uint64) error
}

// Config is what a Handler serves from. Auth is required; a nil Sources,
// Counters, Tail or DeadLetters turns its endpoint off (it answers
// OperationDisabledException).
type Config struct {
	Auth        awsjson.Authenticator
	Sources     Sources
	Counters    *Counters
	Tail        TailFunc
	DeadLetters DeadLetters
	// Region is shown on the page and used in its signatures.
	Region string
	// MaxTails bounds the live event streams open at once on this node
	// (DefaultMaxTails if zero); beyond, a stream is refused with
	// ThrottlingException. Each one reads every event put on the node's
	// event log and keeps only the caller's.
	MaxTails int
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	Log *slog.Logger
}

// DefaultMaxTails is the default Config.MaxTails.
const DefaultMaxTails = 16

// A Handler serves the console: GET of the page's files under Path, and
// POST of its endpoints under APIPath. Safe for concurrent use.
type Handler struct {
	cfg   Config
	files http.Handler
	tails chan struct{} // a token per open stream, MaxTails of them
	// done is closed by Shutdown: open streams end.
	done     chan struct{}
	shutdown sync.Once
}

// NewHandler returns the console's handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(static, "static")
	if err != nil { // the embedded tree always has it
		panic(err)
	}
	if cfg.MaxTails <= 0 {
		cfg.MaxTails = DefaultMaxTails
	}
	return &Handler{cfg: cfg, files: http.StripPrefix(Path, http.FileServerFS(sub)),
		tails: make(chan struct{}, cfg.MaxTails), done: make(chan struct{})}
}

// Shutdown ends the live event streams open now and refuses new ones, so
// that a server shutting down does not wait for them (http.Server's
// RegisterOnShutdown). Safe to call more than once.
func (h *Handler) Shutdown() { h.shutdown.Do(func() { close(h.done) }) }

// ServeHTTP answers the console's requests; it is meant to get every path
// under Path (and Path without its slash, which it redirects).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	if r.URL.Path == strings.TrimSuffix(Path, "/") {
		http.Redirect(w, r, Path, http.StatusMovedPermanently)
		return
	}
	if endpoint, ok := strings.CutPrefix(r.URL.Path, APIPath); ok {
		hdr.Set("Cache-Control", "no-store")
		h.serveAPI(w, r, endpoint)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == Path+"config.json" {
		// What the page needs before it can sign anything; nothing secret.
		hdr.Set("Cache-Control", "no-store")
		writeJSON(w, map[string]string{"region": h.cfg.Region})
		return
	}
	hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Cache-Control", "no-cache")
	h.files.ServeHTTP(w, r)
}

// serveAPI authenticates a POST to an endpoint and runs it.
func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request, endpoint string) {
	caller, req, err := h.authenticate(w, r, endpoint)
	if err != nil {
		awsjson.WriteError(w, err)
		return
	}
	ctx := r.Context()
	var out any
	switch endpoint {
	case epPartner:
		out, err = h.partner(ctx, caller)
	case epTail:
		var started bool
		if started, err = h.tail(ctx, w, caller, req); started {
			return // the stream was answered: its end is the answer's end
		}
	case epDeadLetters:
		out, err = h.deadLetters(ctx, caller, req)
	case epRedrive:
		out, err = h.redrive(ctx, caller, req)
	case epConfig:
		out = map[string]string{"region": h.cfg.Region, "account": caller.Account}
	}
	if err != nil {
		if e := awserr.From(err); e.HTTPStatus() >= 500 {
			h.cfg.Log.Error("console request failed", "endpoint", endpoint, "err", err)
		}
		awsjson.WriteError(w, err)
		return
	}
	writeJSON(w, out)
}

// authenticate checks the request's signature as the API does, reads its
// body (at most maxRequestBytes) and parses it for endpoint.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, endpoint string) (eventbus.Caller, request, error) {
	if r.Method != http.MethodPost {
		return eventbus.Caller{}, request{}, awserr.OperationUnknown()
	}
	if !knownEndpoint(endpoint) {
		return eventbus.Caller{}, request{}, awserr.OperationUnknown()
	}
	if r.ContentLength > maxRequestBytes {
		return eventbus.Caller{}, request{}, awserr.RequestTooLarge(maxRequestBytes)
	}
	payload, err := h.cfg.Auth.AuthenticateHeaders(r)
	if err != nil {
		return eventbus.Caller{}, request{}, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		return eventbus.Caller{}, request{}, awserr.RequestTooLarge(maxRequestBytes)
	}
	caller, err := payload(body)
	if err != nil {
		return eventbus.Caller{}, request{}, err
	}
	req, err := parseRequest(endpoint, body)
	return caller, req, err
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		awsjson.WriteError(w, awserr.InternalError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// A streamWriter writes the lines of a streamed answer, one at a time,
// flushing each; safe for the tail's goroutines.
type streamWriter struct {
	mu sync.Mutex
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *streamWriter) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return s.rc.Flush()
}
