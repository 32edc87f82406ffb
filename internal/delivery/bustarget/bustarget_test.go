package bustarget

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/memstore"
)

const (
	sender   = "222222222222"
	receiver = "333333333333"
)

// failingKV fails every read.
type failingKV struct {
	eventbus.KV // nil: other methods panic if called
	err         error
}

func (kv failingKV) Get(context.Context, ...string) (eventbus.Entry, error) {
	return eventbus.Entry{}, kv.err
}

// busesOf returns bus records holding buses.
func busesOf(t *testing.T, buses ...eventbus.Bus) *eventbus.Records[eventbus.Bus] {
	t.Helper()
	st, err := eventbus.OpenStores(memstore.Open)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buses {
		if _, err := st.Buses.Create(t.Context(), b, 0); err != nil {
			t.Fatal(err)
		}
	}
	return st.Buses
}

type memLog struct {
	mu     sync.Mutex
	events []eventbus.BusEvent
	err    error
}

func (l *memLog) Append(_ context.Context, evs []eventbus.BusEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	l.events = append(l.events, evs...)
	return nil
}

func TestSend(t *testing.T) {
	allowSender := `{"Version":"2012-10-17","Statement":[{"Sid":"s","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + sender + `:root"},"Action":"events:PutEvents","Resource":"*"}]}`
	kv := busesOf(t,
		eventbus.Bus{Name: "same", Account: sender},
		eventbus.Bus{Name: "open", Account: receiver, Policy: allowSender},
		eventbus.Bus{Name: "closed", Account: receiver},
		eventbus.Bus{Name: "aws.partner/acme.com/x/y", Account: sender, EventSourceName: "aws.partner/acme.com/x/y"})
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	arn := func(region, account, bus string) string {
		return "arn:aws:events:" + region + ":" + account + ":event-bus/" + bus
	}
	tests := map[string]struct {
		target  string
		hops    uint8
		code    string // "" means delivered
		account string
		bus     string
	}{
		"same account":              {arn("us-east-1", sender, "same"), 0, "", sender, "same"},
		"cross account allowed":     {arn("us-east-1", receiver, "open"), 0, "", receiver, "open"},
		"cross account not allowed": {arn("us-east-1", receiver, "closed"), 0, delivery.CodeNoPermissions, "", ""},
		"missing bus":               {arn("us-east-1", sender, "nope"), 0, delivery.CodeNoResource, "", ""},
		"other region":              {arn("eu-west-1", sender, "same"), 0, delivery.CodeCrossRegionIngestionFailed, "", ""},
		"partner bus":               {arn("us-east-1", sender, "aws.partner/acme.com/x/y"), 0, delivery.CodeInvalidParameter, "", ""},
		"last hop allowed":          {arn("us-east-1", sender, "same"), eventbus.MaxHops - 1, "", sender, "same"},
		"hop limit":                 {arn("us-east-1", sender, "same"), eventbus.MaxHops, delivery.CodeThirdAccountHopDetected, "", ""},
	}
	for name, tc := range tests {
		log := &memLog{}
		s := New(Config{Region: "us-east-1", Buses: kv, Log: log, PolicyAllows: eventbus.PolicyAllows, Now: func() time.Time { return now }})
		j := &delivery.Job{Account: sender, Bus: "src", RuleArn: "arn:aws:events:us-east-1:" + sender + ":rule/src/r",
			Target: eventbus.Target{ID: "t", Arn: tc.target, Input: `{"ignored":true}`},
			Event:  eventbus.Event{ID: "ev-1", Envelope: []byte(`{"id":"ev-1"}`), Hops: tc.hops, IngestedAt: now.Add(-time.Hour)}}
		err := s.Send(context.Background(), delivery.Delivery{Job: j, Input: []byte("{}"), Attempt: 1})
		if tc.code != "" {
			e := delivery.Classify(err)
			if e == nil || e.Code != tc.code || e.Retryable || len(log.events) != 0 {
				t.Errorf("%s: error %v, appended %d; want permanent %s", name, err, len(log.events), tc.code)
			}
			continue
		}
		if err != nil || len(log.events) != 1 {
			t.Fatalf("%s: %v, appended %d", name, err, len(log.events))
		}
		got := log.events[0]
		if got.Account != tc.account || got.Bus != tc.bus || got.Event.ID != "ev-1" || got.Event.Hops != tc.hops+1 ||
			string(got.Event.Envelope) != `{"id":"ev-1"}` || !got.Event.IngestedAt.Equal(now) {
			t.Errorf("%s: appended %+v", name, got)
		}
	}
}

func TestSendStorageErrorsAreRetryable(t *testing.T) {
	target := "arn:aws:events:us-east-1:" + sender + ":event-bus/same"
	j := &delivery.Job{Account: sender, Target: eventbus.Target{Arn: target}, Event: eventbus.Event{ID: "e"}}
	ok := busesOf(t, eventbus.Bus{Name: "same", Account: sender})
	for name, cfg := range map[string]Config{
		"kv down":  {Region: "us-east-1", Buses: eventbus.NewRecords[eventbus.Bus](failingKV{err: errors.New("timeout")}, nil, nil, false), Log: &memLog{}},
		"log down": {Region: "us-east-1", Buses: ok, Log: &memLog{err: errors.New("full")}},
	} {
		err := New(cfg).Send(context.Background(), delivery.Delivery{Job: j, Attempt: 1})
		if e := delivery.Classify(err); e == nil || !e.Retryable || e.Code != delivery.CodeInternalError {
			t.Errorf("%s: %v, want retryable INTERNAL_ERROR", name, err)
		}
	}
	// Without a policy function every cross-account delivery is refused.
	cross := &delivery.Job{Account: receiver, Target: eventbus.Target{Arn: target}, Event: eventbus.Event{ID: "e"}}
	err := New(Config{Region: "us-east-1", Buses: ok, Log: &memLog{}}).Send(context.Background(), delivery.Delivery{Job: cross})
	if e := delivery.Classify(err); e == nil || e.Code != delivery.CodeNoPermissions {
		t.Errorf("nil PolicyAllows: %v", err)
	}
}

func TestKindAcceptsBusARNsOnly(t *testing.T) {
	k := New(Config{}).Kind()
	if !k.RawEvent || k.Name != KindName {
		t.Errorf("kind %+v", k)
	}
	ks := delivery.Kinds{k}
	for arn, want := range map[string]bool{
		"arn:aws:events:us-east-1:222222222222:event-bus/default":                  true,
		"arn:aws:events:us-east-1:222222222222:event-bus/aws.partner/acme.com/x/y": true,
		"arn:aws:events:us-east-1:222222222222:rule/r":                             false,
		"arn:aws:sqs:us-east-1:222222222222:event-bus/x":                           false,
		"arn:aws:events:us-east-1:22:event-bus/x":                                  false,
		"not an arn": false,
	} {
		if _, got := ks.For(arn); got != want {
			t.Errorf("For(%q) = %v, want %v", arn, got, want)
		}
	}
}
