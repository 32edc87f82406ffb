package awserr

import "testing"

// TestCatalogue pins every catalogue entry's exception name, status and text
// as AWS words them; the end-to-end tests in cmd/switchyard check the same
// texts through the SDK.
func TestCatalogue(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		code string
		msg  string
	}{
		{"OperationUnknown", OperationUnknown(), UnknownOperation, ""},
		{"BodyUnreadable", BodyUnreadable(), Serialization, "Could not read the request body."},
		{"RequestTooLarge", RequestTooLarge(1024), RequestEntityTooLarge, "Request must be smaller than 1024 bytes."},
		{"OperationUnsupported", OperationUnsupported("PutEvents"), UnsupportedOperation, "PutEvents is not supported by switchyard yet."},
		{"ValidationErrors one", ValidationErrors("a"), Validation, "1 validation error detected: a"},
		{"ValidationErrors two", ValidationErrors("a", "b"), Validation, "2 validation errors detected: a; b"},
		{"InputPathInvalid", InputPathInvalid("t1", "$.x["), Validation, "Invalid InputPath for target t1: $.x[ is not a valid JSON path."},
		{"PlaceholderInvalid", PlaceholderInvalid("t1", "<x>"), Validation, "InputTemplate for target t1 contains invalid placeholder <x>."},
		{"LimitReached", LimitReached(), LimitExceeded, "The requested resource exceeds the maximum number allowed."},
		{"ConcurrentChange", ConcurrentChange(), ConcurrentModification, "Another request changed this resource at the same time. Try again."},
		{"NextTokenInvalid", NextTokenInvalid(), Validation, "The NextToken provided is not valid."},
		{"ResourceARNNotFound", ResourceARNNotFound("arn:x"), ResourceNotFound, "Resource arn:x does not exist."},
		{"TagLimit", TagLimit(50), LimitExceeded, "A resource can have at most 50 tags."},
		{"BusNotFound", BusNotFound("b"), ResourceNotFound, "Event bus b does not exist."},
		{"BusExists", BusExists("b"), ResourceAlreadyExists, "Event bus b already exists."},
		{"BusLimit", BusLimit(100), LimitExceeded, "The requested resource exceeds the maximum number allowed: 100 event buses per account."},
		{"DefaultBusUndeletable", DefaultBusUndeletable(), Validation, "Cannot delete event bus default."},
		{"BusHasRules", BusHasRules(), Validation, "EventBus can't be deleted since it has rules."},
		{"PermissionParamsRequired", PermissionParamsRequired(), Validation, "Parameter(s) Action, Principal and StatementId must be specified."},
		{"PermissionActionUnsupported", PermissionActionUnsupported(), Validation, "Provided value in parameter 'action' is not supported."},
		{"ConditionPrincipalNotAll", ConditionPrincipalNotAll(), Validation, "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set."},
		{"ConditionTypeUnsupported", ConditionTypeUnsupported(), Validation, "Provided value in parameter 'condition.type' is not supported."},
		{"ConditionKeyUnsupported", ConditionKeyUnsupported(), Validation, "Provided value in parameter 'condition.key' is not supported."},
		{"PolicyExclusive", PolicyExclusive(), Validation, "Parameter Policy cannot be used together with Action, Principal, StatementId or Condition."},
		{"PolicyInvalid", PolicyInvalid(), Validation, "Parameter Policy is not a valid policy document."},
		{"PartnerBusPermission", PartnerBusPermission(), Validation, "Permissions cannot be added to a partner event bus."},
		{"PolicyTooLong", PolicyTooLong(10241, 10240), PolicyLengthExceeded, "The final policy size (10241) is bigger than the limit (10240)."},
		{"StatementIDRequired", StatementIDRequired(), Validation, "Parameter StatementId must be specified."},
		{"NoPolicy", NoPolicy(), ResourceNotFound, "EventBus does not have a policy."},
		{"StatementNotFound", StatementNotFound(), ResourceNotFound, "Statement with the provided id does not exist."},
		{"RuleNotFound", RuleNotFound("r", "b"), ResourceNotFound, "Rule r does not exist on EventBus b."},
		{"ManagedRuleNeedsForce", ManagedRuleNeedsForce("r"), ManagedRule, "r is a managed rule. Set 'force' parameter to true to override."},
		{"ManagedRuleReadOnly", ManagedRuleReadOnly("r"), ManagedRule, "r is a managed rule and cannot be modified."},
		{"PatternOrScheduleRequired", PatternOrScheduleRequired(), Validation, "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{"ScheduleNotOnDefaultBus", ScheduleNotOnDefaultBus(), Validation, "ScheduleExpression is supported only on the default event bus."},
		{"ScheduleInvalid", ScheduleInvalid(), Validation, "Parameter ScheduleExpression is not valid."},
		{"RuleHasTargets", RuleHasTargets(), Validation, "Rule can't be deleted since it has targets."},
		{"EventNotValid", EventNotValid(), Validation, "Parameter Event is not valid."},
		{"RateExceeded", RateExceeded(), Throttling, "Rate exceeded"},
		{"StorageFull", StorageFull(), ServiceUnavailable, "Storage is full: the events were not stored. Retry later."},
		{"EntriesTooLarge", EntriesTooLarge(), Validation, "Total size of the entries in the request is over the limit."},
		{"CrossRegion", CrossRegion(), Validation, "Cross-region API call is not allowed."},
		{"PartnerOperationsDisabled", PartnerOperationsDisabled(), OperationDisabled, "Partner event source operations are disabled on this server."},
		{"SourceNotFound", SourceNotFound("s"), ResourceNotFound, "Event source s does not exist."},
		{"SourceOrBusNotFound", SourceOrBusNotFound("s"), ResourceNotFound, "Event source s or event bus s does not exist."},
		{"SourceDeleted", SourceDeleted("s"), InvalidState, "Event source s is in state DELETED."},
		{"SourceNameInvalid", SourceNameInvalid("s"), Validation, "Event source name s is not valid."},
		{"PartnerNotAuthorized", PartnerNotAuthorized("123456789012", "p"), AccessDenied, "Account 123456789012 is not authorized to create event sources for partner p."},
		{"SourceExists", SourceExists("s"), ResourceAlreadyExists, "Event source s already exists."},
		{"SourceLimit", SourceLimit(100), LimitExceeded, "The requested resource exceeds the maximum number allowed: 100 partner event sources per account."},
		{"ConnectionNotFound", ConnectionNotFound("describe", "c"), ResourceNotFound, "Failed to describe the connection(s). Connection 'c' does not exist."},
		{"ConnectionExists", ConnectionExists("c"), ResourceAlreadyExists, "Failed to create the connection(s). Connection 'c' already exists."},
		{"ConnectionAuthNotAllowed", ConnectionAuthNotAllowed("create", "BasicAuthParameters", "API_KEY"), Validation, "Failed to create the connection(s). Parameter AuthParameters is not valid. Reason: BasicAuthParameters cannot be specified for authorization type API_KEY."},
		{"ConnectionAuthRequired", ConnectionAuthRequired("create", "ApiKeyAuthParameters", "API_KEY"), Validation, "Failed to create the connection(s). Parameter AuthParameters is not valid. Reason: ApiKeyAuthParameters must be specified for authorization type API_KEY."},
		{"ConnectionPrivateUnsupported", ConnectionPrivateUnsupported("update", "InvocationConnectivityParameters"), Validation, "Failed to update the connection(s). Parameter InvocationConnectivityParameters is not valid. Reason: Connections to private APIs are not supported by switchyard."},
		{"AuthorizationEndpointInvalid", AuthorizationEndpointInvalid("create", "http://x"), Validation, "Failed to create the connection(s). Parameter AuthorizationEndpoint is not valid. Reason: Endpoint 'http://x' is invalid, please provide a valid HTTPS endpoint URL."},
		{"ConnectionParameterKeyRequired", ConnectionParameterKeyRequired("create", "InvocationHttpParameters"), Validation, "Failed to create the connection(s). Parameter InvocationHttpParameters is not valid. Reason: Every parameter must have a Key."},
		{"ConnectionFieldsRequired", ConnectionFieldsRequired("BasicAuthParameters", "Username and Password"), Validation, "Failed to update the connection(s). Parameter BasicAuthParameters is not valid. Reason: Username and Password must be specified to set a new authorization."},
		{"APIDestinationNotFound", APIDestinationNotFound("delete", "d"), ResourceNotFound, "Failed to delete the api-destination(s). An api-destination 'd' does not exist."},
		{"APIDestinationExists", APIDestinationExists("d"), ResourceAlreadyExists, "Failed to create the api-destination(s). An api-destination 'd' already exists."},
		{"InvocationEndpointInvalid", InvocationEndpointInvalid("create", "http://x?a=b"), Validation, "Failed to create the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint 'http://x?a=b' is invalid, please provide a valid HTTPS endpoint URL."},
		{"DestinationConnectionNotFound", DestinationConnectionNotFound("create", "c"), ResourceNotFound, "Failed to create the api-destination(s). Connection 'c' does not exist."},
		{"EndpointNotFound", EndpointNotFound("e"), ResourceNotFound, "Endpoint e does not exist."},
		{"EndpointExists", EndpointExists("e"), ResourceAlreadyExists, "Endpoint e already exists."},
		{"EndpointIDNotFound", EndpointIDNotFound("abcde.veo"), ResourceNotFound, "Endpoint abcde.veo does not exist."},
		{"EndpointRoleRequired", EndpointRoleRequired(), Validation, "Parameter RoleArn is not valid. Reason: A RoleArn is required when event replication is ENABLED."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err.Code != c.code || c.err.Message != c.msg {
				t.Errorf("got %s %q\nwant %s %q", c.err.Code, c.err.Message, c.code, c.msg)
			}
			if want := Status(c.code); c.err.HTTPStatus() != want {
				t.Errorf("status %d, want %d", c.err.HTTPStatus(), want)
			}
		})
	}
	if RequestTooLarge(1).HTTPStatus() != 413 {
		t.Error("RequestTooLarge does not travel as 413")
	}
	if StorageFull().HTTPStatus() != 503 {
		t.Error("StorageFull does not travel as 503, which AWS SDKs retry")
	}
	if e := BodiesBusy(); e.Code != Throttling || e.HTTPStatus() != 503 || e.Message != "Too many request bodies are being read; try again." {
		t.Errorf("BodiesBusy = %d %s %q", e.HTTPStatus(), e.Code, e.Message)
	}
}
