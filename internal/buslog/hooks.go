package buslog

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/switchyard/switchyard/internal/awserr"
	"github.com/switchyard/switchyard/internal/delivery"
	"github.com/switchyard/switchyard/internal/eventbus"
)

// This file holds the hooks ingest, routing and delivery call: each turns
// one step of an event into the records of its message types.

// envelopeFields are the envelope fields records repeat.
type envelopeFields struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// eventDetails returns the details every record of ev starts from.
func eventDetails(ev *eventbus.Event) Details {
	var f envelopeFields
	_ = json.Unmarshal(ev.Envelope, &f) // envelopes are made by ingest: they parse
	return Details{Source: f.Source, DetailType: f.DetailType, SizeBytes: len(ev.Envelope), Event: ev.Envelope}
}

// Received writes the EVENT_RECEIPT records of the events a PutEvents or
// PutPartnerEvents request of caller, answered as requestID, is about to
// store.
func (l *Logger) Received(caller, requestID string, events []eventbus.BusEvent) {
	for i := range events {
		ev := &events[i]
		if c, ok := l.config(ev.Account, ev.Bus); ok {
			d := eventDetails(&ev.Event)
			d.CallerAccountID = caller
			l.emit(c, ev.Account, ev.Bus, &Record{RequestID: requestID, EventID: ev.Event.ID, MessageType: EventReceipt, Details: d})
		}
	}
}

// Ingested writes EVENT_INGEST_SUCCESS for each of the events a request of
// caller stored, or EVENT_INGEST_FAILURE for each when storing them failed
// with err. requestID is the request's.
func (l *Logger) Ingested(caller, requestID string, events []eventbus.BusEvent, err error) {
	for i := range events {
		ev := &events[i]
		c, ok := l.config(ev.Account, ev.Bus)
		if !ok {
			continue
		}
		d := eventDetails(&ev.Event)
		d.CallerAccountID = caller
		if err == nil {
			l.emit(c, ev.Account, ev.Bus, &Record{RequestID: requestID, EventID: ev.Event.ID, MessageType: EventIngestSuccess, Details: d})
			continue
		}
		status := http.StatusInternalServerError
		var ae *awserr.Error
		if errors.As(err, &ae) {
			status = ae.HTTPStatus()
		}
		l.emit(c, ev.Account, ev.Bus, &Record{RequestID: requestID, EventID: ev.Event.ID, MessageType: EventIngestFailure, Details: d,
			Error: &Failure{HTTPStatusCode: status, ErrorMessage: err.Error(), AWSService: "events"}})
	}
}

// Routed writes the records of matching ev against its bus's rules:
// RULE_MATCH_START, then RULE_MATCH for each rule jobs hold (a rule's jobs
// are adjacent), or NO_STANDARD_RULES_MATCHED.
func (l *Logger) Routed(ev eventbus.BusEvent, jobs []delivery.Job) {
	c, ok := l.config(ev.Account, ev.Bus)
	if !ok {
		return
	}
	d := eventDetails(&ev.Event)
	l.emit(c, ev.Account, ev.Bus, &Record{EventID: ev.Event.ID, MessageType: RuleMatchStart, Details: d})
	if len(jobs) == 0 {
		l.emit(c, ev.Account, ev.Bus, &Record{EventID: ev.Event.ID, MessageType: NoStandardRulesMatched, Details: d})
		return
	}
	for i := range jobs {
		if i > 0 && jobs[i].RuleArn == jobs[i-1].RuleArn {
			continue
		}
		rd := d
		rd.RuleArn = jobs[i].RuleArn
		l.emit(c, ev.Account, ev.Bus, &Record{EventID: ev.Event.ID, MessageType: RuleMatch, Details: rd})
	}
}

// invocation returns the record of one step of job's delivery. Its
// invocation_id is the same for every attempt of the job.
func invocation(job *delivery.Job, messageType string, attempt int) *Record {
	d := Details{RuleArn: job.RuleArn, TargetArn: job.Target.Arn, AttemptCount: attempt, Event: job.Event.Envelope}
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(job.MsgID())).String()
	return &Record{EventID: job.Event.ID, InvocationID: id, MessageType: messageType, Details: d}
}

// Attempting writes INVOCATION_START before a job's first attempt and
// INVOCATION_ATTEMPT_START before each.
func (l *Logger) Attempting(job *delivery.Job, attempt int) {
	c, ok := l.config(job.Account, job.Bus)
	if !ok {
		return
	}
	if attempt == 1 {
		l.emit(c, job.Account, job.Bus, invocation(job, InvocationStart, 0))
	}
	l.emit(c, job.Account, job.Bus, invocation(job, InvocationAttemptStart, attempt))
}

// Attempted writes the outcome of one attempt (result is a delivery.Attempt
// constant; err is nil when delivered; input is what was sent, nil when
// shaping it failed), and when the invocation ends with it,
// INVOCATION_SUCCESS or INVOCATION_FAILURE.
func (l *Logger) Attempted(job *delivery.Job, attempt int, input []byte, result string, err *delivery.Error) {
	c, ok := l.config(job.Account, job.Bus)
	if !ok {
		return
	}
	r := invocation(job, InvocationAttemptSuccess, attempt)
	r.Details.TargetInput = input
	if result == delivery.AttemptDelivered {
		l.emit(c, job.Account, job.Bus, r)
		l.emit(c, job.Account, job.Bus, invocation(job, InvocationSuccess, attempt))
		return
	}
	f := failure(err)
	r.Error = f
	r.MessageType = InvocationAttemptRetryableFailure
	if err != nil && !err.Retryable {
		r.MessageType = InvocationAttemptPermanentFailure
	}
	l.emit(c, job.Account, job.Bus, r)
	if result == delivery.AttemptFailed {
		end := invocation(job, InvocationFailure, attempt)
		end.Error = f
		l.emit(c, job.Account, job.Bus, end)
	}
}

// GaveUp writes INVOCATION_FAILURE for a job given up without an attempt
// (too old, or out of retries, when its turn came).
func (l *Logger) GaveUp(job *delivery.Job, err *delivery.Error) {
	c, ok := l.config(job.Account, job.Bus)
	if !ok {
		return
	}
	r := invocation(job, InvocationFailure, job.Attempts)
	r.Error = failure(err)
	l.emit(c, job.Account, job.Bus, r)
}

// DeadLettered writes INVOCATION_DLQ for a failed job sent on to its
// target's dead-letter queue dlqArn.
func (l *Logger) DeadLettered(dl *delivery.DeadLetter, dlqArn string) {
	job := &dl.Job
	c, ok := l.config(job.Account, job.Bus)
	if !ok {
		return
	}
	r := invocation(job, InvocationDLQ, dl.RetryAttempts+1)
	r.Details.DLQArn = dlqArn
	r.Error = &Failure{ErrorMessage: dl.ErrorCode + ": " + dl.ErrorMessage}
	l.emit(c, job.Account, job.Bus, r)
}

// failure is a delivery error as a record's error.
func failure(err *delivery.Error) *Failure {
	if err == nil {
		return &Failure{ErrorMessage: "unknown"}
	}
	return &Failure{ErrorMessage: err.Code + ": " + err.Message}
}
