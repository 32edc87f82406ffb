package api

import (
	"context"
	"errors"
	"strings"

	"github.com/switchyard/switchyard/internal/apimodel"
	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file implements the replay operations. StartReplay stores the
// replay (STARTING) and hands it to the Replayer; the process that runs it
// moves it through RUNNING to COMPLETED, or to CANCELLED once CancelReplay
// has marked it CANCELLING, or to FAILED, writing its progress into the
// same record.

// StartReplay starts replaying an archive's events to its bus, checked in
// AWS's order: the name, the time range, the archive, the destination.
func (s *Service) StartReplay(ctx context.Context, in *apimodel.StartReplayRequest) (*apimodel.StartReplayResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name := *in.ReplayName
	if _, _, err := s.st.Replays.Get(ctx, c.Account, name); err == nil {
		return nil, awserr.ReplayExists(name)
	} else if !errors.Is(err, eventbus.ErrNotFound) {
		return nil, err
	}
	start, end := in.EventStartTime.UTC(), in.EventEndTime.UTC()
	if !end.After(start) {
		return nil, awserr.ReplayTimesInvalid()
	}
	account, archiveName, ok := eventbus.ArchiveRef(*in.EventSourceArn)
	if !ok || account != c.Account {
		return nil, awserr.ReplayArchiveNotFound(archiveNameOf(*in.EventSourceArn))
	}
	a, _, err := s.st.Archives.Get(ctx, c.Account, archiveName)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.ReplayArchiveNotFound(archiveName)
	}
	if err != nil {
		return nil, err
	}
	if *in.Destination.Arn != eventbus.BusARN(s.cfg.Region, a.Account, a.Bus) {
		return nil, awserr.ReplayCrossBus()
	}
	r := eventbus.Replay{
		Name: name, Account: c.Account, Description: deref(in.Description), Archive: a.Name, Bus: a.Bus,
		FilterArns: in.Destination.FilterArns, EventStart: start, EventEnd: end,
		State: eventbus.ReplayStarting, StartedAt: s.now(),
	}
	if _, err := s.st.Replays.Create(ctx, r, s.cfg.MaxActiveReplays); err != nil {
		switch {
		case errors.Is(err, eventbus.ErrExists):
			return nil, awserr.ReplayExists(name)
		case errors.Is(err, eventbus.ErrLimit):
			return nil, awserr.LimitReached()
		}
		return nil, err
	}
	if err := s.st.Replayer.Start(ctx, c.Account, name); err != nil {
		_, _ = mutate(ctx, s.st.Replays, func(r *eventbus.Replay) error {
			r.State, r.StateReason, r.EndedAt = eventbus.ReplayFailed, "The replay could not be started.", s.now()
			return nil
		}, c.Account, name)
		return nil, awserr.InternalError(err)
	}
	return &apimodel.StartReplayResponse{ReplayArn: ptr(r.ARN(s.cfg.Region)), State: ptr(r.State), ReplayStartTime: timePtr(r.StartedAt)}, nil
}

// archiveNameOf is the last part of an ARN-like string, for messages about
// an archive that does not exist.
func archiveNameOf(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// DescribeReplay describes a replay and its progress.
func (s *Service) DescribeReplay(ctx context.Context, in *apimodel.DescribeReplayRequest) (*apimodel.DescribeReplayResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name := *in.ReplayName
	r, err := find(ctx, s.st.Replays, func() *awserr.Error { return awserr.ReplayNotFound(name) }, c.Account, name)
	if err != nil {
		return nil, err
	}
	return &apimodel.DescribeReplayResponse{
		ReplayName: ptr(r.Name), ReplayArn: ptr(r.ARN(s.cfg.Region)), Description: optional(r.Description),
		State: ptr(r.State), StateReason: optional(r.StateReason),
		EventSourceArn: ptr(eventbus.ArchiveARN(s.cfg.Region, r.Account, r.Archive)),
		Destination: &apimodel.ReplayDestination{
			Arn: ptr(eventbus.BusARN(s.cfg.Region, r.Account, r.Bus)), FilterArns: r.FilterArns,
		},
		EventStartTime: timePtr(r.EventStart), EventEndTime: timePtr(r.EventEnd),
		EventLastReplayedTime: timePtr(r.LastReplayed), ReplayStartTime: timePtr(r.StartedAt),
		ReplayEndTime: timePtr(r.EndedAt),
	}, nil
}

// ListReplays lists the caller's replays, filtered by name prefix, state
// and source archive.
func (s *Service) ListReplays(ctx context.Context, in *apimodel.ListReplaysRequest) (*apimodel.ListReplaysResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Replays.List(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	prefix, state, source := deref(in.NamePrefix), deref(in.State), deref(in.EventSourceArn)
	keep := func(r eventbus.Replay) bool {
		return strings.HasPrefix(r.Name, prefix) && (state == "" || r.State == state) &&
			(source == "" || source == eventbus.ArchiveARN(s.cfg.Region, r.Account, r.Archive))
	}
	replays, next, err := pageOf(all, func(r eventbus.Replay) string { return r.Name }, keep,
		"replays:"+prefix+"\x00"+state+"\x00"+source, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &apimodel.ListReplaysResponse{Replays: []apimodel.Replay{}, NextToken: next}
	for _, r := range replays {
		out.Replays = append(out.Replays, apimodel.Replay{
			ReplayName: ptr(r.Name), EventSourceArn: ptr(eventbus.ArchiveARN(s.cfg.Region, r.Account, r.Archive)),
			State: ptr(r.State), StateReason: optional(r.StateReason),
			EventStartTime: timePtr(r.EventStart), EventEndTime: timePtr(r.EventEnd),
			EventLastReplayedTime: timePtr(r.LastReplayed), ReplayStartTime: timePtr(r.StartedAt),
			ReplayEndTime: timePtr(r.EndedAt),
		})
	}
	return out, nil
}

// CancelReplay asks a STARTING or RUNNING replay to stop: it is CANCELLING
// until the process running it has stopped, then CANCELLED.
func (s *Service) CancelReplay(ctx context.Context, in *apimodel.CancelReplayRequest) (*apimodel.CancelReplayResponse, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	name := *in.ReplayName
	r, err := mutate(ctx, s.st.Replays, func(r *eventbus.Replay) error {
		if r.State != eventbus.ReplayStarting && r.State != eventbus.ReplayRunning {
			return awserr.ReplayNotCancellable(name)
		}
		r.State = eventbus.ReplayCancelling
		return nil
	}, c.Account, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return nil, awserr.ReplayNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &apimodel.CancelReplayResponse{ReplayArn: ptr(r.ARN(s.cfg.Region)), State: ptr(r.State)}, nil
}
