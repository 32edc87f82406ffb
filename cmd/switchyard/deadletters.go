package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// deadLetterLine is one line of `switchyard deadletters`: a dead letter as
// JSON.
type deadLetterLine struct {
	Seq     uint64    `json:"seq"`
	Stored  time.Time `json:"stored"`
	Account string    `json:"account"`
	// Attributes are AWS's: RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
	// EXHAUSTED_RETRY_CONDITION (when a retry limit ended delivery) and
	// RETRY_ATTEMPTS.
	Attributes map[string]string `json:"attributes"`
	// Switchyard holds switchyard's metadata (Bus, Event-Id, Target-Id,
	// Ingested-At, Failed-At).
	Switchyard map[string]string `json:"switchyard,omitempty"`
	// Event is the undelivered event: JSON, or a string if it is not.
	Event any `json:"event"`
}

const deadLettersUsage = `usage: switchyard deadletters [list|show SEQ|redrive] [--data-dir DIR | --nats-url URL] [flags]

Dead letters are events that exhausted their target's retry policy or failed
without retry. With --data-dir, a running server is reached through the URL
it writes there (serve --nats-listen, on by default); a stopped one's files
are opened directly.

  list      every dead letter as a JSON line, oldest first (the default)
  show SEQ  the dead letter stored at SEQ as one JSON line
  redrive   send dead letters again through delivery, to their rule's target
            as it is now, keeping the event's id: --seq SEQ for one, or
            --all, narrowed by --account, --rule ARN and --target ARN. A
            redriven letter is removed; one that fails again is stored anew.`

// deadLetterFlags are the flags of every deadletters subcommand.
type deadLetterFlags struct {
	dataDir, natsURL, account, rule, target string
	limit                                   int
	seq                                     uint64
	all                                     bool
}

// runDeadLetters is the `switchyard deadletters` command: list, show or
// redrive the dead letters of a data directory (its running server's, or
// its files when none runs) or of a NATS cluster, writing JSON lines to
// stdout. Flags fall back to SWITCHYARD_<FLAG> variables read with getenv.
func runDeadLetters(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	var f deadLetterFlags
	fs := flag.NewFlagSet("switchyard deadletters", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), deadLettersUsage); fs.PrintDefaults() }
	fs.StringVar(&f.dataDir, "data-dir", DefaultConfig().DataDir, "`DIR` of the embedded JetStream")
	fs.StringVar(&f.natsURL, "nats-url", "", "`URL` of the NATS cluster instead of a data directory")
	fs.StringVar(&f.account, "account", "", "only this account's dead letters")
	fs.IntVar(&f.limit, "limit", 0, "list: stop after `N` dead letters (0: all)")
	fs.Uint64Var(&f.seq, "seq", 0, "redrive: the dead letter stored at `SEQ`")
	fs.BoolVar(&f.all, "all", false, "redrive: every dead letter that --account, --rule and --target select")
	fs.StringVar(&f.rule, "rule", "", "redrive: only dead letters of this rule `ARN`")
	fs.StringVar(&f.target, "target", "", "redrive: only dead letters for this target `ARN`")
	if err := setFromEnv(fs, getenv, "data-dir", "nats-url"); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if sub == "show" && fs.NArg() > 1 { // flags after SEQ
		seq := fs.Arg(0)
		if err := parseFlags(fs, fs.Args()[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected arguments: %v", fs.Args())
		}
		args = []string{seq}
	} else {
		args = fs.Args()
	}
	switch {
	case sub == "show" && len(args) == 1:
		seq, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("show: SEQ %q: %w", args[0], err)
		}
		f.seq = seq
	case sub == "redrive" && (f.seq == 0) == !f.all:
		return errors.New("redrive: give --seq SEQ or --all")
	case sub != "list" && sub != "show" && sub != "redrive":
		return fmt.Errorf("unknown deadletters command %q", sub)
	case len(args) > 0 && sub != "show":
		return fmt.Errorf("unexpected arguments: %v", args)
	case sub == "show":
		return errors.New("show: give the SEQ of one dead letter")
	}
	conn, closeConn, err := openForTool(ctx, f.dataDir, f.natsURL)
	if err != nil {
		return err
	}
	defer closeConn()
	dead, err := conn.OpenDeadLetters(ctx, jetstream.DeadLetterConfig{})
	if errors.Is(err, jetstream.ErrNoDeadLetters) {
		if sub == "list" {
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	switch sub {
	case "show":
		dl, err := dead.Get(ctx, f.seq)
		if err == nil && f.account != "" && dl.Account != f.account {
			err = jetstream.ErrNoSuchDeadLetter
		}
		if err != nil {
			return err
		}
		return newDeadLetterEncoder(stdout).Encode(toLine(dl))
	case "redrive":
		return redrive(ctx, conn, dead, f, stdout)
	}
	return writeDeadLetters(ctx, dead, f.account, f.limit, stdout)
}

// errEnough ends a listing at its limit.
var errEnough = errors.New("limit reached")

func newDeadLetterEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// toLine is a dead letter as `deadletters` prints it.
func toLine(dl jetstream.DeadLetter) deadLetterLine {
	line := deadLetterLine{Seq: dl.Seq, Stored: dl.Stored, Account: dl.Account, Attributes: map[string]string{}}
	for k, v := range dl.Headers {
		if name, ok := strings.CutPrefix(k, delivery.MetaPrefix); ok {
			if line.Switchyard == nil {
				line.Switchyard = map[string]string{}
			}
			line.Switchyard[name] = v
			continue
		}
		line.Attributes[k] = v
	}
	if json.Valid(dl.Body) {
		line.Event = json.RawMessage(dl.Body)
	} else {
		line.Event = string(dl.Body)
	}
	return line
}

func writeDeadLetters(ctx context.Context, dead *jetstream.DeadLetters, account string, limit int, w io.Writer) error {
	enc := newDeadLetterEncoder(w)
	n := 0
	err := dead.List(ctx, account, func(dl jetstream.DeadLetter) error {
		if err := enc.Encode(toLine(dl)); err != nil {
			return err
		}
		if n++; limit > 0 && n >= limit {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}
