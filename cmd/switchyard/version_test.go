package main

import (
	"bytes"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadBuildVersion(t *testing.T) {
	parallel(t)
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/switchyard/switchyard", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-02T04:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "switchyard github.com/switchyard/switchyard v1.2.3 (revision abc123, modified, 2026-12-02T04:00:00Z) go1.26.8"
	if got := readBuildVersion(bi).String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := readBuildVersion(nil).String(); got != "switchyard unknown unknown (revision unknown) unknown" {
		t.Errorf("without build info: %s", got)
	}
}

// TestVersionAndHelpExitZero runs the binary: version, --version and
// serve -h succeed; an unknown flag does not.
func TestVersionAndHelpExitZero(t *testing.T) {
	parallel(t)
	bin := buildBinary(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !strings.HasPrefix(string(out), "switchyard github.com/switchyard/switchyard ") || !strings.Contains(string(out), " go1.") {
			t.Errorf("%v: %q", args, out)
		}
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "serve", "-h")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("serve -h: %v", err)
	}
	if !strings.Contains(stderr.String(), "-metrics-listen") {
		t.Errorf("serve -h does not list --metrics-listen:\n%s", stderr.String())
	}
	if err := exec.Command(bin, "serve", "--no-such-flag").Run(); err == nil {
		t.Error("serve --no-such-flag succeeded")
	}
}
