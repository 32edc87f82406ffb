package main

import (
	"encoding/json"
	"os"
	"testing"
)

// validationCase is one entry of testdata/validation.json: a raw request and
// the error AWS gives for it (message nil: the exception name is checked).
type validationCase struct {
	Name    string  `json:"name"`
	Op      string  `json:"op"`
	Body    string  `json:"body"`
	Type    string  `json:"type"`
	Message *string `json:"message"`
}

// TestValidationErrors sends every bad request of testdata/validation.json
// and checks the error word for word, then that stored state is unchanged.
func TestValidationErrors(t *testing.T) {
	raw, err := os.ReadFile("testdata/validation.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []validationCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	m, _ := startServer(t, t.TempDir(), nil)
	addr := m.Addr()
	const bus = `{"Name":"orders","Description":"kept"}`
	if status, typ, msg := rawCall(t, addr, customerAcct, "CreateEventBus", bus); status != 200 {
		t.Fatalf("setup: %d %s %s", status, typ, msg)
	}
	_, _, before := rawCall(t, addr, customerAcct, "ListEventBuses", `{}`)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			status, typ, msg := rawCall(t, addr, customerAcct, c.Op, c.Body)
			if status != 400 || typ != c.Type {
				t.Fatalf("%s %s: got %d %s %q, want 400 %s", c.Op, c.Body, status, typ, msg, c.Type)
			}
			if c.Message != nil && msg != *c.Message {
				t.Errorf("%s %s:\n got  %q\n want %q", c.Op, c.Body, msg, *c.Message)
			}
			if msg == "" && typ != "UnknownOperationException" && typ != "SerializationException" {
				t.Errorf("%s: empty message", c.Op)
			}
		})
	}
	if _, _, after := rawCall(t, addr, customerAcct, "ListEventBuses", `{}`); after != before {
		t.Errorf("bad requests changed stored state:\n before %s\n after  %s", before, after)
	}
}
