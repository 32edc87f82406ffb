// Package delivery owns at-least-once dispatch of routed events to targets:
// the delivery Job the router enqueues and the Batch the queue stores (its
// encoding and de-duplication ids), the retry policy (exponential backoff
// with jitter, bounded by a target's MaximumRetryAttempts and
// MaximumEventAgeInSeconds), dead letters with the attributes AWS puts on
// them, the error codes a failed attempt is classified by, and a Dispatcher
// that runs workers over a durable queue.
//
// Input shaping (Input, InputPath, InputTransformer) is package transform's:
// the Dispatcher runs it through TargetInput unless Config.Transform
// replaces it, and never shapes input itself.
//
// Target kinds are plug-ins: a Kind pairs an ARN predicate with a Sender.
// Sub-packages implement kinds (bustarget: event buses; httptarget: API
// destinations); package main wires them together. No kind registers
// itself.
//
// This package never touches storage or the network itself: the queue
// (Source, Enqueuer) and the dead-letter store are interfaces implemented
// by adapters (internal/jetstream), and a retry is a new batch enqueued
// with a NotBefore time that the queue hands back (Msg.Retry), not a timer
// kept here. Retry and expiry decisions read an injected clock
// (Config.Now), so they are testable; the only waits on wall time are a
// heartbeat that keeps a slow batch's ack wait open, the pause before
// restarting a failed consumer (package wait), and the ticker that writes
// the once-per-interval line of a failing target.
package delivery
