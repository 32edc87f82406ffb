package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/awsjson"
	"github.com/switchyard/switchyard/internal/console"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
	"github.com/switchyard/switchyard/internal/jetstream"
)

// This file wires the web console (internal/console): its partner
// counters into ingest and delivery, and its handler, under /console/, in
// front of the API.

// partnerObserver returns the console's counters as the API's
// PartnerObserver: a nil interface with --console=false.
func (m *Main) partnerObserver() eventbus.PartnerObserver {
	if m.counters == nil {
		return nil
	}
	return m.counters
}

// deliveredHook returns the delivery hook that counts deliveries from
// partner buses (nil with --console=false).
func (m *Main) deliveredHook() func(account, bus string) {
	if m.counters == nil {
		return nil
	}
	return m.counters.Delivered
}

// startConsole builds the console's handler once the API, the event log
// and the dead letters it reads are open.
func (m *Main) startConsole(auth awsjson.Authenticator) {
	if !m.Config.Console {
		return
	}
	conn := m.conn
	m.console = console.NewHandler(console.Config{
		Auth: auth, Sources: m.service, Counters: m.counters, Region: m.Config.Region,
		Log: m.Log.With("component", "console"), DeadLetters: consoleDeadLetters{m: m},
		Tail: func(ctx context.Context, since time.Duration, ready func(), fn func(eventbus.BusEvent) error, dropped func(int)) error {
			return conn.Tail(ctx, jetstream.TailConfig{Since: since, Ready: ready}, fn, dropped)
		},
	})
}

// withConsole sends the paths under /console/ to the console, and the rest
// to next.
func (m *Main) withConsole(next http.Handler) http.Handler {
	if m.console == nil {
		return next
	}
	c := m.console
	root := strings.TrimSuffix(console.Path, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == root || strings.HasPrefix(r.URL.Path, console.Path) {
			c.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// consoleDeadLetters gives the console one account's dead letters, as
// `switchyard deadletters` lists and redrives them.
type consoleDeadLetters struct{ m *Main }

var _ console.DeadLetters = consoleDeadLetters{}

func (d consoleDeadLetters) List(ctx context.Context, account string, limit int) ([]console.DeadLetter, error) {
	var out []console.DeadLetter
	err := d.m.dead.List(ctx, account, func(dl jetstream.DeadLetter) error {
		line := toLine(dl)
		out = append(out, console.DeadLetter{Seq: line.Seq, Stored: line.Stored, Attributes: line.Attributes, Switchyard: line.Switchyard, Event: line.Event})
		if len(out) >= limit {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}

// Redrive queues the dead letter at seq again if it is account's; another
// account's, or none, is ResourceNotFoundException.
func (d consoleDeadLetters) Redrive(ctx context.Context, account string, seq uint64) error {
	dl, err := d.m.dead.Get(ctx, seq)
	if errors.Is(err, jetstream.ErrNoSuchDeadLetter) || err == nil && dl.Account != account {
		return awserr.New(awserr.ResourceNotFound, "Dead letter "+strconv.FormatUint(seq, 10)+" does not exist.")
	}
	if err != nil {
		return awserr.InternalError(err)
	}
	if err := redriveOne(ctx, d.m.stores.Rules, delivery.Producer{Queue: d.m.obs.queue}, d.m.dead, dl); err != nil {
		return awserr.New(awserr.Validation, "Dead letter "+strconv.FormatUint(seq, 10)+" was not redriven: "+err.Error())
	}
	return nil
}
