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

// taggedKey resolves a resource ARN to the bucket and key of a taggable
// resource of the caller's account.
func (s *Service) taggedKey(c eventbus.Caller, arn string) (eventbus.KV, []string, error) {
	notFound := awserr.Newf(awserr.ResourceNotFound, "Resource %s does not exist.", arn)
	a, ok := eventbus.ParseARN(arn)
	if !ok || a.Service != "events" || a.Region != s.cfg.Region || a.Account != c.Account {
		return nil, nil, notFound
	}
	if name, ok := strings.CutPrefix(a.Resource, "event-bus/"); ok && name != "" {
		return s.st.Buses, []string{a.Account, name}, nil
	}
	return nil, nil, notFound
}

// changeTags applies change to the tags of the resource arn names and
// returns the tags it ends with; change returns nil to leave them as they are.
func (s *Service) changeTags(ctx context.Context, arn string, change func([]eventbus.Tag) ([]eventbus.Tag, error)) ([]eventbus.Tag, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	kv, key, err := s.taggedKey(c, arn)
	if err != nil {
		return nil, err
	}
	if key[1] == eventbus.DefaultBus {
		if err := s.ensureDefault(ctx, c.Account); err != nil {
			return nil, err
		}
	}
	b, err := mutate(ctx, kv, func(b *eventbus.Bus) error {
		tags, err := change(b.Tags)
		if err != nil {
			return err
		}
		if tags == nil {
			return errNoChange
		}
		b.Tags = tags
		return nil
	}, key...)
	switch {
	case errors.Is(err, eventbus.ErrNotFound):
		return nil, awserr.Newf(awserr.ResourceNotFound, "Resource %s does not exist.", arn)
	case errors.Is(err, errNoChange):
		return b.Tags, nil
	}
	return b.Tags, err
}

// TagResource adds or replaces tags on a bus.
func (s *Service) TagResource(ctx context.Context, in *apimodel.TagResourceRequest) (*apimodel.TagResourceResponse, error) {
	add := tagsIn(in.Tags)
	_, err := s.changeTags(ctx, *in.ResourceARN, func(tags []eventbus.Tag) ([]eventbus.Tag, error) {
		merged := eventbus.MergeTags(tags, add)
		if len(merged) > eventbus.DefaultMaxTags {
			return nil, awserr.Newf(awserr.LimitExceeded, "A resource can have at most %d tags.", eventbus.DefaultMaxTags)
		}
		return merged, nil
	})
	if err != nil {
		return nil, err
	}
	return &apimodel.TagResourceResponse{}, nil
}

// UntagResource removes tags from a bus; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *apimodel.UntagResourceRequest) (*apimodel.UntagResourceResponse, error) {
	_, err := s.changeTags(ctx, *in.ResourceARN, func(tags []eventbus.Tag) ([]eventbus.Tag, error) {
		return eventbus.RemoveTags(tags, in.TagKeys), nil
	})
	if err != nil {
		return nil, err
	}
	return &apimodel.UntagResourceResponse{}, nil
}

// ListTagsForResource lists a bus's tags.
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
