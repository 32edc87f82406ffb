// Package httptarget delivers events to API destinations: the target kind
// arn:aws:events:<region>:<account>:api-destination/<name>/<uuid>. Each
// delivery is one HTTP request to the destination's InvocationEndpoint,
// authorized with its connection's credentials (BASIC, API_KEY or an OAuth
// client-credentials token), carrying the transformed event as its body.
//
// It resolves destinations and connections through a Resolver and reports
// connections AWS would deauthorize through a Deauthorizer; it knows nothing
// of how they are stored. It never logs a credential: secrets are revealed
// only into the outgoing request.
//
// Behaviour taken from AWS's documentation of API destinations and
// connections:
//   - a request times out after 5 seconds and is retried;
//   - 401, 407, 409, 429 and 5xx answers, time-outs and network failures are
//     retried within the target's RetryPolicy; other answers that are not
//     2xx (1xx, 3xx, other 4xx) are not retried and go to the dead letters;
//   - connection header, query string and body parameters take precedence
//     over the target's HttpParameters of the same name;
//   - OAuth tokens are refreshed when a request gets 401 or 407 and
//     proactively when they expire within 60 seconds;
//   - a connection is deauthorized when its OAuth token cannot be obtained,
//     or when Basic or API key credentials get 401 or 407.
package httptarget

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// KindName names the kind in logs.
const KindName = "api-destination"

// Defaults.
const (
	// DefaultTimeout is AWS's limit on one request to an API destination.
	DefaultTimeout = 5 * time.Second
	// DefaultTokenMargin: a cached OAuth token this close to its expiry is
	// refreshed before use (AWS: 60 seconds).
	DefaultTokenMargin = 60 * time.Second
	// DefaultTokenLifetime is assumed for a token answer without
	// expires_in.
	DefaultTokenLifetime = time.Hour
	// UserAgent is sent unless a header parameter sets one.
	UserAgent = "Amazon/EventBridge/ApiDestinations"
	// ContentTypeJSON is the Content-Type sent unless a header parameter
	// sets one.
	ContentTypeJSON = "application/json; charset=utf-8"
)

// CodeSDKClientError is the dead-letter ERROR_CODE of a request the
// destination answered with a failure status, or that could not be made.
const CodeSDKClientError = "SDK_CLIENT_ERROR"

// A Resolver finds an API destination and its connection's decrypted
// authorization (api.Service implements it; see
// eventbus.APIDestinationResolver for the errors).
type Resolver = eventbus.APIDestinationResolver

// A Deauthorizer marks a connection DEAUTHORIZED with a reason, as AWS does
// when its credentials are refused (api.Service.DeauthorizeConnectionFor).
type Deauthorizer interface {
	DeauthorizeConnectionFor(ctx context.Context, account, connectionArn, reason string) error
}

// Config is what a Sender needs.
type Config struct {
	// Resolver is required.
	Resolver Resolver
	// Deauthorizer, if set, is told about connections whose credentials
	// were refused; nil leaves connections as they are.
	Deauthorizer Deauthorizer
	// Client sends the requests; nil: a client of this package's own that
	// does not follow redirects (AWS does not: a 3xx is a failure) and
	// bounds its connections (MaxConnsPerHost, MaxConns). A client given
	// here is used as it is, redirects and all.
	Client *http.Client
	// Timeout bounds one request (DefaultTimeout if zero); the delivery's
	// context may end it sooner.
	Timeout time.Duration
	// TokenMargin: DefaultTokenMargin if zero.
	TokenMargin time.Duration
	// ResolveTTL is how long a resolved destination and connection are
	// reused: DefaultResolveTTL if zero, negative to resolve every send.
	ResolveTTL time.Duration
	// Now is the clock of token expiry and rate limits: time.Now if nil.
	Now func() time.Time
	// Log receives deauthorizations (warn) and token fetches (debug); nil
	// discards.
	Log *slog.Logger
	// MaxConnsPerHost and MaxConns bound the connections the Sender's own
	// client opens to one host and in all, idle ones included
	// (DefaultMaxConnsPerHost, DefaultMaxConns if zero); requests beyond
	// them wait for a connection within their timeout. A Client given
	// above is not bounded by them.
	MaxConnsPerHost, MaxConns int
}

// A Sender delivers to API destinations. Safe for concurrent use.
type Sender struct {
	cfg      Config
	resolved *resolveCache
	tokens   *tokenCache
	limits   *limiter
}

var _ delivery.Sender = (*Sender)(nil)

// New returns a Sender.
func New(cfg Config) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.TokenMargin <= 0 {
		cfg.TokenMargin = DefaultTokenMargin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ResolveTTL == 0 {
		cfg.ResolveTTL = DefaultResolveTTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConnsPerHost <= 0 {
		cfg.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.Client == nil {
		cfg.Client = newClient(cfg.Timeout, cfg.MaxConnsPerHost, cfg.MaxConns)
	}
	return &Sender{cfg: cfg, resolved: newResolveCache(cfg.Resolver, cfg.ResolveTTL, cfg.Now),
		tokens: newTokenCache(), limits: newLimiter(cfg.Now)}
}

// Accepts reports whether a is an API destination ARN.
func Accepts(a eventbus.ARN) bool {
	_, ok := eventbus.ParseAPIDestinationARN("arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource)
	return ok
}

// Kind returns the delivery kind of s. It is not raw: the target's Input,
// InputPath or InputTransformer shape the request body.
func (s *Sender) Kind() delivery.Kind {
	return delivery.Kind{Name: KindName, Accepts: Accepts, Sender: s}
}

// Send makes one request to the job's API destination with d.Input as the
// body (see the package comment for what is retried). It waits for the
// destination's invocation rate limit within ctx's deadline; when the wait
// would not leave time for the request it fails at once with a retryable
// THROTTLING, so the queue redelivers the job later instead of holding a
// worker. Failures: NO_RESOURCE (not retried) when the destination or its
// connection is gone; a retryable NO_PERMISSIONS while the connection is
// deauthorized (an UpdateConnection may authorize it again); a retryable
// CONNECTION_FAILURE when an OAuth token cannot be obtained; SDK_CLIENT_ERROR
// for failure answers, TIMEOUT for a request that timed out.
func (s *Sender) Send(ctx context.Context, d delivery.Delivery) error {
	j := d.Job
	r, err := s.resolved.resolve(ctx, j.Account, j.Target.Arn)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return delivery.Permanent(delivery.CodeNoResource, "API destination %s or its connection does not exist.", j.Target.Arn)
	case errors.Is(err, eventbus.ErrConnectionNotAuthorized):
		return delivery.Retryable(delivery.CodeNoPermissions, "The connection of API destination %s is not authorized.", j.Target.Arn)
	case err != nil:
		return delivery.Retryable(delivery.CodeInternalError, "resolving API destination %s: %v", j.Target.Arn, err)
	}
	if err := s.limits.wait(ctx, j.Target.Arn, r.Destination.InvocationRateLimitPerSecond, s.cfg.Timeout); err != nil {
		return err
	}
	status, msg, err := s.invoke(ctx, j, &r, d.Input, false)
	if err == nil && (status == http.StatusUnauthorized || status == http.StatusProxyAuthRequired) {
		status, msg, err = s.refused(ctx, j, &r, d.Input, status, msg)
	}
	if err != nil {
		return err
	}
	return outcome(status, msg)
}

// refused handles a 401 or 407: an OAuth connection gets a new token and
// one more try; Basic and API key connections are deauthorized, as AWS
// does. The answer returned is the last one received.
func (s *Sender) refused(ctx context.Context, j *delivery.Job, r *eventbus.ResolvedAPIDestination, body []byte, status int, msg string) (int, string, error) {
	if r.Auth.OAuth != nil {
		return s.invoke(ctx, j, r, body, true)
	}
	s.deauthorize(ctx, j.Account, r.Destination.ConnectionArn,
		"The API destination endpoint answered HTTP "+http.StatusText(status)+" to the connection's credentials.")
	return status, msg, nil
}

// deauthorize reports a refused connection; failures are logged only.
func (s *Sender) deauthorize(ctx context.Context, account, connectionArn, reason string) {
	s.resolved.forgetConnection(connectionArn)
	if s.cfg.Deauthorizer == nil {
		return
	}
	s.cfg.Log.Warn("httptarget: deauthorizing connection", "connection", connectionArn, "reason", reason)
	if err := s.cfg.Deauthorizer.DeauthorizeConnectionFor(context.WithoutCancel(ctx), account, connectionArn, reason); err != nil {
		s.cfg.Log.Warn("httptarget: deauthorizing connection failed", "connection", connectionArn, "err", err)
	}
}

// outcome classifies an answer's status.
func outcome(status int, msg string) error {
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusUnauthorized, status == http.StatusProxyAuthRequired, status == http.StatusConflict,
		status == http.StatusTooManyRequests, status >= 500:
		return delivery.Retryable(CodeSDKClientError, "Unable to invoke ApiDestination endpoint: the endpoint answered HTTP %d.%s", status, msg)
	default:
		return delivery.Permanent(CodeSDKClientError, "Unable to invoke ApiDestination endpoint: the endpoint answered HTTP %d.%s", status, msg)
	}
}
