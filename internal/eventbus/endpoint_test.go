package eventbus

import (
	"crypto/rand"
	"regexp"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	const acct = "222222222222"
	bus := func(region, name string) string { return BusARN(region, acct, name) }
	valid := Endpoint{
		Account: acct, Secondary: "us-west-2", Replication: ReplicationEnabled, RoleArn: "arn:aws:iam::" + acct + ":role/r",
		EventBuses: []string{bus("us-east-1", "orders"), bus("us-west-2", "orders")},
	}
	for _, tc := range []struct {
		name   string
		change func(*Endpoint)
		want   EndpointProblem
	}{
		{"valid", func(*Endpoint) {}, EndpointOK},
		{"home second", func(e *Endpoint) { e.EventBuses[0], e.EventBuses[1] = e.EventBuses[1], e.EventBuses[0] }, EndpointOK},
		{"one bus", func(e *Endpoint) { e.EventBuses = e.EventBuses[:1] }, EndpointBusAccount},
		{"three buses", func(e *Endpoint) { e.EventBuses = append(e.EventBuses, bus("eu-west-1", "orders")) }, EndpointBusAccount},
		{"not an ARN", func(e *Endpoint) { e.EventBuses[1] = "orders" }, EndpointBusAccount},
		{"other account", func(e *Endpoint) { e.EventBuses[1] = BusARN("us-west-2", "333333333333", "orders") }, EndpointBusAccount},
		{"same region", func(e *Endpoint) { e.EventBuses[1] = bus("us-east-1", "orders2") }, EndpointSameRegion},
		{"other names", func(e *Endpoint) { e.EventBuses[1] = bus("us-west-2", "audit") }, EndpointBusNames},
		{"not at home", func(e *Endpoint) { e.EventBuses[0] = bus("eu-west-1", "orders") }, EndpointNoLocalBus},
		{"route to a third region", func(e *Endpoint) { e.Secondary = "eu-west-1" }, EndpointRoute},
		{"route home", func(e *Endpoint) { e.Secondary = "us-east-1" }, EndpointRoute},
		{"replication without role", func(e *Endpoint) { e.RoleArn = "" }, EndpointRoleRequired},
		{"no replication, no role", func(e *Endpoint) { e.RoleArn, e.Replication = "", ReplicationDisabled }, EndpointOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := valid
			e.EventBuses = append([]string(nil), valid.EventBuses...)
			tc.change(&e)
			if got := CheckEndpoint(e, "us-east-1"); got != tc.want {
				t.Fatalf("CheckEndpoint = %d, want %d", got, tc.want)
			}
		})
	}
	if b, ok := valid.LocalBus("us-east-1"); !ok || b != "orders" {
		t.Errorf("LocalBus = %q, %v", b, ok)
	}
	if _, ok := valid.LocalBus("eu-west-1"); ok {
		t.Error("LocalBus found a bus in eu-west-1")
	}
	for arg, want := range map[string]bool{"orders": true, bus("us-west-2", "orders"): true, "audit": false, bus("us-west-2", "audit"): false} {
		if valid.NamesBus(arg) != want {
			t.Errorf("NamesBus(%q) = %v", arg, !want)
		}
	}
}

func TestEndpointID(t *testing.T) {
	form := regexp.MustCompile(`^[a-z0-9]{10}\.veo$`)
	if id := EndpointID([EndpointIDRandomSize]byte{0, 1, 25, 26, 35, 36, 255}); id != "abz09adaaa.veo" {
		t.Errorf("EndpointID = %q", id)
	}
	seen := map[string]bool{}
	for range 100 {
		var random [EndpointIDRandomSize]byte
		if _, err := rand.Read(random[:]); err != nil {
			t.Fatal(err)
		}
		id := EndpointID(random)
		if !form.MatchString(id) || seen[id] {
			t.Fatalf("id %q: not AWS's form, or repeated", id)
		}
		seen[id] = true
	}
}
