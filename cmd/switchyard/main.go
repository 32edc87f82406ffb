// Command switchyard is a self-hostable, wire-compatible AWS EventBridge for
// partner events. `switchyard serve` runs the server; see README.md.
//
// This package only parses flags and wires concrete parts together: the
// embedded or external JetStream, the authenticator, the API service and the
// awsJson1_1 handler.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch err := run(ctx, os.Args[1:]); {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "switchyard:", err)
		os.Exit(1)
	}
}

// errUsage ends a command given wrong arguments (exit status 2, the usage
// already printed); errHelp one asked for its help (-h), which exits 0.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help requested")
)

const usage = `usage: switchyard <command> [flags]

commands:
  serve        run the EventBridge-compatible server (default 127.0.0.1:4010)
  bench        load-test PutPartnerEvents or PutEvents through the AWS SDK
  deadletters  list, show or redrive undeliverable events (JSON lines)
  tail         print the events put on a bus as they arrive
  migrate      copy a single switchyard's data into a cluster
  cluster      list a cluster's servers, or remove one gone for good
  version      print the module version, VCS revision and Go version (also --version)

Run 'switchyard <command> -h' for the flags of a command.`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		m := NewMain()
		if err := m.ParseFlags(args[1:], os.Getenv); err != nil {
			return err
		}
		return m.Serve(ctx)
	case "deadletters":
		return runDeadLetters(ctx, args[1:], os.Getenv, os.Stdout)
	case "tail":
		return runTail(ctx, args[1:], os.Getenv, os.Stdout, os.Stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], os.Getenv, os.Stdout)
	case "cluster":
		return runCluster(ctx, args[1:], os.Getenv, os.Stdout)
	case "bench":
		return bench(ctx, args[1:], os.Stdout)
	case "version", "--version", "-version":
		return printVersion(os.Stdout)
	case "-h", "--help", "help":
		fmt.Println(usage)
		return nil
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n%s\n", args[0], usage)
		return errUsage
	}
}

// parseFlags parses a command's args with fs, answering a -h with errHelp
// (fs has printed its usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	return nil
}
