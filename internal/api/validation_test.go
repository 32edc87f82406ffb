package api_test

import "testing"

// TestValidationErrors sends every bad request of testdata/validation.json
// and checks the error word for word, then that stored state is unchanged.
func TestValidationErrors(t *testing.T) {
	t.Parallel()
	m := startServer(t, nil)
	addr := m.Addr()
	const bus = `{"Name":"orders","Description":"kept"}`
	if status, typ, msg := rawCall(t, addr, customerAcct, "CreateEventBus", bus); status != 200 {
		t.Fatalf("setup: %d %s %s", status, typ, msg)
	}
	runErrorTable(t, addr, "testdata/validation.json", nil, func() string {
		_, _, buses := rawCall(t, addr, customerAcct, "ListEventBuses", `{}`)
		return buses
	})
}
