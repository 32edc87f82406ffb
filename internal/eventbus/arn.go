package eventbus

import "strings"

// DefaultBus is the name of the bus every account has.
const DefaultBus = "default"

// BusARN returns the ARN of an event bus: arn:aws:events:<region>:<account>:event-bus/<name>.
func BusARN(region, account, name string) string {
	return "arn:aws:events:" + region + ":" + account + ":event-bus/" + name
}

// SourceARN returns the ARN of a partner event source, whose account field is
// empty: arn:aws:events:<region>::event-source/<name>.
func SourceARN(region, name string) string {
	return "arn:aws:events:" + region + "::event-source/" + name
}

// RuleARN returns the ARN of a rule: .../rule/<rule> on the default bus,
// .../rule/<bus>/<rule> on any other.
func RuleARN(region, account, bus, rule string) string {
	if bus == DefaultBus {
		return "arn:aws:events:" + region + ":" + account + ":rule/" + rule
	}
	return "arn:aws:events:" + region + ":" + account + ":rule/" + bus + "/" + rule
}

// An ARN is a parsed Amazon Resource Name. Resource is everything after the
// fifth colon (for example "event-bus/aws.partner/acme/x/y").
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s into its fields. It reports false for anything that is
// not "arn:<partition>:<service>:<region>:<account>:<resource>" with a
// non-empty partition, service and resource.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// BusRef resolves a bus given by name or ARN (EventBusNameOrArn) to the
// account and name it designates. A plain name belongs to the caller's
// account; an ARN names its own account. ok is false for an ARN that is not
// an events event-bus ARN in region.
func BusRef(nameOrARN, callerAccount, region string) (account, name string, ok bool) {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return callerAccount, nameOrARN, true
	}
	a, ok := ParseARN(nameOrARN)
	if !ok || a.Service != "events" || a.Region != region || !IsAccountID(a.Account) {
		return "", "", false
	}
	name, found := strings.CutPrefix(a.Resource, "event-bus/")
	if !found || name == "" {
		return "", "", false
	}
	return a.Account, name, true
}

// IsAccountID reports whether s is an AWS account ID: exactly 12 ASCII
// digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
