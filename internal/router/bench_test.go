package router

import (
	"fmt"
	"testing"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// BenchmarkRoute measures the router's per-event cost on one bus holding
// n rules, each with one target and its own pattern on source and
// detail-type (the shape most rules have). "match1" events match one rule,
// "match0" none. "+encode" adds what the queue adapter does per job
// (MarshalBinary and MsgID) before publishing.
//
//	go test -run '^$' -bench BenchmarkRoute -benchmem ./internal/router
func BenchmarkRoute(b *testing.B) {
	for _, n := range []int{100, 10000} {
		tb := NewTable("us-east-1", nil)
		for i := range n {
			r := rule("orders", fmt.Sprint("rule-", i),
				fmt.Sprintf(`{"source":["shop-%d"],"detail-type":["d"],"detail":{"n":[{"numeric":[">",0]}]}}`, i),
				"arn:aws:events:us-east-1:"+acct+":event-bus/out")
			tb.Apply(rulePut(b, r, uint64(i+1)))
		}
		tb.Publish()
		hit := event("orders", fmt.Sprint("shop-", n/2))
		miss := event("orders", "nobody")
		for _, tc := range []struct {
			name   string
			ev     eventbus.BusEvent
			want   int
			encode bool
		}{
			{"match1", hit, 1, false},
			{"match0", miss, 0, false},
			{"match1+encode", hit, 1, true},
		} {
			b.Run(fmt.Sprintf("rules=%d/%s", n, tc.name), func(b *testing.B) {
				sc := &Scratch{}
				var jobs []delivery.Job
				b.ReportAllocs()
				for b.Loop() {
					var err error
					jobs, err = tb.Route(tc.ev, t0, sc, jobs[:0])
					if err != nil || len(jobs) != tc.want {
						b.Fatalf("routed %d jobs, %v", len(jobs), err)
					}
					if tc.encode {
						for i := range jobs {
							if _, err := jobs[i].MarshalBinary(); err != nil {
								b.Fatal(err)
							}
							_ = jobs[i].MsgID()
						}
					}
				}
			})
		}
	}
}
