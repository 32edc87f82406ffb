package apimodel

import (
	"context"
	"strings"
	"testing"
)

// putEventsBody is a typical full PutEvents request: ten entries with a
// small detail and one resource each.
var putEventsBody = func() []byte {
	entry := `{"Source":"com.example.orders","DetailType":"Order Placed","Detail":"{\"id\":\"o-1\",\"total\":42.5}","Resources":["arn:aws:s3:::bucket"],"EventBusName":"orders","Time":1700000000.123}`
	return []byte(`{"Entries":[` + strings.Repeat(entry+",", 9) + entry + `]}`)
}()

type putEventsSink struct{ Unimplemented }

func (putEventsSink) PutEvents(context.Context, *PutEventsRequest) (*PutEventsResponse, error) {
	return nil, nil
}

// BenchmarkDispatchPutEvents measures decode + validate + call of the
// hottest operation.
func BenchmarkDispatchPutEvents(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(putEventsBody)))
	for b.Loop() {
		if _, err := Dispatch(ctx, putEventsSink{}, "PutEvents", putEventsBody); err != nil {
			b.Fatal(err)
		}
	}
}
