package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

const deadLettersUsage = `usage: switchyard deadletters [--data-dir DIR | --nats-url URL] [--account ID] [--limit N]

Lists the dead letters (events that exhausted their target's retry policy or
failed without retry) as JSON lines, oldest first. With the embedded store,
stop the server first: it holds the data directory.`

// runDeadLetters is the `switchyard deadletters` command: it reads the
// dead-letter stream of a data directory (the server must not be running
// on it) or of a NATS cluster, and writes one JSON line per dead letter to
// stdout. Flags fall back to SWITCHYARD_<FLAG> variables read with getenv.
func runDeadLetters(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("switchyard deadletters", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), deadLettersUsage); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", DefaultConfig().DataDir, "`DIR` of the embedded JetStream")
	natsURL := fs.String("nats-url", "", "`URL` of the NATS cluster instead of a data directory")
	account := fs.String("account", "", "list only this account's dead letters")
	limit := fs.Int("limit", 0, "stop after `N` dead letters (0: all)")
	for _, name := range []string{"data-dir", "nats-url"} {
		if v := getenv("SWITCHYARD_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			if err := fs.Set(name, v); err != nil {
				return err
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg := jetstream.Config{URL: *natsURL, DataDir: *dataDir}
	if *natsURL == "" {
		if _, err := os.Stat(filepath.Join(*dataDir, jetstream.DefaultStoreSubdir)); err != nil {
			return fmt.Errorf("no switchyard data in %s: %w", *dataDir, err)
		}
		unlock, err := lockDataDir(*dataDir)
		if err != nil {
			if errors.Is(err, errDataDirBusy) {
				return fmt.Errorf("%w; stop it first, or read through --nats-url", err)
			}
			return err
		}
		defer unlock()
	}
	conn, err := jetstream.Open(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	dead, err := conn.OpenDeadLetters(ctx, jetstream.DeadLetterConfig{})
	if errors.Is(err, jetstream.ErrNoDeadLetters) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeDeadLetters(ctx, dead, *account, *limit, stdout)
}

// errEnough ends a listing at its limit.
var errEnough = errors.New("limit reached")

func writeDeadLetters(ctx context.Context, dead *jetstream.DeadLetters, account string, limit int, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err := dead.List(ctx, account, func(dl jetstream.DeadLetter) error {
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
		if err := enc.Encode(line); err != nil {
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
