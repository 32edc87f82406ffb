// Package eventbus owns switchyard's domain: accounts, partner event sources
// and their state machine, event buses, rules and targets; their names, ARNs
// and the validation the API model cannot express; and the KV interface the
// domain is stored through.
//
// It never does I/O: no network, no files, no clock of its own (callers pass
// the time in). Storage implementations live in adapters (internal/jetstream)
// and satisfy KV.
package eventbus
