// Package eventbus owns switchyard's domain: accounts and callers; partner
// event sources and their derived state machine; event buses and their
// resource policies; rules and targets with the checks the API model cannot
// express (target input, JSONPaths, placeholders); schedule expressions,
// parsed into Schedules that say when a scheduled rule fires next;
// connections and API destinations with their sealed secrets; archives
// (and the managed rule that feeds one), replays and scheduled rules'
// firing records; the entries
// of PutEvents and PutPartnerEvents and the event envelope built from
// them; ARNs; the storage ports the domain is kept through (KV, EventLog,
// EventStream, ArchiveLog, Queue, DeadLetters); and the typed record stores on top of a
// KV (Records, Stores: each record kind's encoding, key layout and
// per-scope counts, written once).
//
// It never does I/O of its own: no network, no files, no clock of its own
// (callers pass the time in), no encryption of its own (a Sealer is passed
// in). Storage implementations live in adapters (internal/jetstream, and
// internal/memstore for tests) and satisfy the ports; kvtest is the
// behaviour every KV must show.
package eventbus
