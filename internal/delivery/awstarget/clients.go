package awstarget

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultMaxConnsPerHost bounds the connections to one endpoint when
// Config.MaxConnsPerHost is 0.
const DefaultMaxConnsPerHost = 64

// Config is how Targets reaches AWS.
type Config struct {
	// Endpoint, if set, is the endpoint of every service (the
	// --aws-endpoint-url flag); it overrides AWS_ENDPOINT_URL and
	// AWS_ENDPOINT_URL_<SERVICE>. Empty leaves endpoints to the SDK's
	// standard resolution.
	Endpoint string
	// AssumeRoles makes each call with the credentials of the target's
	// RoleArn, assumed through STS, as EventBridge does; off, every call
	// uses the base credentials (local use, emulators).
	AssumeRoles bool
	// MaxConnsPerHost bounds the connections to one endpoint
	// (DefaultMaxConnsPerHost if 0).
	MaxConnsPerHost int
	// Base, if set, is the SDK configuration clients start from; nil loads
	// the SDK's default configuration (environment, shared files) once, at
	// the first delivery. Tests set it.
	Base *aws.Config
	// Log receives the notices of Targets (nil: discarded).
	Log *slog.Logger
}

// clientKey identifies one cached client.
type clientKey struct {
	service, region, role string
}

// clients builds SDK clients lazily and keeps them. Safe for concurrent
// use.
type clients struct {
	cfg  Config
	http *awshttp.BuildableClient

	mu    sync.Mutex
	base  *aws.Config                      // guarded by mu; loaded once
	cache map[clientKey]any                // guarded by mu
	creds map[string]*aws.CredentialsCache // guarded by mu; by role ARN
}

func newClients(cfg Config) *clients {
	n := cfg.MaxConnsPerHost
	if n <= 0 {
		n = DefaultMaxConnsPerHost
	}
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxConnsPerHost = n
		t.MaxIdleConnsPerHost = n
	})
	return &clients{cfg: cfg, http: hc, cache: map[clientKey]any{}, creds: map[string]*aws.CredentialsCache{}}
}

// baseConfig returns the configuration every client starts from, loading
// the SDK's defaults on first use. A load failure is returned each time
// (it is not cached), so fixing the environment needs no restart.
func (c *clients) baseConfig(ctx context.Context) (aws.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base != nil {
		return *c.base, nil
	}
	var cfg aws.Config
	if c.cfg.Base != nil {
		cfg = c.cfg.Base.Copy()
	} else {
		loaded, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return aws.Config{}, fmt.Errorf("loading AWS SDK configuration: %w", err)
		}
		cfg = loaded
	}
	cfg.HTTPClient = c.http
	// The target's RetryPolicy decides retries, not the SDK.
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	if c.cfg.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(c.cfg.Endpoint)
	}
	c.base = &cfg
	return cfg, nil
}

// get returns the cached client of service for region and role (role ""
// or AssumeRoles off: the base credentials), building it with build on
// first use. build gets the configuration and Config.Endpoint (nil when
// unset), which it must set as the client's BaseEndpoint option: only a
// client option overrides AWS_ENDPOINT_URL_<SERVICE>.
func get[T any](ctx context.Context, c *clients, service, region, role string, build func(aws.Config, *string) T) (T, error) {
	var zero T
	role = c.roleOf(role)
	k := clientKey{service, region, role}
	c.mu.Lock()
	if v, ok := c.cache[k]; ok {
		c.mu.Unlock()
		return v.(T), nil
	}
	c.mu.Unlock()
	cfg, err := c.baseConfig(ctx)
	if err != nil {
		return zero, err
	}
	cfg.Region = region
	if role != "" {
		cfg.Credentials = c.roleCredentials(cfg, role)
	}
	v := build(cfg, c.endpoint())
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.cache[k]; ok { // another goroutine won the race
		return prev.(T), nil
	}
	c.cache[k] = v
	return v, nil
}

// roleCredentials returns the cached credentials of role, assumed through
// STS with cfg's credentials and refreshed before they expire.
func (c *clients) roleCredentials(cfg aws.Config, role string) *aws.CredentialsCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc, ok := c.creds[role]; ok {
		return cc
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { override(&o.BaseEndpoint, c.endpoint()) })
	p := stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "switchyard"
	})
	cc := aws.NewCredentialsCache(p)
	c.creds[role] = cc
	return cc
}

// roleOf returns the role calls for a target with RoleArn role are made
// with: role when AssumeRoles is on, otherwise "" (the base credentials).
func (c *clients) roleOf(role string) string {
	if !c.cfg.AssumeRoles {
		return ""
	}
	return role
}

// endpoint returns Config.Endpoint, or nil when it is unset.
func (c *clients) endpoint() *string {
	if c.cfg.Endpoint == "" {
		return nil
	}
	return aws.String(c.cfg.Endpoint)
}

// override sets *dst to ep unless ep is nil.
func override(dst **string, ep *string) {
	if ep != nil {
		*dst = ep
	}
}
