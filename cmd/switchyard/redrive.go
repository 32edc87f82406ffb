package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// redriveLine is one line of `deadletters redrive`: what became of one
// dead letter.
type redriveLine struct {
	Seq     uint64 `json:"seq"`
	EventID string `json:"eventId,omitempty"`
	Target  string `json:"target,omitempty"`
	// Result is "redriven" (queued again and removed from the dead
	// letters) or "skipped" with Error saying why.
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

// redrive queues the selected dead letters again for the rule's target as
// it is now, one batch per dead letter, and removes each once its job is
// durably queued (a crash in between leaves it to be redriven again: at
// least once). A dead letter whose rule or target is gone is skipped.
func redrive(ctx context.Context, conn *jetstream.Conn, dead *jetstream.DeadLetters, f deadLetterFlags, w io.Writer) error {
	stores, err := openStores(ctx, conn)
	if err != nil {
		return err
	}
	q, err := conn.OpenQueue(ctx, jetstream.QueueConfig{})
	if err != nil {
		return err
	}
	var picked []jetstream.DeadLetter
	if f.seq != 0 {
		dl, err := dead.Get(ctx, f.seq)
		if err != nil {
			return err
		}
		picked = append(picked, dl)
	} else if err := dead.List(ctx, f.account, func(dl jetstream.DeadLetter) error {
		picked = append(picked, dl)
		return nil
	}); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	producer := delivery.Producer{Queue: q}
	failed := 0
	for _, dl := range picked {
		if !selected(dl, f) {
			continue
		}
		line := redriveLine{Seq: dl.Seq, EventID: dl.Headers[delivery.MetaEventID], Target: dl.Headers[delivery.AttrTargetArn], Result: "redriven"}
		if err := redriveOne(ctx, stores.Rules, producer, dead, dl); err != nil {
			line.Result, line.Error = "skipped", err.Error()
			failed++
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d dead letters not redriven", failed)
	}
	return nil
}

// selected reports whether the filters of f pick dl.
func selected(dl jetstream.DeadLetter, f deadLetterFlags) bool {
	return (f.account == "" || dl.Account == f.account) &&
		(f.rule == "" || dl.Headers[delivery.AttrRuleArn] == f.rule) &&
		(f.target == "" || dl.Headers[delivery.AttrTargetArn] == f.target)
}

func redriveOne(ctx context.Context, rules *eventbus.Records[eventbus.Rule], producer delivery.Producer, dead *jetstream.DeadLetters, dl jetstream.DeadLetter) error {
	route, err := delivery.RouteOf(dl)
	if err != nil {
		return err
	}
	name := route.RuleArn[strings.LastIndexByte(route.RuleArn, '/')+1:]
	rule, _, err := rules.Get(ctx, route.Account, route.Bus, name)
	if errors.Is(err, eventbus.ErrNotFound) {
		return fmt.Errorf("rule %s no longer exists", route.RuleArn)
	}
	if err != nil {
		return err
	}
	var target *eventbus.Target
	for i := range rule.Targets {
		if rule.Targets[i].ID == route.TargetID {
			target = &rule.Targets[i]
		}
	}
	if target == nil {
		return fmt.Errorf("rule %s no longer has target %s", route.RuleArn, route.TargetID)
	}
	now := time.Now()
	job, err := delivery.RedriveJob(dl, *target, now)
	if err != nil {
		return err
	}
	if err := producer.EnqueueRedrive(ctx, []delivery.Job{job}, strconv.FormatInt(now.UnixNano(), 10)); err != nil {
		return err
	}
	if err := dead.Delete(ctx, dl.Seq); err != nil && !errors.Is(err, jetstream.ErrNoSuchDeadLetter) {
		return fmt.Errorf("queued again, but not removed from the dead letters: %w", err)
	}
	return nil
}
