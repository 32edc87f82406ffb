package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// BenchmarkPutRuleQuota measures creating a rule on a bus that already has
// 100 or 10,000 rules, through the service over the real JetStream KV: the
// rules-per-bus quota reads one stored count, so the cost must not grow
// with the rules already there. Each iteration creates one rule and deletes
// it again, so the bus keeps its size.
func BenchmarkPutRuleQuota(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ctx := context.Background()
			m := startBenchMain(b, "--max-rules-per-bus", "20000")
			cctx := eventbus.WithCaller(ctx, eventbus.Caller{Account: customerAcct})
			put := func(name string) {
				if _, err := m.service.PutRule(cctx, &apimodel.PutRuleRequest{Name: aws.String(name), EventPattern: aws.String(`{"source":["com.acme.orders"],"detail-type":["OrderPlaced"]}`)}); err != nil {
					b.Fatal(err)
				}
			}
			for i := range n {
				put(fmt.Sprintf("seed-%05d", i))
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				name := fmt.Sprintf("bench-%d", i)
				put(name)
				if err := m.service.DeleteRule(cctx, &apimodel.DeleteRuleRequest{Name: aws.String(name)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
