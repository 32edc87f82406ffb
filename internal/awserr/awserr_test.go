package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestStatusAndWrapping(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{"modeled client error", New(ResourceNotFound, "Event bus x does not exist."), ResourceNotFound, 400, "Event bus x does not exist."},
		{"explicit status", WithStatus(RequestEntityTooLarge, http.StatusRequestEntityTooLarge, "too big"), RequestEntityTooLarge, 413, "too big"},
		{"internal exception", New(Internal, "x"), Internal, 500, "x"},
		{"wrapped *Error keeps its code", fmt.Errorf("context: %w", New(Throttling, "Rate exceeded")), Throttling, 400, "Rate exceeded"},
		{"plain error becomes internal, cause hidden", errors.New("disk /var/x full"), Internal, 500, "An internal error occurred."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := From(c.err)
			if e.Code != c.wantCode || e.HTTPStatus() != c.wantStatus || e.Message != c.wantMsg {
				t.Errorf("From = %s %d %q, want %s %d %q", e.Code, e.HTTPStatus(), e.Message, c.wantCode, c.wantStatus, c.wantMsg)
			}
			if !Is(c.err, c.wantCode) && c.wantCode != Internal {
				t.Errorf("Is(%v, %s) = false", c.err, c.wantCode)
			}
		})
	}
	if From(nil) != nil {
		t.Error("From(nil) is not nil")
	}
	cause := errors.New("root cause")
	if e := InternalError(cause); !errors.Is(e, cause) {
		t.Error("InternalError does not unwrap to its cause")
	}
}

// TestStatus pins the status each kind of exception name travels with by
// default: the generated table for modeled names, the hand-written rules for
// the others.
func TestStatus(t *testing.T) {
	cases := []struct {
		code string
		want int
	}{
		{Internal, 500},
		{ResourceNotFound, 400},
		{Throttling, 400},
		{AccessDenied, 400},
		{Validation, 400},
		{InvalidSignature, 400},
		{RequestEntityTooLarge, 413},
		{"SomeUnknownException", 400},
	}
	for _, c := range cases {
		if got := Status(c.code); got != c.want {
			t.Errorf("Status(%s) = %d, want %d", c.code, got, c.want)
		}
		if got := New(c.code, "m").HTTPStatus(); got != c.want {
			t.Errorf("New(%s).HTTPStatus() = %d, want %d", c.code, got, c.want)
		}
	}
	if got := WithStatus(UnrecognizedClient, 403, "m").HTTPStatus(); got != 403 {
		t.Errorf("WithStatus(403).HTTPStatus() = %d", got)
	}
}
