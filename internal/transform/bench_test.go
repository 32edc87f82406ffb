package transform

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// benchEnvelope is an order event of about 900 bytes, built as ingest
// builds envelopes.
func benchEnvelope(b *testing.B) []byte {
	b.Helper()
	detail := `{"orderId":"o-1234567890","status":"CONFIRMED","customer":{"id":"c-42","name":"Ada Lovelace","email":"ada@example.com","tier":"gold"},` +
		`"items":[{"sku":"SKU-1","qty":2,"price":12.5},{"sku":"SKU-2","qty":1,"price":99.99},{"sku":"SKU-3","qty":5,"price":1.25}],` +
		`"total":131.24,"currency":"EUR","shipping":{"method":"express","address":{"street":"1 Analytical Way","city":"London","zip":"N1 9GU","country":"GB"}},` +
		`"notes":"leave at the door, ring twice \"please\"","flags":{"gift":false,"fragile":true},"createdAt":"2026-11-22T13:55:58Z"}`
	event, err := eventbus.NewEnvelope(eventbus.EnvelopeHeader{
		ID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718", Account: "111111111111", Region: "eu-west-1",
		Time: time.Date(2026, 11, 22, 13, 56, 0, 0, time.UTC),
	}, eventbus.PutEntry{Source: "com.example.orders", DetailType: "Order Confirmed", Detail: detail,
		Resources: []string{"arn:aws:dynamodb:eu-west-1:111111111111:table/orders"}})
	if err != nil {
		b.Fatal(err)
	}
	return event
}

func benchApply(b *testing.B, target eventbus.Target) {
	event := benchEnvelope(b)
	tr, err := Compile(target)
	if err != nil {
		b.Fatal(err)
	}
	m := NewMeta("arn:aws:events:eu-west-1:111111111111:rule/orders/notify", time.Date(2026, 11, 22, 13, 56, 0, 312_000_000, time.UTC))
	out, err := tr.Apply(event, m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(event)))
	b.ReportMetric(float64(len(out)), "out-bytes")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Apply(event, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyTemplate is a typical transformer: five paths, some in
// strings and some not, and a predefined placeholder.
func BenchmarkApplyTemplate(b *testing.B) {
	benchApply(b, eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{
			"order": "$.detail.orderId", "status": "$.detail.status", "customer": "$.detail.customer.name",
			"total": "$.detail.total", "city": "$.detail.shipping.address.city",
		},
		Template: `{"order": <order>, "message": "Order <order> for <customer> is <status>", "total": <total>, "city": <city>, "rule": <aws.events.rule-name>}`,
	}})
}

// BenchmarkApplyTemplateObjects substitutes objects, a wildcard and the
// whole event.
func BenchmarkApplyTemplateObjects(b *testing.B) {
	benchApply(b, eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{"customer": "$.detail.customer", "skus": "$.detail.items.*.sku"},
		Template: `{"customer": <customer>, "skus": <skus>, "event": <aws.events.event.json>, "summary": <aws.events.event>}`,
	}})
}

func BenchmarkApplyInputPath(b *testing.B) {
	benchApply(b, eventbus.Target{ID: "t1", InputPath: "$.detail.shipping.address"})
}

// BenchmarkBaselineJSONValid validates the same event with encoding/json:
// a yardstick for the others on a machine whose speed varies.
func BenchmarkBaselineJSONValid(b *testing.B) {
	event := benchEnvelope(b)
	b.SetBytes(int64(len(event)))
	b.ReportAllocs()
	for b.Loop() {
		if !json.Valid(event) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	target := eventbus.Target{ID: "t1", InputTransformer: &eventbus.InputTransformer{
		PathsMap: map[string]string{
			"order": "$.detail.orderId", "status": "$.detail.status", "customer": "$.detail.customer.name",
			"total": "$.detail.total", "city": "$.detail.shipping.address.city",
		},
		Template: `{"order": <order>, "message": "Order <order> for <customer> is <status>", "total": <total>, "city": <city>, "rule": <aws.events.rule-name>}`,
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(target); err != nil {
			b.Fatal(err)
		}
	}
}
