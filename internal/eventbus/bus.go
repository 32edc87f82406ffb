package eventbus

import (
	"strings"
	"time"
)

// DefaultMaxBuses is AWS's quota of event buses per account.
const DefaultMaxBuses = 100

// A Bus is an event bus: the default bus, a custom bus, or a partner bus
// (EventSourceName set, equal to Name).
type Bus struct {
	Name             string     `json:"name"`
	Account          string     `json:"account"`
	EventSourceName  string     `json:"eventSourceName,omitempty"`
	Description      string     `json:"description,omitempty"`
	KmsKeyIdentifier string     `json:"kmsKeyIdentifier,omitempty"`
	DeadLetterArn    string     `json:"deadLetterArn,omitempty"`
	LogConfig        *LogConfig `json:"logConfig,omitempty"`
	// Policy is the resource policy document (JSON), empty when none.
	Policy     string    `json:"policy,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ModifiedAt time.Time `json:"modifiedAt"`
	Tags       []Tag     `json:"tags,omitempty"`
}

// LogConfig is a bus's logging configuration, stored as given.
type LogConfig struct {
	IncludeDetail string `json:"includeDetail,omitempty"`
	Level         string `json:"level,omitempty"`
}

// IsPartner reports whether the bus receives a partner event source.
func (b Bus) IsPartner() bool { return b.EventSourceName != "" }

// CheckNewBusName applies the rules for CreateEventBus that the model's regex
// cannot express, returning the ValidationException message for a bad name
// and "" for a good one. eventSource is the EventSourceName given, or "".
func CheckNewBusName(name, eventSource string) string {
	if eventSource != "" {
		if name != eventSource {
			return "Event bus name must match event source name."
		}
		return ""
	}
	if strings.HasPrefix(name, "aws.") {
		return "EventBus name starting with 'aws.' is not valid."
	}
	if strings.Contains(name, "/") {
		return "Event bus name must not contain '/'."
	}
	return ""
}
