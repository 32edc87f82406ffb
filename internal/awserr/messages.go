package awserr

import (
	"net/http"
	"strconv"
	"strings"
)

// This file is the catalogue of the errors switchyard answers with: each
// entry pairs an exception name with its message, word for word as AWS sends
// it (recorded from the real service, LocalStack's AWS-recorded snapshots or
// AWS's documentation; the few that are switchyard's own say so). Tests in
// cmd/switchyard and internal/api compare these texts byte for byte: change
// one only when AWS's wording is known to differ. Messages built elsewhere
// (the eventbus checks, pattern errors, SigV4's in internal/sigv4/errors.go)
// are passed through New unchanged.
//
// Entries are grouped by the part of the API that answers with them.

// Request decoding and validation (internal/awsjson, internal/apimodel,
// internal/transform).

// SerializationException messages for a JSON value of the wrong kind. A body
// that is not JSON at all, or whose top level is a scalar, gets a
// SerializationException without a message.
const (
	MsgListUnexpected   = "Start of list found where not expected"
	MsgObjectUnexpected = "Start of structure or map found where not expected."
	MsgExpectedList     = "Expected list or null"
	MsgExpectedStruct   = "Expected null"
	MsgExpectedMap      = "Expected map or null"
)

// OperationUnknown is the UnknownOperationException for a request naming no
// operation of the model (or not a POST): without a message, as AWS sends it.
func OperationUnknown() *Error {
	return New(UnknownOperation, "")
}

// BodyUnreadable is the SerializationException for a request body that could
// not be read (switchyard's wording).
func BodyUnreadable() *Error {
	return New(Serialization, "Could not read the request body.")
}

// RequestTooLarge refuses a request body over limit bytes, with HTTP 413.
func RequestTooLarge(limit int64) *Error {
	return Newf(RequestEntityTooLarge, "Request must be smaller than %d bytes.", limit)
}

// OperationUnsupported answers an operation of the model switchyard does not
// implement (switchyard's wording).
func OperationUnsupported(op string) *Error {
	return New(UnsupportedOperation, op+" is not supported by switchyard yet.")
}

// ValidationErrors is the ValidationException listing constraint violations,
// in order: "1 validation error detected: <m>" or "<n> validation errors
// detected: <m1>; <m2>". It needs at least one message.
func ValidationErrors(msgs ...string) *Error {
	if len(msgs) == 1 {
		return New(Validation, "1 validation error detected: "+msgs[0])
	}
	return New(Validation, strconv.Itoa(len(msgs))+" validation errors detected: "+strings.Join(msgs, "; "))
}

// InputPathInvalid refuses a target's InputPath the transformer cannot parse.
func InputPathInvalid(target, path string) *Error {
	return New(Validation, "Invalid InputPath for target "+target+": "+path+" is not a valid JSON path.")
}

// PlaceholderInvalid refuses an InputTemplate placeholder the transformer
// cannot resolve.
func PlaceholderInvalid(target, placeholder string) *Error {
	return New(Validation, "InputTemplate for target "+target+" contains invalid placeholder "+placeholder+".")
}

// Shared by several resource families.

// LimitReached is AWS's LimitExceededException for rules, targets,
// connections and API destinations.
func LimitReached() *Error {
	return New(LimitExceeded, "The requested resource exceeds the maximum number allowed.")
}

// ConcurrentChange is the ConcurrentModificationException after every retry
// of a read-modify-write lost to another writer of the same resource.
func ConcurrentChange() *Error {
	return New(ConcurrentModification, "Another request changed this resource at the same time. Try again.")
}

// MsgTargetsRaced is PutTargets' and RemoveTargets' per-entry message (with
// ErrorCode ConcurrentModificationException) when every retry lost a race
// with another writer of the same rule.
const MsgTargetsRaced = "Another request changed this rule at the same time. Try again."

// NextTokenInvalid refuses a NextToken switchyard did not issue.
func NextTokenInvalid() *Error {
	return New(Validation, "The NextToken provided is not valid.")
}

// ResourceARNNotFound answers a tag operation on an ARN that names nothing of
// the caller's.
func ResourceARNNotFound(arn string) *Error {
	return Newf(ResourceNotFound, "Resource %s does not exist.", arn)
}

// TagLimit refuses tags beyond max on one resource.
func TagLimit(max int) *Error {
	return Newf(LimitExceeded, "A resource can have at most %d tags.", max)
}

// Event buses.

// BusNotFound answers an operation on a missing event bus.
func BusNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Event bus %s does not exist.", name)
}

// BusExists refuses to create an event bus twice.
func BusExists(name string) *Error {
	return Newf(ResourceAlreadyExists, "Event bus %s already exists.", name)
}

// BusLimit refuses an event bus beyond max per account.
func BusLimit(max int) *Error {
	return Newf(LimitExceeded, "The requested resource exceeds the maximum number allowed: %d event buses per account.", max)
}

// DefaultBusUndeletable refuses DeleteEventBus of the default bus.
func DefaultBusUndeletable() *Error {
	return New(Validation, "Cannot delete event bus default.")
}

// BusHasRules refuses DeleteEventBus of a bus that still has rules.
func BusHasRules() *Error {
	return New(Validation, "EventBus can't be deleted since it has rules.")
}

// Bus permissions (PutPermission, RemovePermission).

// PermissionParamsRequired refuses PutPermission without Action, Principal
// and StatementId.
func PermissionParamsRequired() *Error {
	return New(Validation, "Parameter(s) Action, Principal and StatementId must be specified.")
}

// PermissionActionUnsupported refuses an Action other than events:PutEvents.
func PermissionActionUnsupported() *Error {
	return New(Validation, "Provided value in parameter 'action' is not supported.")
}

// ConditionPrincipalNotAll refuses a Condition with a Principal other than *.
func ConditionPrincipalNotAll() *Error {
	return New(Validation, "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.")
}

// ConditionTypeUnsupported refuses a Condition type other than StringEquals.
func ConditionTypeUnsupported() *Error {
	return New(Validation, "Provided value in parameter 'condition.type' is not supported.")
}

// ConditionKeyUnsupported refuses a Condition key other than aws:PrincipalOrgID.
func ConditionKeyUnsupported() *Error {
	return New(Validation, "Provided value in parameter 'condition.key' is not supported.")
}

// PolicyExclusive refuses Policy together with the statement parameters.
func PolicyExclusive() *Error {
	return New(Validation, "Parameter Policy cannot be used together with Action, Principal, StatementId or Condition.")
}

// PolicyInvalid refuses a Policy that is not a policy document.
func PolicyInvalid() *Error {
	return New(Validation, "Parameter Policy is not a valid policy document.")
}

// PartnerBusPermission refuses permissions on a partner event bus.
func PartnerBusPermission() *Error {
	return New(Validation, "Permissions cannot be added to a partner event bus.")
}

// PolicyTooLong refuses a resulting policy of size bytes over limit.
func PolicyTooLong(size, limit int) *Error {
	return Newf(PolicyLengthExceeded, "The final policy size (%d) is bigger than the limit (%d).", size, limit)
}

// StatementIDRequired refuses RemovePermission without StatementId (and
// without RemoveAllPermissions).
func StatementIDRequired() *Error {
	return New(Validation, "Parameter StatementId must be specified.")
}

// NoPolicy answers RemovePermission on a bus without a policy.
func NoPolicy() *Error {
	return New(ResourceNotFound, "EventBus does not have a policy.")
}

// StatementNotFound answers RemovePermission of a missing statement.
func StatementNotFound() *Error {
	return New(ResourceNotFound, "Statement with the provided id does not exist.")
}

// Rules and targets.

// RuleNotFound answers an operation on a missing rule of bus.
func RuleNotFound(rule, bus string) *Error {
	return Newf(ResourceNotFound, "Rule %s does not exist on EventBus %s.", rule, bus)
}

// ManagedRuleNeedsForce answers DeleteRule or RemoveTargets on a managed rule
// without Force.
func ManagedRuleNeedsForce(rule string) *Error {
	return Newf(ManagedRule, "%s is a managed rule. Set 'force' parameter to true to override.", rule)
}

// ManagedRuleReadOnly answers the calls that cannot change a managed rule at
// all (PutRule, PutTargets, EnableRule, DisableRule, TagResource,
// UntagResource).
func ManagedRuleReadOnly(rule string) *Error {
	return Newf(ManagedRule, "%s is a managed rule and cannot be modified.", rule)
}

// PatternOrScheduleRequired refuses PutRule with neither EventPattern nor
// ScheduleExpression.
func PatternOrScheduleRequired() *Error {
	return New(Validation, "Parameter(s) EventPattern or ScheduleExpression must be specified.")
}

// ScheduleNotOnDefaultBus refuses a ScheduleExpression on a custom bus.
func ScheduleNotOnDefaultBus() *Error {
	return New(Validation, "ScheduleExpression is supported only on the default event bus.")
}

// ScheduleInvalid refuses a ScheduleExpression that does not parse.
func ScheduleInvalid() *Error {
	return New(Validation, "Parameter ScheduleExpression is not valid.")
}

// RuleHasTargets refuses DeleteRule of a rule that still has targets.
func RuleHasTargets() *Error {
	return New(Validation, "Rule can't be deleted since it has targets.")
}

// EventNotValid refuses TestEventPattern's Event when it is not an event.
func EventNotValid() *Error {
	return New(Validation, "Parameter Event is not valid.")
}

// PutEvents and PutPartnerEvents.

// RateExceeded refuses a request over the account's rate.
func RateExceeded() *Error {
	return New(Throttling, "Rate exceeded")
}

// StorageFull refuses events switchyard cannot store because its storage is
// full: a 503, which AWS SDKs retry, rather than ThrottlingException, which
// would tell the caller it sends too fast. Nothing of the request was
// stored.
func StorageFull() *Error {
	return New(ServiceUnavailable, "Storage is full: the events were not stored. Retry later.")
}

// EntriesTooLarge refuses entries whose total size is over the limit.
func EntriesTooLarge() *Error {
	return New(Validation, "Total size of the entries in the request is over the limit.")
}

// CrossRegion refuses an entry for a bus ARN of another region.
func CrossRegion() *Error {
	return New(Validation, "Cross-region API call is not allowed.")
}

// Partner event sources.

// PartnerOperationsDisabled answers the partner operations when the server
// has them disabled (switchyard's wording).
func PartnerOperationsDisabled() *Error {
	return New(OperationDisabled, "Partner event source operations are disabled on this server.")
}

// SourceNotFound answers an operation on a missing event source.
func SourceNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Event source %s does not exist.", name)
}

// SourceOrBusNotFound answers ActivateEventSource or DeactivateEventSource of
// a missing source.
func SourceOrBusNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Event source %s or event bus %s does not exist.", name, name)
}

// SourceDeleted refuses an operation on a source its partner deleted.
func SourceDeleted(name string) *Error {
	return Newf(InvalidState, "Event source %s is in state DELETED.", name)
}

// SourceNameInvalid refuses a source name that names no partner.
func SourceNameInvalid(name string) *Error {
	return Newf(Validation, "Event source name %s is not valid.", name)
}

// PartnerNotAuthorized refuses a source created by an account that is not
// the partner's.
func PartnerNotAuthorized(account, partner string) *Error {
	return Newf(AccessDenied, "Account %s is not authorized to create event sources for partner %s.", account, partner)
}

// SourceAccessDenied refuses an operation on an event source the calling
// account does not own, in IAM's words for a denied action.
func SourceAccessDenied(account, action, sourceARN string) *Error {
	return Newf(AccessDenied, "User: arn:aws:iam::%s:root is not authorized to perform: events:%s on resource: %s", account, action, sourceARN)
}

// SourceExists refuses to create an event source twice.
func SourceExists(name string) *Error {
	return Newf(ResourceAlreadyExists, "Event source %s already exists.", name)
}

// SourceLimit refuses a source beyond max per partner account.
func SourceLimit(max int) *Error {
	return Newf(LimitExceeded, "The requested resource exceeds the maximum number allowed: %d partner event sources per account.", max)
}

// Connections and API destinations: AWS words their errors "Failed to <verb>
// the connection(s). <detail>" (verb: create, describe, update, delete, ...).

// failed is the common form of the connection and API destination errors.
func failed(code, what, verb, detail string) *Error {
	return New(code, "Failed to "+verb+" the "+what+"(s). "+detail)
}

// parameterInvalid is AWS's detail for a parameter: "Parameter X is not
// valid. Reason: ...".
func parameterInvalid(param, reason string) string {
	return "Parameter " + param + " is not valid. Reason: " + reason
}

// endpointInvalid is the reason given for an endpoint switchyard refuses.
func endpointInvalid(endpoint string) string {
	return "Endpoint '" + endpoint + "' is invalid, please provide a valid HTTPS endpoint URL."
}

func connectionFailed(code, verb, detail string) *Error {
	return failed(code, "connection", verb, detail)
}

func connectionInvalid(verb, param, reason string) *Error {
	return connectionFailed(Validation, verb, parameterInvalid(param, reason))
}

// ConnectionNotFound answers an operation on a missing connection.
func ConnectionNotFound(verb, name string) *Error {
	return connectionFailed(ResourceNotFound, verb, "Connection '"+name+"' does not exist.")
}

// ConnectionExists refuses to create a connection twice.
func ConnectionExists(name string) *Error {
	return connectionFailed(ResourceAlreadyExists, "create", "Connection '"+name+"' already exists.")
}

// ConnectionAuthNotAllowed refuses the parameters param of an authorization
// type other than typ.
func ConnectionAuthNotAllowed(verb, param, typ string) *Error {
	return connectionInvalid(verb, "AuthParameters", param+" cannot be specified for authorization type "+typ+".")
}

// ConnectionAuthRequired refuses a connection lacking the parameters param of
// its authorization type typ.
func ConnectionAuthRequired(verb, param, typ string) *Error {
	return connectionInvalid(verb, "AuthParameters", param+" must be specified for authorization type "+typ+".")
}

// ConnectionPrivateUnsupported refuses connectivity parameters param:
// connections to private APIs need VPC Lattice resource configurations
// switchyard does not have (switchyard's wording).
func ConnectionPrivateUnsupported(verb, param string) *Error {
	return connectionInvalid(verb, param, "Connections to private APIs are not supported by switchyard.")
}

// AuthorizationEndpointInvalid refuses an OAuth AuthorizationEndpoint, with
// the reason AWS gives for a bad InvocationEndpoint.
func AuthorizationEndpointInvalid(verb, endpoint string) *Error {
	return connectionInvalid(verb, "AuthorizationEndpoint", endpointInvalid(endpoint))
}

// ConnectionParameterKeyRequired refuses an HTTP parameter of param without a
// Key.
func ConnectionParameterKeyRequired(verb, param string) *Error {
	return connectionInvalid(verb, param, "Every parameter must have a Key.")
}

// ConnectionFieldsRequired refuses UpdateConnection parameters param that
// replace an authorization without all of fields.
func ConnectionFieldsRequired(param, fields string) *Error {
	return connectionInvalid("update", param, fields+" must be specified to set a new authorization.")
}

func apiDestinationFailed(code, verb, detail string) *Error {
	return failed(code, "api-destination", verb, detail)
}

// APIDestinationNotFound answers an operation on a missing API destination.
func APIDestinationNotFound(verb, name string) *Error {
	return apiDestinationFailed(ResourceNotFound, verb, "An api-destination '"+name+"' does not exist.")
}

// APIDestinationExists refuses to create an API destination twice.
func APIDestinationExists(name string) *Error {
	return apiDestinationFailed(ResourceAlreadyExists, "create", "An api-destination '"+name+"' already exists.")
}

// InvocationEndpointInvalid refuses an API destination's endpoint.
func InvocationEndpointInvalid(verb, endpoint string) *Error {
	return apiDestinationFailed(Validation, verb, parameterInvalid("InvocationEndpoint", endpointInvalid(endpoint)))
}

// DestinationConnectionNotFound answers an API destination naming a
// connection the caller does not have.
func DestinationConnectionNotFound(verb, name string) *Error {
	return apiDestinationFailed(ResourceNotFound, verb, "Connection '"+name+"' does not exist.")
}

// BodiesBusy: too many unauthenticated request bodies are being read at once
// (the server's own bound, not AWS's); a 503, which the SDKs retry.
func BodiesBusy() *Error {
	return WithStatus(Throttling, http.StatusServiceUnavailable, "Too many request bodies are being read; try again.")
}

// Archives and replays.

// ArchiveNotFound answers an operation on a missing archive.
func ArchiveNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Archive %s does not exist.", name)
}

// ArchiveExists refuses to create an archive twice.
func ArchiveExists(name string) *Error {
	return Newf(ResourceAlreadyExists, "Archive %s already exists.", name)
}

// ArchiveKMSUnsupported refuses a customer managed key for an archive
// (switchyard's wording: it names the gap).
func ArchiveKMSUnsupported() *Error {
	return New(Validation, "Parameter KmsKeyIdentifier is not supported by switchyard: archives are stored in JetStream, not encrypted with AWS KMS.")
}

// ReplayNotFound answers an operation on a missing replay.
func ReplayNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Replay %s does not exist.", name)
}

// ReplayExists refuses to start a replay under a name already used.
func ReplayExists(name string) *Error {
	return Newf(ResourceAlreadyExists, "Replay %s already exists.", name)
}

// ReplayTimesInvalid refuses a replay whose EventEndTime is not after its
// EventStartTime.
func ReplayTimesInvalid() *Error {
	return New(Validation, parameterInvalid("EventEndTime", "EventStartTime must be before EventEndTime."))
}

// ReplayArchiveNotFound refuses StartReplay from a missing archive.
func ReplayArchiveNotFound(name string) *Error {
	return New(Validation, parameterInvalid("EventSourceArn", "Archive "+name+" does not exist."))
}

// ReplayCrossBus refuses StartReplay to a bus other than the archive's.
func ReplayCrossBus() *Error {
	return New(Validation, parameterInvalid("Destination.Arn", "Cross event bus replay is not permitted."))
}

// ReplayNotCancellable refuses CancelReplay of a replay that is neither
// STARTING nor RUNNING.
func ReplayNotCancellable(name string) *Error {
	return Newf(IllegalStatus, "Replay %s is not in a valid state for this operation.", name)
}

// Global endpoints (internal/api/endpoints.go). The not-found and
// already-exists texts follow the pattern AWS uses for buses and sources;
// AWS's exact wording for endpoints was not found recorded, and the
// configuration checks are switchyard's own wording of the rules AWS
// documents (two buses of one name in two regions, the secondary route, a
// role for replication).

// EndpointNotFound answers an operation on a missing global endpoint.
func EndpointNotFound(name string) *Error {
	return Newf(ResourceNotFound, "Endpoint %s does not exist.", name)
}

// EndpointExists refuses to create a global endpoint twice.
func EndpointExists(name string) *Error {
	return Newf(ResourceAlreadyExists, "Endpoint %s already exists.", name)
}

// EndpointIDNotFound refuses PutEvents through an EndpointId the caller's
// account has no endpoint of.
func EndpointIDNotFound(id string) *Error {
	return Newf(ResourceNotFound, "Endpoint %s does not exist.", id)
}

// EndpointBusAccount refuses endpoint buses of another account.
func EndpointBusAccount() *Error {
	return New(Validation, parameterInvalid("EventBuses", "The event buses must belong to the endpoint's account."))
}

// EndpointSameRegion refuses endpoint buses in one region.
func EndpointSameRegion() *Error {
	return New(Validation, parameterInvalid("EventBuses", "The event buses must be in different Regions."))
}

// EndpointBusNames refuses endpoint buses of different names.
func EndpointBusNames() *Error {
	return New(Validation, parameterInvalid("EventBuses", "The names of the event buses must be identical in each Region."))
}

// EndpointNoLocalBus refuses an endpoint none of whose buses is in the
// region it is created in.
func EndpointNoLocalBus(region string) *Error {
	return New(Validation, parameterInvalid("EventBuses", "One of the event buses must be in the endpoint's Region "+region+"."))
}

// EndpointRoute refuses a secondary route that is not the region of the
// endpoint's other bus.
func EndpointRoute(route string) *Error {
	return New(Validation, parameterInvalid("RoutingConfig.FailoverConfig.Secondary.Route",
		"Region "+route+" is not the Region of the secondary event bus."))
}

// EndpointRoleRequired refuses replication without a role.
func EndpointRoleRequired() *Error {
	return New(Validation, parameterInvalid("RoleArn", "A RoleArn is required when event replication is ENABLED."))
}
