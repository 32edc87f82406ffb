// Package eventbus owns switchyard's domain: accounts and callers; partner
// event sources and their derived state machine; event buses and their
// resource policies; rules and targets with the checks the API model cannot
// express (schedules, target input, JSONPaths, placeholders); connections and
// API destinations with their sealed secrets; the entries of PutEvents and
// PutPartnerEvents and the event envelope built from them; ARNs; and the
// storage interfaces the domain is kept through (KV, EventLog).
//
// It never does I/O: no network, no files, no clock of its own (callers pass
// the time in), no encryption of its own (a Sealer is passed in). Storage
// implementations live in adapters (internal/jetstream) and satisfy KV.
package eventbus
