package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/api"
	"github.com/switchyard/switchyard/internal/eventbus"
)

func TestRuleQuotaFlags(t *testing.T) {
	parallel(t)
	if c := DefaultConfig(); c.API.MaxRulesPerBus != 300 || c.API.MaxTargetsPerRule != 5 {
		t.Fatalf("default quotas: %d rules per bus, %d targets per rule", c.API.MaxRulesPerBus, c.API.MaxTargetsPerRule)
	}
	m := NewMain()
	env := map[string]string{"SWITCHYARD_MAX_TARGETS_PER_RULE": "9"}
	if err := m.ParseFlags([]string{"--max-rules-per-bus", "7"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if m.Config.API.MaxRulesPerBus != 7 || m.Config.API.MaxTargetsPerRule != 9 {
		t.Fatalf("quotas from flags: %d rules per bus, %d targets per rule", m.Config.API.MaxRulesPerBus, m.Config.API.MaxTargetsPerRule)
	}
}

// TestConnectionFlags: the quota and endpoint flags reach the API config.
func TestConnectionFlags(t *testing.T) {
	parallel(t)
	m := NewMain()
	if err := m.ParseFlags([]string{"--max-connections", "7", "--max-api-destinations", "9", "--http-loopback-endpoints=false", "--secret-key-file", "/k"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if c := m.Config; c.API.MaxConnections != 7 || c.API.MaxAPIDestinations != 9 || c.API.HTTPLoopbackEndpoints || c.SecretKeyFile != "/k" {
		t.Fatalf("config %+v", c)
	}
	m = NewMain()
	env := map[string]string{"SWITCHYARD_SECRET_KEY_FILE": "/env/key"}
	if err := m.ParseFlags(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c := m.Config; c.SecretKeyFile != "/env/key" || c.API.MaxConnections != eventbus.DefaultMaxConnections || !c.API.HTTPLoopbackEndpoints {
		t.Fatalf("defaults and env %+v", c)
	}
}

// TestIngestFlags: the size limit and rates are flags (and SWITCHYARD_ variables).
func TestIngestFlags(t *testing.T) {
	parallel(t)
	m := NewMain()
	env := map[string]string{"SWITCHYARD_PUT_PARTNER_EVENTS_BURST": "7"}
	err := m.ParseFlags([]string{"--max-entries-size", "262144", "--put-events-rate", "50", "--put-events-burst", "60",
		"--put-partner-events-rate", "5"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config.API
	if c.MaxEntriesSize != 256<<10 || c.Throttle.PutEvents != (api.RateLimit{PerSecond: 50, Burst: 60}) ||
		c.Throttle.PutPartnerEvents != (api.RateLimit{PerSecond: 5, Burst: 7}) {
		t.Errorf("parsed %d %+v %+v", c.MaxEntriesSize, c.Throttle.PutEvents, c.Throttle.PutPartnerEvents)
	}
	d := NewMain().Config.API
	if d.MaxEntriesSize != 1<<20 || d.Throttle.PutEvents != (api.RateLimit{PerSecond: 10000, Burst: 10000}) ||
		d.Throttle.PutPartnerEvents != (api.RateLimit{PerSecond: 1400, Burst: 3600}) {
		t.Errorf("defaults %d %+v %+v", d.MaxEntriesSize, d.Throttle.PutEvents, d.Throttle.PutPartnerEvents)
	}
}

// TestConfigFile: a --config file sets flags by name; SWITCHYARD_*
// variables override it and flags override both; an unknown name or a bad
// value is refused with its line.
func TestConfigFile(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "switchyard.conf")
	conf := "# switchyard serve\nlisten = 127.0.0.1:4999\nregion = \"eu-west-1\"\n\nmax-rules-per-bus=7\nmetrics = false\nmax-targets-per-rule = 3\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SWITCHYARD_MAX_RULES_PER_BUS": "8"}
	m := NewMain()
	if err := m.ParseFlags([]string{"--max-targets-per-rule", "4", "--config", path}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	c := m.Config
	if c.Listen != "127.0.0.1:4999" || c.Region != "eu-west-1" || c.Metrics || c.API.MaxRulesPerBus != 8 || c.API.MaxTargetsPerRule != 4 {
		t.Fatalf("listen %s region %s metrics %v rules %d targets %d", c.Listen, c.Region, c.Metrics, c.API.MaxRulesPerBus, c.API.MaxTargetsPerRule)
	}
	m = NewMain() // SWITCHYARD_CONFIG names the file too
	if err := m.ParseFlags(nil, func(k string) string { return map[string]string{"SWITCHYARD_CONFIG": path}[k] }); err != nil || m.Config.Region != "eu-west-1" {
		t.Fatalf("SWITCHYARD_CONFIG: %v, region %s", err, m.Config.Region)
	}
	for bad, want := range map[string]string{
		"region = x\nno-such-flag = 1\n": ":2: no flag \"no-such-flag\"",
		"max-rules-per-bus = many\n":     ":1: max-rules-per-bus = \"many\"",
		"just words\n":                   ":1: want name = value",
	} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		err := NewMain().ParseFlags([]string{"--config=" + path}, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", bad, err, want)
		}
	}
}
