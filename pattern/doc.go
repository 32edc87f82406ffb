// Package pattern compiles, validates and matches Amazon EventBridge event
// patterns.
//
// It owns the event pattern language: Compile validates a pattern and refuses
// a bad one with the reason text AWS returns (see Error), and a Matcher holds
// any number of named patterns in one shared automaton and reports which of
// them an event matches. Pattern.Matches checks a single pattern.
//
// The package never does I/O, never logs, keeps no global mutable state and
// depends on the standard library only. It knows nothing of buses, rules or
// targets: callers map pattern names to whatever they stand for.
//
// Concurrency: Compile and Pattern.Matches may be called from any goroutine.
// A Matcher's Match may run on any number of goroutines at once, concurrently
// with Add and Remove; Match never waits for an update (updates are applied to
// a standby copy of the automaton that no reader is using, then published
// with an atomic pointer swap). Add and Remove are serialised among
// themselves.
//
// Semantics follow EventBridge: an event field that is an array matches when
// any element matches, but fields taken from different elements of one array
// never combine into a match; anything-but matches null but not a missing
// field; exists:true matches null but not [] or an object; exists:false
// matches []; numbers compare by value over the whole float64 range; a pattern
// key "a.b" addresses the same field as {"a":{"b":...}}; when a key repeats,
// the last one wins.
package pattern
