package router

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

const acct = "222222222222"

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// rulePut returns the change that stores r at rev.
func rulePut(t testing.TB, r eventbus.Rule, rev uint64) Change {
	t.Helper()
	return Change{Op: eventbus.OpPut, Key: []string{r.Account, r.Bus, r.Name}, Value: r, Revision: rev}
}

func ruleDel(account, bus, name string, rev uint64) Change {
	return Change{Op: eventbus.OpDelete, Key: []string{account, bus, name}, Revision: rev}
}

func rule(bus, name, pattern string, targets ...string) eventbus.Rule {
	r := eventbus.Rule{Name: name, Account: acct, Bus: bus, EventPattern: pattern, State: eventbus.RuleEnabled}
	for i, arn := range targets {
		r.Targets = append(r.Targets, eventbus.Target{ID: fmt.Sprint("t", i), Arn: arn, RetryPolicy: eventbus.DefaultRetryPolicy()})
	}
	return r
}

func event(bus, source string) eventbus.BusEvent {
	env := `{"version":"0","id":"e-` + source + `","detail-type":"d","source":"` + source +
		`","account":"` + acct + `","time":"2026-11-22T12:00:00Z","region":"us-east-1","resources":[],"detail":{"n":1}}`
	return eventbus.BusEvent{Account: acct, Bus: bus, Event: eventbus.Event{ID: "e-" + source, Envelope: []byte(env), IngestedAt: t0}}
}

// routed returns "ruleArn>targetArn" for every job of ev, sorted.
func routed(t *testing.T, tb *Table, ev eventbus.BusEvent) []string {
	t.Helper()
	jobs, err := tb.Route(ev, t0, &Scratch{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range jobs {
		if j.Event.ID != ev.Event.ID || j.Account != acct || !j.EnqueuedAt.Equal(t0) {
			t.Errorf("job %+v does not carry its event", j)
		}
		out = append(out, j.RuleArn[len("arn:aws:events:us-east-1:"+acct+":rule/"):]+">"+j.Target.Arn)
	}
	slices.Sort(out)
	return out
}

func TestTableFanOut(t *testing.T) {
	t.Parallel()
	tb := NewTable("us-east-1", nil)
	tb.Apply(rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A1", "A2", "A3"), 1))
	tb.Apply(rulePut(t, rule("orders", "b", `{"detail":{"n":[1]}}`, "B1"), 2))
	tb.Apply(rulePut(t, rule("orders", "c", `{"source":["other"]}`, "C1"), 3))
	tb.Apply(rulePut(t, rule("default", "d", `{"source":["shop"]}`, "D1"), 4))
	off := rule("orders", "off", `{"source":["shop"]}`, "OFF")
	off.State = eventbus.RuleDisabled
	tb.Apply(rulePut(t, off, 5))
	tb.Apply(rulePut(t, rule("orders", "sched", "", "S1"), 6)) // no pattern: scheduled
	tb.Apply(Change{Op: eventbus.OpSynced})

	if got := routed(t, tb, event("orders", "shop")); len(got) != 0 {
		t.Fatalf("routed before Publish: %v", got)
	}
	tb.Publish()
	want := []string{"orders/a>A1", "orders/a>A2", "orders/a>A3", "orders/b>B1"}
	if got := routed(t, tb, event("orders", "shop")); !slices.Equal(got, want) {
		t.Fatalf("orders/shop routed %v, want %v", got, want)
	}
	if got := routed(t, tb, event("default", "shop")); !slices.Equal(got, []string{"d>D1"}) {
		t.Fatalf("default/shop routed %v", got)
	}
	if got := routed(t, tb, event("nobus", "shop")); len(got) != 0 {
		t.Fatalf("unknown bus routed %v", got)
	}
	other := event("orders", "shop")
	other.Account = "333333333333"
	if got := routed(t, tb, other); len(got) != 0 {
		t.Fatalf("another account's bus of the same name routed %v", got)
	}
	if n := tb.Rules(acct, "orders"); n != 3 {
		t.Errorf("orders has %d routing rules, want 3", n)
	}
}

func TestTableChanges(t *testing.T) {
	t.Parallel()
	tb := NewTable("us-east-1", nil)
	step := func(c Change) { tb.Apply(c); tb.Publish() }
	ev := event("orders", "shop")
	step(rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A1"), 1))
	if got := routed(t, tb, ev); !slices.Equal(got, []string{"orders/a>A1"}) {
		t.Fatalf("after create: %v", got)
	}
	step(rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A1", "A2"), 2)) // PutTargets
	if got := routed(t, tb, ev); !slices.Equal(got, []string{"orders/a>A1", "orders/a>A2"}) {
		t.Fatalf("after adding a target: %v", got)
	}
	step(rulePut(t, rule("orders", "a", `{"source":["else"]}`, "A1"), 3)) // pattern change
	if got := routed(t, tb, ev); len(got) != 0 {
		t.Fatalf("after pattern change: %v", got)
	}
	disabled := rule("orders", "a", `{"source":["shop"]}`, "A1")
	disabled.State = eventbus.RuleDisabled
	step(rulePut(t, disabled, 4))
	if got := routed(t, tb, ev); len(got) != 0 {
		t.Fatalf("after disabling: %v", got)
	}
	step(rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A9"), 5)) // enable
	if got := routed(t, tb, ev); !slices.Equal(got, []string{"orders/a>A9"}) {
		t.Fatalf("after enabling: %v", got)
	}
	step(ruleDel(acct, "orders", "a", 6))
	if got := routed(t, tb, ev); len(got) != 0 || tb.Rules(acct, "orders") != 0 {
		t.Fatalf("after delete: %v", got)
	}
	step(Change{Op: eventbus.OpPut, Key: []string{acct, "orders", "bad"}, Err: errors.New("does not decode"), Revision: 7})
	step(rulePut(t, rule("orders", "badpattern", `{"source":"notalist"}`, "X"), 8))
	step(Change{Op: eventbus.OpPut, Key: []string{acct, "orders"}, Revision: 9})
	if got := routed(t, tb, ev); len(got) != 0 {
		t.Fatalf("unusable rules routed: %v", got)
	}
}

func TestTableResyncDropsVanishedRules(t *testing.T) {
	t.Parallel()
	tb := NewTable("us-east-1", nil)
	tb.Apply(rulePut(t, rule("orders", "keep", `{"source":["shop"]}`, "K"), 1))
	tb.Apply(rulePut(t, rule("orders", "gone", `{"source":["shop"]}`, "G"), 2))
	tb.Apply(Change{Op: eventbus.OpSynced})
	tb.Publish()
	tb.BeginResync()
	tb.Apply(rulePut(t, rule("orders", "keep", `{"source":["shop"]}`, "K"), 1)) // unchanged
	tb.Apply(rulePut(t, rule("orders", "new", `{"source":["shop"]}`, "N"), 3))
	if got := routed(t, tb, event("orders", "shop")); len(got) != 2 {
		t.Fatalf("mid-resync routed %v, want the old two", got)
	}
	tb.Apply(Change{Op: eventbus.OpSynced})
	tb.Publish()
	if got := routed(t, tb, event("orders", "shop")); !slices.Equal(got, []string{"orders/keep>K", "orders/new>N"}) {
		t.Fatalf("after resync: %v", got)
	}
}

func TestTableRouteRejectsBadEnvelope(t *testing.T) {
	t.Parallel()
	tb := NewTable("us-east-1", nil)
	tb.Apply(rulePut(t, rule("orders", "a", `{"source":["shop"]}`, "A"), 1))
	tb.Publish()
	ev := event("orders", "shop")
	ev.Event.Envelope = []byte(`[1,2]`)
	dst := []delivery.Job{{RuleArn: "kept"}}
	got, err := tb.Route(ev, t0, &Scratch{}, dst)
	if err == nil || len(got) != 1 {
		t.Fatalf("Route(non-object) = %d jobs, %v", len(got), err)
	}
}

// TestTableConcurrentRouteAndChange routes continuously while a rule is
// replaced over and over: every event sees exactly one version of the rule
// (never none, never both), and a change is visible as soon as Publish
// returns.
func TestTableConcurrentRouteAndChange(t *testing.T) {
	t.Parallel()
	tb := NewTable("us-east-1", nil)
	for i := range 50 { // other rules on the bus
		tb.Apply(rulePut(t, rule("orders", fmt.Sprint("other", i), fmt.Sprintf(`{"source":["s%d"]}`, i), "O"), uint64(100+i)))
	}
	tb.Apply(rulePut(t, rule("orders", "r", `{"source":["shop"]}`, "V0"), 1))
	tb.Publish()
	ev := event("orders", "shop")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &Scratch{}
			var jobs []delivery.Job
			for {
				select {
				case <-stop:
					return
				default:
				}
				runtime.Gosched() // readers in a tight loop starve Gosched-waiting writers
				var err error
				jobs, err = tb.Route(ev, t0, sc, jobs[:0])
				if err != nil || len(jobs) != 1 {
					select {
					case errs <- fmt.Sprintf("routed %d jobs (%v)", len(jobs), err):
					default:
					}
					return
				}
			}
		}()
	}
	for v := 1; v <= 300; v++ {
		arn := fmt.Sprint("V", v)
		tb.Apply(rulePut(t, rule("orders", "r", `{"source":["shop"]}`, arn), uint64(1000+v)))
		tb.Publish()
		if got := routed(t, tb, ev); !slices.Equal(got, []string{"orders/r>" + arn}) {
			t.Fatalf("version %d not visible after Publish: %v", v, got)
		}
	}
	close(stop)
	wg.Wait()
	select {
	case e := <-errs:
		t.Fatal(e)
	default:
	}
}
