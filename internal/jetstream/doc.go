// Package jetstream owns switchyard's durable storage on NATS JetStream: the
// connection (to an external NATS cluster, or to a nats-server embedded in
// the process and its lifecycle), KV buckets that implement eventbus.KV
// (atomic multi-key commits on JetStream's atomic batch publish), the
// durable event log that ingest appends to and routing consumes from (Events
// is its eventbus.EventLog and eventbus.EventStream), the delivery queue
// (eventbus.Queue) and the dead letters (eventbus.DeadLetters). An embedded
// server may be a node of a cluster of switchyard processes; this package
// then also owns the node's name, which changes with a new disk, and the
// removal of the names its address had before (identity.go).
//
// Everything it acknowledges is durable: the embedded server fsyncs every
// write (SyncAlways) and every write waits for its JetStream acknowledgement.
//
// It never applies domain rules (names, validation, state machines belong to
// internal/eventbus) and never speaks HTTP or the AWS wire format.
package jetstream
