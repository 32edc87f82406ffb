package eventbus

import (
	"strconv"
	"testing"
	"time"
)

func TestSourceStatus(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	exp := DefaultSourceExpiry
	pending := Source{Name: "aws.partner/acme/ns/e", PendingSince: t0}
	cases := []struct {
		name      string
		src       Source
		busExists bool
		now       time.Time
		want      SourceStatus
	}{
		{"new source is pending with expiry", pending, false, t0, SourceStatus{State: StatePending, Expires: t0.Add(exp)}},
		{"bus created: active", pending, true, t0, SourceStatus{State: StateActive}},
		{"active never expires", pending, true, t0.Add(10 * exp), SourceStatus{State: StateActive}},
		{"deactivated with bus: pending", Source{PendingSince: t0, Deactivated: true}, true, t0, SourceStatus{State: StatePending, Expires: t0.Add(exp)}},
		{"pending expires at the deadline", pending, false, t0.Add(exp), SourceStatus{State: StateDeleted, Gone: true}},
		{"expired while deactivated keeps bus: deleted", Source{PendingSince: t0, Deactivated: true}, true, t0.Add(exp), SourceStatus{State: StateDeleted}},
		{"partner deleted, bus kept: deleted", Source{Deleted: true}, true, t0, SourceStatus{State: StateDeleted}},
		{"partner deleted, no bus: gone", Source{Deleted: true}, false, t0, SourceStatus{State: StateDeleted, Gone: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.src.Status(c.busExists, c.now, exp)
			if got != c.want {
				t.Errorf("Status = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestBusRef(t *testing.T) {
	cases := []struct {
		in, wantAcct, wantName string
		ok                     bool
	}{
		{"orders", "111111111111", "orders", true},
		{"aws.partner/acme/ns/e", "111111111111", "aws.partner/acme/ns/e", true},
		{"arn:aws:events:us-east-1:222222222222:event-bus/orders", "222222222222", "orders", true},
		{"arn:aws:events:us-east-1:222222222222:event-bus/aws.partner/acme/ns/e", "222222222222", "aws.partner/acme/ns/e", true},
		{"arn:aws:events:eu-west-1:222222222222:event-bus/orders", "", "", false},
		{"arn:aws:events:us-east-1:22222:event-bus/orders", "", "", false},
		{"arn:aws:events:us-east-1:222222222222:rule/orders", "", "", false},
		{"arn:aws:events:us-east-1:222222222222:event-bus/", "", "", false},
		{"arn:aws:sqs:us-east-1:222222222222:event-bus/x", "", "", false},
		{"arn:", "", "", false},
	}
	for _, c := range cases {
		acct, name, ok := BusRef(c.in, "111111111111", "us-east-1")
		if acct != c.wantAcct || name != c.wantName || ok != c.ok {
			t.Errorf("BusRef(%q) = %q, %q, %v; want %q, %q, %v", c.in, acct, name, ok, c.wantAcct, c.wantName, c.ok)
		}
	}
}

func TestARNs(t *testing.T) {
	cases := []struct{ got, want string }{
		{BusARN("us-east-1", "111111111111", "default"), "arn:aws:events:us-east-1:111111111111:event-bus/default"},
		{SourceARN("us-east-1", "aws.partner/acme/ns/e"), "arn:aws:events:us-east-1::event-source/aws.partner/acme/ns/e"},
		{RuleARN("us-east-1", "111111111111", "default", "r"), "arn:aws:events:us-east-1:111111111111:rule/r"},
		{RuleARN("us-east-1", "111111111111", "orders", "r"), "arn:aws:events:us-east-1:111111111111:rule/orders/r"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestCheckNewBusName(t *testing.T) {
	cases := []struct{ name, source, want string }{
		{"orders", "", ""},
		{"aws.partner/acme/ns/e", "aws.partner/acme/ns/e", ""},
		{"aws.orders", "", "EventBus name starting with 'aws.' is not valid."},
		{"aws.partner/acme/ns/e", "", "EventBus name starting with 'aws.' is not valid."},
		{"a/b", "", "Event bus name must not contain '/'."},
		{"other", "aws.partner/acme/ns/e", "Event bus name must match event source name."},
	}
	for _, c := range cases {
		if got := CheckNewBusName(c.name, c.source); got != c.want {
			t.Errorf("CheckNewBusName(%q, %q) = %q, want %q", c.name, c.source, got, c.want)
		}
	}
}

func TestPartnerName(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"aws.partner/acme/ns/e", "acme", true},
		{"aws.partner/acme.com/x", "acme.com", true},
		{"aws.partner//x", "", false},
		{"aws.partner/acme", "", false},
		{"partner/acme/x", "", false},
	}
	for _, c := range cases {
		got, ok := PartnerName(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("PartnerName(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestPaginateWalksEveryKeyOnce(t *testing.T) {
	var keys []string
	for i := range 23 {
		keys = append(keys, "k"+strconv.Itoa(100+i))
	}
	for _, limit := range []int{1, 5, 23, 50} {
		var seen []string
		token := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatalf("limit %d: no end to paging", limit)
			}
			p, ok := Paginate(keys, "buses", token, limit)
			if !ok {
				t.Fatalf("limit %d: our own token %q refused", limit, token)
			}
			seen = append(seen, keys[p.Start:p.End]...)
			if p.NextToken == "" {
				break
			}
			token = p.NextToken
		}
		if len(seen) != len(keys) {
			t.Errorf("limit %d: saw %d keys, want %d", limit, len(seen), len(keys))
		}
	}
}

func TestPaginateRefusesForeignTokens(t *testing.T) {
	keys := []string{"a", "b", "c"}
	p, _ := Paginate(keys, "buses", "", 1)
	for _, tok := range []string{"!!!", "YWJj", "YnVzZXM"} {
		if _, ok := Paginate(keys, "buses", tok, 1); ok {
			t.Errorf("token %q accepted", tok)
		}
	}
	if _, ok := Paginate(keys, "rules", p.NextToken, 1); ok {
		t.Error("a bus listing token was accepted by the rule listing")
	}
}

// TestPaginateListingWithFilters pages a listing whose name holds its
// filters separated by NULs (ListArchives, ListEndpoints): the token of one
// page is accepted by the next call of the same listing only.
func TestPaginateListingWithFilters(t *testing.T) {
	keys := []string{"a", "b", "c"}
	listing := "archives:pre\x00bus\x00ENABLED"
	p, _ := Paginate(keys, listing, "", 2)
	next, ok := Paginate(keys, listing, p.NextToken, 2)
	if !ok || next.Start != 2 || next.End != 3 || next.NextToken != "" {
		t.Fatalf("second page %+v, ok %v", next, ok)
	}
	if _, ok := Paginate(keys, "archives:pre\x00bus\x00DISABLED", p.NextToken, 2); ok {
		t.Error("a token was accepted by a listing with other filters")
	}
}

func TestTags(t *testing.T) {
	tags := MergeTags([]Tag{{"a", "1"}, {"b", "2"}}, []Tag{{"b", "3"}, {"c", "4"}})
	want := []Tag{{"a", "1"}, {"b", "3"}, {"c", "4"}}
	if len(tags) != len(want) {
		t.Fatalf("MergeTags = %v, want %v", tags, want)
	}
	for i := range want {
		if tags[i] != want[i] {
			t.Fatalf("MergeTags = %v, want %v", tags, want)
		}
	}
	if got := RemoveTags(tags, []string{"a", "zz"}); len(got) != 2 || got[0].Key != "b" {
		t.Errorf("RemoveTags = %v", got)
	}
}

func TestEventEncodingRoundTrip(t *testing.T) {
	in := Event{ID: "4a1c3f1e-1111-4222-8333-444455556666", Envelope: []byte(`{"version":"0"}`), IngestedAt: time.Date(2026, 11, 22, 13, 56, 0, 123, time.UTC), Hops: 2}
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out Event
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out.ID != in.ID || string(out.Envelope) != string(in.Envelope) || !out.IngestedAt.Equal(in.IngestedAt) || out.Hops != in.Hops {
		t.Fatalf("round trip: %+v, want %+v", out, in)
	}
	for _, bad := range [][]byte{nil, {1}, {2, 0, 0, 0}, {1, 0, 0, 200}} {
		if err := out.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%v) accepted", bad)
		}
	}
}

func FuzzEventUnmarshal(f *testing.F) {
	good, _ := Event{ID: "x", Envelope: []byte("{}"), Hops: 1}.MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		if e.UnmarshalBinary(b) == nil {
			again, _ := e.MarshalBinary()
			var e2 Event
			if err := e2.UnmarshalBinary(again); err != nil || e2.ID != e.ID || string(e2.Envelope) != string(e.Envelope) {
				t.Fatalf("re-encoding %v failed", b)
			}
		}
	})
}
