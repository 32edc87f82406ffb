package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// A configuration file (--config FILE) holds flags of `serve`, one per
// line, as `name = value` (the flag's name without dashes; spaces around
// "=" and a value's surrounding double quotes are dropped). Blank lines and
// lines starting with # are ignored. Values are read exactly as on the
// command line; flags given on the command line, and SWITCHYARD_*
// variables, override the file.

// configArg returns the --config value among args (or of
// SWITCHYARD_CONFIG), "" when none is given. It only looks; fs.Parse
// checks the arguments.
func configArg(args []string, getenv func(string) string) string {
	path := getenv("SWITCHYARD_CONFIG")
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			path = value
		} else if i+1 < len(args) {
			path = args[i+1]
			i++
		}
	}
	return path
}

// applyConfigFile sets the flags of fs the file at path names; an error
// names the line of an unknown flag or a bad value.
func applyConfigFile(fs *flag.FlagSet, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	return applyConfig(fs, path, f)
}

func applyConfig(fs *flag.FlagSet, name string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return fmt.Errorf("%s:%d: want name = value, got %q", name, n, line)
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if key == "config" {
			return fmt.Errorf("%s:%d: a configuration file cannot name another", name, n)
		}
		if fs.Lookup(key) == nil {
			return fmt.Errorf("%s:%d: no flag %q (see switchyard serve -h)", name, n, key)
		}
		if err := fs.Set(key, value); err != nil {
			return fmt.Errorf("%s:%d: %s = %q: %w", name, n, key, value, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// envName is the SWITCHYARD_* variable of flag name: SWITCHYARD_DATA_DIR
// for data-dir.
func envName(flagName string) string {
	return "SWITCHYARD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// setFromEnv sets the named flags of fs from their SWITCHYARD_* variables
// read with getenv, where set; flags given later override them.
func setFromEnv(fs *flag.FlagSet, getenv func(string) string, names ...string) error {
	for _, name := range names {
		if v := getenv(envName(name)); v != "" {
			if err := fs.Set(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}
