package eventbus

import "context"

// A Caller is the authenticated principal of one request: the account it acts
// as and, for SaaS partners, the partner names it may create sources under.
type Caller struct {
	// AccessKeyID is the access key the request was signed with.
	AccessKeyID string
	// Account is the 12-digit account the caller acts as.
	Account string
	// AnyPartner lets the caller use every partner name (dev mode).
	AnyPartner bool
	// Partners lists the partner names granted when AnyPartner is false.
	Partners []string
}

// MayUsePartner reports whether the caller may create or write to sources
// under the partner name (the segment after "aws.partner/").
func (c Caller) MayUsePartner(partner string) bool {
	if c.AnyPartner {
		return true
	}
	for _, p := range c.Partners {
		if p == partner {
			return true
		}
	}
	return false
}

type callerKey struct{}

// WithCaller returns a context carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller stored by WithCaller, and false when none is.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id the API answered a
// request with (its x-amzn-RequestId), for what the request causes to
// record it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the id stored by WithRequestID, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
