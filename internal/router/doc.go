// Package router owns routing: it keeps every bus's rules in memory, fed by
// a watch of the rules KV, as one pattern matcher per (account, bus) behind
// copy-on-write snapshots, and turns each event of the durable event log
// into delivery jobs, one per target of every enabled rule the event
// matches, enqueued durably before the log batch is acknowledged.
//
// It never delivers anything (package delivery does), never reads requests
// (it runs from the log only), and never imports a storage implementation:
// the rules watch, the log and the queue are interfaces that package main
// adapts to internal/jetstream.
package router
