package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
	"github.com/switchyard/switchyard/pattern"
)

const tailUsage = `usage: switchyard tail --bus NAME [--account ID] [--pattern JSON | --logs] [--since DURATION] [--data-dir DIR | --nats-url URL]

Prints the events put on a bus as they arrive, one JSON envelope per line,
until interrupted. It listens beside the router, never as a consumer of the
event log: it cannot hold events back or slow routing, and if it cannot keep
up it drops events (and says how many on stderr). --since first prints the
events the log still holds from that long ago: the log keeps an event only
until it is routed, so those are the ones not routed yet.

With --logs it prints the bus's log records instead (those its LogConfig
asks for), one JSON record per line, from the stream of bus logs; --since
then first prints the records the stream holds from that long ago.`

// tailConfig is what `switchyard tail` was asked to follow.
type tailConfig struct {
	dataDir, natsURL, bus, account, pattern string
	logs                                    bool
	log                                     jetstream.TailConfig
}

// runTail is the `switchyard tail` command.
func runTail(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c tailConfig
	fs := flag.NewFlagSet("switchyard tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), tailUsage); fs.PrintDefaults() }
	fs.StringVar(&c.dataDir, "data-dir", DefaultConfig().DataDir, "`DIR` of the server (reached through the URL it advertises there)")
	fs.StringVar(&c.natsURL, "nats-url", "", "`URL` of the NATS cluster instead of a data directory")
	fs.StringVar(&c.bus, "bus", "", "event bus `NAME` to follow (required)")
	fs.StringVar(&c.account, "account", "", "account `ID` owning the bus (default: any)")
	fs.StringVar(&c.pattern, "pattern", "", "event pattern `JSON`: print only the events it matches")
	fs.BoolVar(&c.logs, "logs", false, "print the bus's log records (see LogConfig) instead of its events")
	fs.DurationVar(&c.log.Since, "since", 0, "first print the events the log still holds from this long ago")
	if err := setFromEnv(fs, getenv, "data-dir", "nats-url"); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.bus == "" {
		return errors.New("tail: --bus is required")
	}
	if c.logs && c.pattern != "" {
		return errors.New("tail: --pattern filters events, not --logs records")
	}
	var pat *pattern.Pattern
	if c.pattern != "" {
		var err error
		if pat, err = pattern.Compile(c.pattern); err != nil {
			return fmt.Errorf("tail: --pattern: %w", err)
		}
	}
	conn, closeConn, err := openForTool(ctx, c.dataDir, c.natsURL)
	if err != nil {
		return err
	}
	defer closeConn()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if c.logs {
		return tailLogs(ctx, conn, c, w, stderr)
	}
	c.log.Ready = func() { fmt.Fprintf(stderr, "switchyard tail: following bus %s\n", c.bus) }
	return conn.Tail(ctx, c.log, func(ev eventbus.BusEvent) error {
		if ev.Bus != c.bus || c.account != "" && ev.Account != c.account {
			return nil
		}
		if pat != nil {
			if ok, err := pat.Matches(ev.Event.Envelope); err != nil || !ok {
				return nil
			}
		}
		_, _ = w.Write(ev.Event.Envelope) // the envelope shares its buffer with the next: no append
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
		return w.Flush() // a line as soon as its event arrives
	}, func(n int) {
		fmt.Fprintf(stderr, "switchyard tail: %d log messages dropped so far: too slow to keep up\n", n)
	})
}

// tailLogs prints the log records of the bus c names until ctx ends.
func tailLogs(ctx context.Context, conn *jetstream.Conn, c tailConfig, w *bufio.Writer, stderr io.Writer) error {
	logs, err := conn.OpenBusLogs(ctx, jetstream.BusLogConfig{})
	if err != nil {
		return fmt.Errorf("tail: %w", err)
	}
	ready := func() { fmt.Fprintf(stderr, "switchyard tail: following the log records of bus %s\n", c.bus) }
	return logs.Follow(ctx, c.account, c.bus, c.log.Since, ready, func(record []byte) error {
		_, _ = w.Write(record)
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
		return w.Flush()
	})
}
