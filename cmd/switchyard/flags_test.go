package main

import (
	"testing"
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
