package api

import (
	"context"
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the tagging operations. Tags live in the record of the
// resource they belong to, so they share its revision and its fate.

// A taggedResource is where the tags of a resource ARN live.
type taggedResource struct {
	key      []string
	rule     bool  // a rule (key: account, bus, rule); else a bus (account, bus)
	notFound error // the answer when the record is missing
}

// taggedKey resolves a resource ARN to the bucket and key of a taggable
// resource of the caller's account: a bus (event-bus/<name>) or a rule
// (rule/<name> on the default bus, rule/<bus>/<name> on another; a partner
// bus name holds '/', a rule name never does).
func (s *Service) taggedKey(c eventbus.Caller, arn string) (taggedResource, error) {
	notFound := awserr.ResourceARNNotFound(arn)
	a, ok := eventbus.ParseARN(arn)
	if !ok || a.Service != "events" || a.Region != s.cfg.Region || a.Account != c.Account {
		return taggedResource{}, notFound
	}
	if name, ok := strings.CutPrefix(a.Resource, "event-bus/"); ok && name != "" {
		return taggedResource{key: []string{a.Account, name}, notFound: notFound}, nil
	}
	if rest, ok := strings.CutPrefix(a.Resource, "rule/"); ok {
		bus, rule := eventbus.DefaultBus, rest
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			bus, rule = rest[:i], rest[i+1:]
		}
		if bus != "" && rule != "" {
			return taggedResource{key: []string{a.Account, bus, rule}, rule: true, notFound: awserr.RuleNotFound(rule, bus)}, nil
		}
	}
	return taggedResource{}, notFound
}

// retag applies change to *tags; a nil result means no change (errNoChange).
func retag(tags *[]eventbus.Tag, change func([]eventbus.Tag) ([]eventbus.Tag, error)) error {
	t, err := change(*tags)
	if err != nil {
		return err
	}
	if t == nil {
		return errNoChange
	}
	*tags = t
	return nil
}

// changeTags applies change to the tags of the resource arn names and
// returns the tags it ends with; change returns nil to leave them as they
// are. Changing the tags of a managed rule is ManagedRuleException.
func (s *Service) changeTags(ctx context.Context, arn string, change func([]eventbus.Tag) ([]eventbus.Tag, error)) ([]eventbus.Tag, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.taggedKey(c, arn)
	if err != nil {
		return nil, err
	}
	var tags []eventbus.Tag
	if res.rule {
		var r eventbus.Rule
		r, err = mutate(ctx, s.st.Rules, func(r *eventbus.Rule) error {
			old := r.Tags
			if err := retag(&r.Tags, change); err != nil {
				return err
			}
			if r.Managed() {
				r.Tags = old
				return awserr.ManagedRuleReadOnly(r.Name)
			}
			return nil
		}, res.key...)
		tags = r.Tags
	} else {
		if res.key[1] == eventbus.DefaultBus {
			if err := s.ensureDefault(ctx, c.Account); err != nil {
				return nil, err
			}
		}
		var b eventbus.Bus
		b, err = mutate(ctx, s.st.Buses, func(b *eventbus.Bus) error { return retag(&b.Tags, change) }, res.key...)
		tags = b.Tags
	}
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return nil, res.notFound
	case errors.Is(err, errNoChange):
		return tags, nil
	}
	return tags, err
}

// TagResource adds or replaces tags on a bus or rule.
func (s *Service) TagResource(ctx context.Context, in *apimodel.TagResourceRequest) (*apimodel.TagResourceResponse, error) {
	add := tagsIn(in.Tags)
	_, err := s.changeTags(ctx, *in.ResourceARN, func(tags []eventbus.Tag) ([]eventbus.Tag, error) {
		merged := eventbus.MergeTags(tags, add)
		if len(merged) > eventbus.DefaultMaxTags {
			return nil, awserr.TagLimit(eventbus.DefaultMaxTags)
		}
		return merged, nil
	})
	if err != nil {
		return nil, err
	}
	return &apimodel.TagResourceResponse{}, nil
}

// UntagResource removes tags from a bus or rule; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *apimodel.UntagResourceRequest) (*apimodel.UntagResourceResponse, error) {
	_, err := s.changeTags(ctx, *in.ResourceARN, func(tags []eventbus.Tag) ([]eventbus.Tag, error) {
		return eventbus.RemoveTags(tags, in.TagKeys), nil
	})
	if err != nil {
		return nil, err
	}
	return &apimodel.UntagResourceResponse{}, nil
}

// ListTagsForResource lists the tags of a bus or rule.
func (s *Service) ListTagsForResource(ctx context.Context, in *apimodel.ListTagsForResourceRequest) (*apimodel.ListTagsForResourceResponse, error) {
	tags, err := s.changeTags(ctx, *in.ResourceARN, func([]eventbus.Tag) ([]eventbus.Tag, error) { return nil, nil })
	if err != nil {
		return nil, err
	}
	return &apimodel.ListTagsForResourceResponse{Tags: tagsOut(tags)}, nil
}

func tagsIn(in []apimodel.Tag) []eventbus.Tag {
	var out []eventbus.Tag
	for _, t := range in {
		out = append(out, eventbus.Tag{Key: deref(t.Key), Value: deref(t.Value)})
	}
	return out
}

func tagsOut(tags []eventbus.Tag) []apimodel.Tag {
	out := make([]apimodel.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, apimodel.Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}
