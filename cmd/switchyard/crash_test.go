package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchyard/switchyard/internal/apitest"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// putEvents puts n events (batches of 10) on bus and returns their ids.
func putEvents(t *testing.T, c *eventbridge.Client, bus, source string, n int) []string {
	t.Helper()
	return putEventsAt(t, c, bus, source, time.Time{}, n)
}

// putEventsAt puts n events of source on bus, ten a request, with the
// event time at (none if zero), and returns their ids.
func putEventsAt(t *testing.T, c *eventbridge.Client, bus, source string, at time.Time, n int) []string {
	t.Helper()
	var ids []string
	for len(ids) < n {
		var entries []types.PutEventsRequestEntry
		for i := 0; i < 10 && len(ids)+len(entries) < n; i++ {
			e := types.PutEventsRequestEntry{EventBusName: aws.String(bus), Source: aws.String(source),
				DetailType: aws.String("Test"), Detail: aws.String(fmt.Sprintf(`{"i":%d}`, len(ids)+i))}
			if !at.IsZero() {
				e.Time = aws.Time(at)
			}
			entries = append(entries, e)
		}
		out := must[*eventbridge.PutEventsOutput](t)(c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries}))
		if out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %d failed", out.FailedEntryCount)
		}
		for _, e := range out.Entries {
			ids = append(ids, aws.ToString(e.EventId))
		}
	}
	return ids
}

// TestRestartMidDelivery closes the server while deliveries are failing and
// waiting to be retried, and one is stuck in a send, then reopens the same
// data directory with a healthy target: every event is delivered at least
// once, and none is dead-lettered.
func TestRestartMidDelivery(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	later := sqsARN(customerAcct, "later")
	down := &probe{}
	down.fail = func(h probeHit) error {
		if h.Input == `{"i":0}` { // one send hangs until its timeout, or shutdown
			time.Sleep(time.Second)
		}
		return delivery.Retryable(delivery.CodeConnectionFailure, "target down")
	}
	m, stop, tb := routedServer(t, dir, down, func(c *Config) {
		c.Routing.SendTimeout = 500 * time.Millisecond
		c.Routing.BackoffBase = 100 * time.Millisecond
		c.Routing.BackoffMax = 300 * time.Millisecond
	})
	c := clientFor(m, customerAcct)
	tgt := target("later", later)
	tgt.InputPath = aws.String("$.detail")
	putRule(t, c, "default", "r", `{"source":["app"]}`, types.RuleStateEnabled, tgt)
	waitRules(t, tb, customerAcct, "default", 1)
	ids := putEvents(t, c, "default", "app", 30)
	down.waitFor(t, later, 30) // every event has been tried and has failed
	stop()

	up := &probe{}
	m2, _, _ := routedServer(t, dir, up, nil)
	up.waitDelivered(t, later, ids, 30*time.Second)
	if dead := listDeadLetters(t, m2); len(dead) != 0 {
		t.Fatalf("%d dead letters after a restart", len(dead))
	}
}

// TestCrashMidRouting runs the real binary, forwards events from one bus to
// another, and kills it (SIGKILL) while the router and the workers are busy.
// Reopening the data directory must put every acknowledged event on the
// second bus at least once.
func TestCrashMidRouting(t *testing.T) {
	parallel(t)
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	// The rule is stored before the binary starts: its router loads every
	// stored rule before it serves, whereas a rule put later takes effect
	// at a moment nothing outside the process can observe.
	setup, stopSetup := startServer(t, dir, quickTakeover)
	sc := clientFor(setup, customerAcct)
	createBus(t, sc, "src")
	createBus(t, sc, "dst")
	putRule(t, sc, "src", "fwd", `{"source":["app"]}`, types.RuleStateEnabled, target("t", eventbus.BusARN("us-east-1", customerAcct, "dst")))
	holdLog(t, setup, "crash-mid-routing-tap") // the log keeps events only until routed
	stopSetup()
	addr, kill := runBinary(t, bin, dir)
	c := apitest.NewClient(addr, customerAcct, "dev-secret")
	ids := putEvents(t, c, "src", "app", 200)
	kill()

	m, _ := startServer(t, dir, quickTakeover)
	tap := tapLogAs(t, m, "crash-mid-routing-tap")
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	timeout := time.After(60 * time.Second)
	for len(want) > 0 {
		select {
		case e := <-tap.ch:
			if e.Bus == "dst" {
				delete(want, e.Event.ID)
			}
		case <-timeout:
			t.Fatalf("%d of %d events never reached the second bus after the crash", len(want), len(ids))
		}
	}
}

// quickTakeover gives a server the short ack waits runBinary gives the
// binary: the consumers' ack wait is their shared setting, so a server
// opened after a crash with the default 30 s would make the work the
// killed process held wait that long.
func quickTakeover(c *Config) {
	c.Routing.RouterAckWait = 3 * time.Second
	c.Routing.AckWait = 3 * time.Second
}

// buildBinary builds switchyard into a temporary directory with the
// Dockerfile's flags: -trimpath, which lets a build in another checkout (CI's
// fresh clone) use the build cache, and without symbol table or DWARF
// (-s -w), which makes the link cheaper.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "switchyard-test-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "switchyard")
		if out, err := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", binary.path, ".").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// binary is the server binary the tests that run it share, built once per
// test process (parallel tests would otherwise build it side by side) and
// removed by TestMain.
var binary struct {
	once sync.Once
	path string
	err  error
}

// TestMain sizes turn (see turns) from -test.parallel, testParallel if not
// given, and lifts go test's own limit, which turn replaces.
func TestMain(m *testing.M) {
	flag.Parse()
	n := testParallel
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			n, _ = strconv.Atoi(f.Value.String())
		}
	})
	n = max(n, 1)
	turn = newTurns(n, min(n, clusterParallel))
	if err := flag.Set("test.parallel", "1000"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	if binary.path != "" {
		_ = os.RemoveAll(filepath.Dir(binary.path))
	}
	os.Exit(code)
}

// runBinary starts `bin serve` on 127.0.0.1:0 over dir and returns where it
// listens and a kill function that sends SIGKILL and waits (idempotent; also
// run when the test ends). args are further serve flags.
func runBinary(t *testing.T, bin, dir string, args ...string) (addr string, kill func()) {
	t.Helper()
	wait, kill := startBinary(t, bin, dir, args...)
	return wait(), kill
}

// startBinary is runBinary without the wait: wait returns the address once
// the server serves. Servers that wait for each other (cluster nodes) are
// started together, then waited for.
func startBinary(t *testing.T, bin, dir string, args ...string) (wait func() string, kill func()) {
	t.Helper()
	// Short ack waits: work a killed process held is taken over after
	// seconds, not the default half minute.
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--log-level", "info",
		"--router-ack-wait", "3s", "--delivery-ack-wait", "3s"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	kill = func() {
		if !done {
			done = true
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
	}
	t.Cleanup(kill)
	return func() string { t.Helper(); return serveAddr(t, stderr) }, kill
}

var servingAddr = regexp.MustCompile(`switchyard serving" addr=(\S+)`)

// serveAddr reads the server's log until it says where it listens. A
// server that exits first fails the test at once, with its last lines.
func serveAddr(t *testing.T, stderr interface{ Read([]byte) (int, error) }) string {
	t.Helper()
	found := make(chan string, 1)
	exited := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var last []string
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			if strings.Contains(sc.Text(), "level=ERROR") || strings.Contains(sc.Text(), "dead-lettered") {
				fmt.Fprintln(os.Stderr, "server:", sc.Text())
			}
			last = append(last, sc.Text())
			if len(last) > 10 {
				last = last[1:]
			}
		}
		exited <- last
	}()
	select {
	case a := <-found:
		return a
	case last := <-exited:
		select {
		case a := <-found:
			return a
		default:
		}
		t.Fatalf("server exited before serving; its last lines:\n%s", strings.Join(last, "\n"))
		return ""
	case <-time.After(3 * time.Minute): // a cluster node rejoining empty on a loaded machine may take a while
		t.Fatal("server did not start")
		return ""
	}
}
