package main

import (
	"sync"
	"testing"
)

// testParallel is how many of this package's tests, clusters aside, run at
// once unless -test.parallel says otherwise. They wait far more than they
// compute (on fsync, on the processes and servers they start, on
// delivery), so the default, GOMAXPROCS, would leave a two-core machine
// mostly idle while the package's tests ran two at a time.
const testParallel = 4

// clusterParallel is how many tests that run a cluster run at once, beside
// the others. Five at once (each three nats-servers, most with their
// switchyards) starved the start of two of them past its wait.
const clusterParallel = 3

// turns lets this package's parallel tests run a few at a time: testParallel
// tests and, beside them, clusterParallel cluster tests. Those that asked to
// go first (the longest cluster rounds, which bound how long the package
// takes) start before any other.
//
// go test's own limit cannot order tests: those waiting for it start in no
// set order, and a long round that drew a late turn ran after a minute of
// short tests, making the package a minute longer. So TestMain lifts that
// limit, and this one takes its place: -test.parallel N, if given, allows N
// tests and, beside them, N cluster tests or clusterParallel if fewer. A
// test's reported time includes its wait for a turn.
type turns struct {
	mu       sync.Mutex
	cond     *sync.Cond
	free     int // turns for tests that run no cluster; guarded by mu
	clusters int // turns for tests that run one; guarded by mu
	firsts   int // tests that asked to go first and have not had their turn; guarded by mu
}

// turn is the package's one set of turns.
var turn *turns // made by TestMain

func newTurns(n, clusters int) *turns {
	q := &turns{free: n, clusters: clusters}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// parallel marks t parallel and waits for its turn, which it gives back
// once t and its cleanups are done. A test whose subtests are parallel
// would hold a turn its subtests wait for: this package has none.
func parallel(t *testing.T) {
	t.Helper()
	t.Parallel()
	turn.wait(t, false, false)
}

// parallelCluster is parallel for a test that runs a cluster; first puts
// it before every test that has not started yet. The body of a test runs
// up to t.Parallel while go test is still running the sequential tests, so
// every first test has asked before any parallel test waits.
func parallelCluster(t *testing.T, first bool) {
	t.Helper()
	if first {
		turn.mu.Lock()
		turn.firsts++
		turn.mu.Unlock()
	}
	t.Parallel()
	turn.wait(t, true, first)
}

func (q *turns) wait(t *testing.T, cluster, first bool) {
	have := &q.free
	if cluster {
		have = &q.clusters
	}
	q.mu.Lock()
	for *have == 0 || (!first && q.firsts > 0) {
		q.cond.Wait()
	}
	*have--
	if first {
		q.firsts--
	}
	q.mu.Unlock()
	if first {
		q.cond.Broadcast() // the others may start once no first test waits
	}
	// Registered before the test's own cleanups, so run after them: the
	// next test starts once this one's servers are stopped.
	t.Cleanup(func() {
		q.mu.Lock()
		*have++
		q.mu.Unlock()
		q.cond.Broadcast()
	})
}
