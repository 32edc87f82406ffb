// Package transform turns a routed event into the input a target receives,
// as EventBridge does for a rule's target: the whole event by default, the
// constant Input, the value at InputPath, or the InputTransformer's
// InputTemplate filled from its InputPathsMap and the predefined
// placeholders (<aws.events.rule-arn>, <aws.events.rule-name>,
// <aws.events.event.ingestion-time>, <aws.events.event>,
// <aws.events.event.json>).
//
// A target's settings are compiled once (Compile, or Cache.Get, which
// recompiles only when they change) into an immutable Transformer, which
// any number of goroutines may Apply to events. Compile
// applies the checks PutTargets makes (eventbus.CheckTargetInput, and the
// API model's limits) so a Transformer never meets a setting PutTargets
// would have refused. Apply reads the event's JSON text in place and
// allocates at most the output, and a little more for wildcard paths.
//
// The package does no I/O and keeps no state. What it implements of AWS's
// behaviour, and where AWS's documentation is silent, is written down on
// Apply.
package transform
