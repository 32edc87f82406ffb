package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchyard/switchyard/internal/jetstream"
)

const clusterUsage = `usage: switchyard cluster [peers | remove NAME] --data-dir DIR

Shows or changes the membership of the cluster a running node (started with
--cluster-* and --nats-listen) serves from --data-dir.

  peers        lists the servers of the cluster's JetStream meta group, one a
               line: name, peer id, and alive or not answering
  remove NAME  removes a server that is gone for good (a machine replaced
               under another host name or --cluster-listen port; one replaced
               under the same ones removes its old name itself); its replicas
               move to the servers with room. A server that answers is
               refused: stop it first.`

// runCluster is the `switchyard cluster` command.
func runCluster(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var dataDir string
	fs := flag.NewFlagSet("switchyard cluster", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), clusterUsage); fs.PrintDefaults() }
	fs.StringVar(&dataDir, "data-dir", "", "`DIR` of a running cluster node")
	if err := setFromEnv(fs, getenv, "data-dir"); err != nil {
		return err
	}
	op, rest := "peers", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		op, rest = args[0], args[1:]
	}
	var name string
	if op == "remove" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	case op != "peers" && op != "remove":
		return fmt.Errorf("unknown cluster command %q: peers or remove NAME", op)
	case op == "remove" && name == "":
		return errors.New("cluster remove needs the NAME of the server to remove (see switchyard cluster peers)")
	case dataDir == "":
		return errors.New("cluster needs --data-dir DIR (of a running cluster node)")
	}
	b, err := os.ReadFile(filepath.Join(dataDir, systemURLFile))
	if err != nil {
		return fmt.Errorf("no running cluster node with --nats-listen advertises its system account in %s: %w", dataDir, err)
	}
	sys, err := nats.Connect(strings.TrimSpace(string(b)), nats.Name("switchyard cluster"), nats.Timeout(10*time.Second))
	if err != nil {
		return fmt.Errorf("connect to the node on %s: %w", dataDir, err)
	}
	defer sys.Close()
	if op == "remove" {
		if err := jetstream.RemovePeer(ctx, sys, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s; its replicas move to the servers with room\n", name)
		return nil
	}
	peers, err := jetstream.ClusterPeers(ctx, sys)
	if err != nil {
		return err
	}
	for _, p := range peers {
		name, state := p.Name, "alive"
		if name == "" {
			name = "(name unknown)"
		}
		if !p.Alive {
			state = "not answering"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", name, p.ID, state)
	}
	return nil
}
