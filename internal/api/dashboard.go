package api

import (
	"context"
	"errors"
	"sort"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// PartnerSourceViews returns the partner event sources partnerAccount
// created that still exist for someone (its own, or DELETED ones a
// customer's bus keeps visible), by name, each with the state its customer
// sees. It is not an EventBridge operation: the console's partner
// dashboard calls it for an authenticated caller's own account, and it
// reveals of a customer only the source's state and when its partner bus
// was created. Errors are storage failures.
func (s *Service) PartnerSourceViews(ctx context.Context, partnerAccount string) ([]eventbus.PartnerSourceView, error) {
	all, err := s.st.Sources.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []eventbus.PartnerSourceView
	for _, src := range all {
		if src.PartnerAccount != partnerAccount {
			continue
		}
		v := eventbus.PartnerSourceView{Name: src.Name, Account: src.Account, CreatedAt: src.CreatedAt,
			PendingSince: src.PendingSince, DeletedAt: src.DeletedAt}
		bus, _, err := s.st.Buses.Get(ctx, src.Account, src.Name)
		switch {
		case err == nil:
			v.BusCreatedAt = bus.CreatedAt
		case !errors.Is(err, eventbus.ErrNotFound):
			return nil, err
		}
		st := src.Status(err == nil, s.now(), s.cfg.SourceExpiry)
		if st.Gone {
			continue
		}
		v.State, v.Expires = st.State, st.Expires
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
