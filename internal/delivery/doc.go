// Package delivery owns at-least-once dispatch of routed events to targets:
// the delivery Job the router enqueues, the retry policy (exponential
// backoff with jitter, bounded by a target's MaximumRetryAttempts and
// MaximumEventAgeInSeconds), dead letters with the attributes AWS puts on
// them, input shaping (Input, InputPath; the place InputTransformer plugs
// in), and a Dispatcher that runs workers over a durable queue.
//
// Target kinds are plug-ins: a Kind pairs an ARN predicate with a Sender.
// Sub-packages implement kinds (bustarget: event buses); package main wires
// them together. No kind registers itself.
//
// This package never touches storage or the network itself: the queue
// (Source, Enqueuer) and the dead-letter store are interfaces implemented
// by adapters (internal/jetstream), and retries are the queue's own
// redelivery (Msg.Retry), not timers kept here. Time comes from an injected
// clock so retry decisions are testable.
package delivery
