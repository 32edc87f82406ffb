package eventbus

import (
	"strings"
	"time"
)

// Endpoint states (the model's EndpointState). switchyard stores only
// ACTIVE: an endpoint needs no provisioning here, so it is usable as soon as
// it is written (see Endpoint.State).
const (
	EndpointActive   = "ACTIVE"
	EndpointCreating = "CREATING"
	EndpointUpdating = "UPDATING"
)

// Replication states (the model's ReplicationState).
const (
	ReplicationEnabled  = "ENABLED"
	ReplicationDisabled = "DISABLED"
)

// DefaultMaxEndpoints is AWS's quota of global endpoints per account and
// region.
const DefaultMaxEndpoints = 100

// An Endpoint is a global endpoint: a name for two event buses of the same
// name in two regions, the primary (this server's region, the endpoint's
// home region) and the secondary, with the health check that would make AWS
// fail over from one to the other. It is stored under (Account, Name).
type Endpoint struct {
	Name        string `json:"name"`
	Account     string `json:"account"`
	Description string `json:"description,omitempty"`
	// ID is the endpoint's EndpointId, "<10 random characters>.veo", the
	// subdomain of its URL; PutEvents names the endpoint by it.
	ID string `json:"id"`
	// HealthCheck is the Route 53 health check ARN of the primary region.
	HealthCheck string `json:"healthCheck"`
	// Secondary is the region events fail over to.
	Secondary string `json:"secondary"`
	// Replication is ReplicationEnabled or ReplicationDisabled.
	Replication string `json:"replication"`
	// EventBuses are the two bus ARNs, as given.
	EventBuses []string `json:"eventBuses"`
	RoleArn    string   `json:"roleArn,omitempty"`
	// State is always EndpointActive once stored (see the constants).
	State      string    `json:"state"`
	CreatedAt  time.Time `json:"createdAt"`
	ModifiedAt time.Time `json:"modifiedAt"`
}

// ARN returns the endpoint's ARN in region.
func (e Endpoint) ARN(region string) string {
	return "arn:aws:events:" + region + ":" + e.Account + ":endpoint/" + e.Name
}

// URL returns the endpoint's URL as AWS forms it from its ID.
func (e Endpoint) URL() string { return "https://" + e.ID + ".endpoint.events.amazonaws.com" }

// LocalBus returns the name of the endpoint's bus in region and true, or
// false when neither of its buses is in region (or they are not events
// event-bus ARNs of the endpoint's account).
func (e Endpoint) LocalBus(region string) (string, bool) {
	for _, arn := range e.EventBuses {
		if a, ok := ParseARN(arn); ok && a.Region == region {
			account, name, ok := BusRef(arn, e.Account, region)
			if ok && account == e.Account {
				return name, true
			}
		}
	}
	return "", false
}

// NamesBus reports whether nameOrARN, an entry's EventBusName, designates
// one of the endpoint's buses: one of their ARNs, or their common name.
func (e Endpoint) NamesBus(nameOrARN string) bool {
	for _, arn := range e.EventBuses {
		if nameOrARN == arn {
			return true
		}
		if a, ok := ParseARN(arn); ok && strings.TrimPrefix(a.Resource, "event-bus/") == nameOrARN {
			return true
		}
	}
	return false
}

// An EndpointProblem is why a global endpoint's configuration is refused;
// the API turns each into AWS's ValidationException.
type EndpointProblem int

// The endpoint problems, in the order CheckEndpoint looks for them.
const (
	EndpointOK EndpointProblem = iota
	// EndpointBusAccount: a bus ARN of another account.
	EndpointBusAccount
	// EndpointSameRegion: both buses in one region.
	EndpointSameRegion
	// EndpointBusNames: the two buses have different names.
	EndpointBusNames
	// EndpointNoLocalBus: neither bus is in the home region.
	EndpointNoLocalBus
	// EndpointRoute: the secondary route is not the other bus's region.
	EndpointRoute
	// EndpointRoleRequired: replication enabled without a role.
	EndpointRoleRequired
)

// CheckEndpoint checks e, whose fields have passed the model's
// constraints (two event-bus ARNs, a region-shaped route), as the endpoint
// of home: two buses of e's account with one name in two regions, one of
// them home, the other the secondary route; replication needs a role.
func CheckEndpoint(e Endpoint, home string) EndpointProblem {
	if len(e.EventBuses) != 2 {
		return EndpointBusAccount
	}
	var regions, names [2]string
	for i, arn := range e.EventBuses {
		a, ok := ParseARN(arn)
		if !ok || a.Account != e.Account {
			return EndpointBusAccount
		}
		regions[i], names[i] = a.Region, strings.TrimPrefix(a.Resource, "event-bus/")
	}
	switch {
	case regions[0] == regions[1]:
		return EndpointSameRegion
	case names[0] != names[1]:
		return EndpointBusNames
	case regions[0] != home && regions[1] != home:
		return EndpointNoLocalBus
	case e.Secondary != regions[0] && e.Secondary != regions[1] || e.Secondary == home:
		return EndpointRoute
	case e.Replication == ReplicationEnabled && e.RoleArn == "":
		return EndpointRoleRequired
	}
	return EndpointOK
}

// endpointIDAlphabet is what an EndpointId's random part is made of: AWS's
// ids are lower-case letters and digits ("k9fdqerv7o.veo").
const endpointIDAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// EndpointIDRandomSize is how many random bytes EndpointID takes.
const EndpointIDRandomSize = 10

// EndpointID returns an EndpointId in AWS's form made of random, which the
// caller draws (this package has no random source of its own): ten
// lower-case letters and digits, then ".veo".
func EndpointID(random [EndpointIDRandomSize]byte) string {
	for i := range random {
		random[i] = endpointIDAlphabet[int(random[i])%len(endpointIDAlphabet)]
	}
	return string(random[:]) + ".veo"
}
