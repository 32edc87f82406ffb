package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/switchyard/switchyard/internal/jetstream"
)

const migrateUsage = `usage: switchyard migrate --from DIR [--data-dir DIR | --nats-url URL]

Copies everything a single switchyard kept in --from (a stopped server's data
directory: buses, rules, targets, connections, sources, archives, dead
letters, and the events not yet routed or delivered) into a cluster: the one
a running node serves from --data-dir (through the URL it writes there), or
the NATS cluster at --nats-url. Start the cluster's switchyard nodes first,
on new data directories, and run this once, before the cluster takes work of
its own. The --from directory is only read; delete it when the copy is
checked.`

// runMigrate is the `switchyard migrate` command.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var from, dataDir, natsURL string
	fs := flag.NewFlagSet("switchyard migrate", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), migrateUsage); fs.PrintDefaults() }
	fs.StringVar(&from, "from", "", "`DIR`: the data directory of the single switchyard to copy (stopped)")
	fs.StringVar(&dataDir, "data-dir", "", "`DIR` of a running cluster node to copy into")
	fs.StringVar(&natsURL, "nats-url", "", "`URL` of the NATS cluster to copy into, instead of --data-dir")
	if err := setFromEnv(fs, getenv, "data-dir", "nats-url"); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	case from == "":
		return errors.New("migrate needs --from DIR")
	case dataDir == "" && natsURL == "":
		return errors.New("migrate needs --data-dir DIR (of a running cluster node) or --nats-url URL")
	}
	// The source must be stopped (a copy of a live server misses what it
	// writes meanwhile), the target running: opened alone, a cluster
	// node's directory would be written as a single server's.
	if unlock, err := lockDataDir(from); err != nil {
		return fmt.Errorf("--from: %w: stop it first", err)
	} else if err := unlock(); err != nil {
		return err
	}
	if natsURL == "" {
		unlock, err := lockDataDir(dataDir)
		if err == nil {
			_ = unlock()
			return fmt.Errorf("no switchyard runs on %s: start the cluster's nodes first, then copy into one of them", dataDir)
		}
		if !errors.Is(err, errDataDirBusy) {
			return err
		}
	}
	src, closeSrc, err := openForTool(ctx, from, "")
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer closeSrc()
	dst, closeDst, err := openForTool(ctx, dataDir, natsURL)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer closeDst()
	copied, err := jetstream.CopyStreams(ctx, src, dst, 1, func(c jetstream.CopiedStream) {
		created := ""
		if c.Created {
			created = " (created)"
		}
		fmt.Fprintf(stdout, "%s: %d messages copied%s\n", c.Name, c.Msgs, created)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d streams copied from %s\n", len(copied), from)
	return nil
}
