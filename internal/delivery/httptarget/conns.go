package httptarget

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the Sender's own client.
const (
	// DefaultMaxConnsPerHost bounds the connections open to one host: as
	// many as the dispatcher's default workers, so one destination can use
	// them all but no more.
	DefaultMaxConnsPerHost = 64
	// DefaultMaxConns bounds the connections open in all, idle ones
	// included, so that deliveries cannot use up the process's file
	// descriptors.
	DefaultMaxConns = 256
)

// newClient returns the Sender's own client: no redirects followed (AWS
// does not follow them: a 3xx is a failure), at most perHost connections to
// one host and total in all.
func newClient(timeout time.Duration, perHost, total int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = perHost
	t.MaxIdleConnsPerHost = perHost
	t.MaxIdleConns = total
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	l := &connLimit{slots: make(chan struct{}, total), dial: d.DialContext, closeIdle: t.CloseIdleConnections}
	t.DialContext = l.DialContext
	return &http.Client{
		Transport:     t,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// A connLimit bounds the connections a dialer has open: a dial takes a slot,
// closing the connection gives it back. When none is free it closes the
// transport's idle connections (they may hold every slot, for other hosts)
// and waits for one until the dial's context ends. Safe for concurrent use.
type connLimit struct {
	slots     chan struct{}
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	closeIdle func()
}

func (l *connLimit) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.closeIdle()
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c, err := l.dial(ctx, network, addr)
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// A limitedConn gives its slot back when first closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
