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
