package eventbus

import (
	"errors"
	"fmt"
	"sync"
)

// Stores are the typed record stores of switchyard's metadata, each kept in
// its own KV bucket. This is the one place that says which bucket holds
// what, under which key, counted in which scope.
type Stores struct {
	// Sources: key (source name); counted per partner account while not
	// deleted by their partner.
	Sources *Records[Source]
	// Buses: key (account, bus name); counted per account.
	Buses *Records[Bus]
	// Rules: key (account, bus name, rule name); counted per bus.
	Rules *Records[Rule]
	// Connections: key (account, name); counted per account.
	Connections *Records[Connection]
	// APIDestinations: key (account, name); counted per account.
	APIDestinations *Records[APIDestination]
	// Archives: key (account, name); counted per account.
	Archives *Records[Archive]
	// Replays: key (account, name); counted per account while active
	// (STARTING, RUNNING or CANCELLING).
	Replays *Records[Replay]
	// Endpoints: key (account, name), the global endpoints; counted per
	// account.
	Endpoints *Records[Endpoint]
	// Schedules: key (account, bus, rule), the firing record of each
	// scheduled rule; not counted.
	Schedules *Records[ScheduleState]
}

// OpenStores returns the stores, opening each of their buckets (named
// [a-z]+) with open, all at once: open must be safe for concurrent use.
// (On a cluster, opening a bucket may wait for its replicas.)
func OpenStores(open func(bucket string) (KV, error)) (Stores, error) {
	buckets := []string{"sources", "buses", "rules", "connections", "apidestinations", "archives", "replays", "schedules", "endpoints"}
	opened := make([]KV, len(buckets))
	errs := make([]error, len(buckets))
	var wg sync.WaitGroup
	for i, b := range buckets {
		wg.Go(func() {
			if opened[i], errs[i] = open(b); errs[i] != nil {
				errs[i] = fmt.Errorf("open bucket %s: %w", b, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Stores{}, err
	}
	kv := make(map[string]KV, len(buckets))
	for i, b := range buckets {
		kv[b] = opened[i]
	}
	return Stores{
		Sources: NewRecords(kv["sources"],
			func(s *Source) []string { return []string{s.Name} },
			func(s *Source) []string {
				if s.Deleted {
					return nil
				}
				return []string{s.PartnerAccount}
			}, false),
		Buses: NewRecords(kv["buses"],
			func(b *Bus) []string { return []string{b.Account, b.Name} },
			func(b *Bus) []string { return []string{b.Account} }, true),
		Rules: NewRecords(kv["rules"],
			func(r *Rule) []string { return []string{r.Account, r.Bus, r.Name} },
			func(r *Rule) []string { return []string{r.Account, r.Bus} }, true),
		Connections: NewRecords(kv["connections"],
			func(c *Connection) []string { return []string{c.Account, c.Name} },
			func(c *Connection) []string { return []string{c.Account} }, true),
		APIDestinations: NewRecords(kv["apidestinations"],
			func(d *APIDestination) []string { return []string{d.Account, d.Name} },
			func(d *APIDestination) []string { return []string{d.Account} }, true),
		Archives: NewRecords(kv["archives"],
			func(a *Archive) []string { return []string{a.Account, a.Name} },
			func(a *Archive) []string { return []string{a.Account} }, true),
		Replays: NewRecords(kv["replays"],
			func(r *Replay) []string { return []string{r.Account, r.Name} },
			func(r *Replay) []string {
				if !r.Active() {
					return nil
				}
				return []string{r.Account}
			}, false),
		Endpoints: NewRecords(kv["endpoints"],
			func(e *Endpoint) []string { return []string{e.Account, e.Name} },
			func(e *Endpoint) []string { return []string{e.Account} }, true),
		Schedules: NewRecords(kv["schedules"],
			func(s *ScheduleState) []string { return []string{s.Account, s.Bus, s.Rule} },
			func(*ScheduleState) []string { return nil }, false),
	}, nil
}

// RuleKey returns the account, bus and name of a rule's key in
// Stores.Rules; ok is false for a key of another shape.
func RuleKey(key []string) (account, bus, name string, ok bool) {
	if len(key) != 3 {
		return "", "", "", false
	}
	return key[0], key[1], key[2], true
}
