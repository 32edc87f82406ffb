package eventbus

import "fmt"

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
// [a-z]+) with open.
func OpenStores(open func(bucket string) (KV, error)) (Stores, error) {
	buckets := []string{"sources", "buses", "rules", "connections", "apidestinations", "archives", "replays", "schedules", "endpoints"}
	kv := make(map[string]KV, len(buckets))
	for _, b := range buckets {
		k, err := open(b)
		if err != nil {
			return Stores{}, fmt.Errorf("open bucket %s: %w", b, err)
		}
		kv[b] = k
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
