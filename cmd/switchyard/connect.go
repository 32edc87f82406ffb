package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/jetstream"
)

// clientURLFile is the file in the data directory where a running `serve`
// writes the URL (token included, mode 0600) of its embedded server's
// loopback listener (--nats-listen), for the tools (deadletters, tail) to
// reach it while it holds the directory. Anyone who can read it could
// read the directory's files anyway.
const clientURLFile = "nats.url"

// systemURLFile is where a running cluster node with --nats-listen writes
// the URL (mode 0600) of its embedded server's system account, for
// `switchyard cluster`. Whoever can read it can remove servers from the
// cluster.
const systemURLFile = "nats-system.url"

// advertiseClientURL writes the embedded server's client URL (and, on a
// cluster node, its system account's) into the data directory and
// registers their removal with onClose. Without --nats-listen it removes
// URLs a killed process left there; with --nats-url it does nothing (the
// directory is not this process's).
func (m *Main) advertiseClientURL() error {
	if m.Config.NATSURL != "" {
		return nil
	}
	for file, u := range map[string]string{clientURLFile: m.conn.ClientURL(), systemURLFile: m.conn.SystemURL()} {
		if err := m.advertise(filepath.Join(m.Config.DataDir, file), u); err != nil {
			return err
		}
	}
	return nil
}

// advertise writes u to path, or removes path when u is "".
func (m *Main) advertise(path, u string) error {
	if u == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(u+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	m.onClose(filepath.Base(path), time.Second, func(context.Context) error {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	})
	return nil
}

// openForTool connects a tool to switchyard's JetStream: to natsURL when
// given; else, when a server runs on dataDir, to the URL it advertises
// there; else to the data directory itself, which it then holds (locked)
// until the returned close is called.
func openForTool(ctx context.Context, dataDir, natsURL string) (*jetstream.Conn, func(), error) {
	cfg := jetstream.Config{URL: natsURL, DataDir: dataDir}
	unlock := func() error { return nil }
	if natsURL == "" {
		if _, err := os.Stat(filepath.Join(dataDir, jetstream.DefaultStoreSubdir)); err != nil {
			return nil, nil, fmt.Errorf("no switchyard data in %s: %w", dataDir, err)
		}
		var err error
		unlock, err = lockDataDir(dataDir)
		switch {
		case errors.Is(err, errDataDirBusy):
			b, rerr := os.ReadFile(filepath.Join(dataDir, clientURLFile))
			if rerr != nil {
				return nil, nil, fmt.Errorf("%w, and it advertises no client URL (%v): run it with --nats-listen, stop it, or give --nats-url", err, rerr)
			}
			cfg.URL = strings.TrimSpace(string(b))
			unlock = func() error { return nil }
		case err != nil:
			return nil, nil, err
		}
	}
	conn, err := jetstream.Open(ctx, cfg, nil)
	if err != nil {
		_ = unlock()
		return nil, nil, err
	}
	return conn, func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
		_ = unlock()
	}, nil
}
