package main

import (
	"testing"

	"github.com/switchyard/switchyard/internal/eventbus"
)

func TestRuleQuotaFlags(t *testing.T) {
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
