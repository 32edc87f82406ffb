package main

import (
	"bytes"
	"fmt"
	"go/token"
	"net/http"
	"sort"
	"strings"
)

// errorConst is the Go constant naming an exception in package awserr: the
// shape name without its "Exception" suffix (InternalException is Internal).
func errorConst(s *shape) string {
	return strings.TrimSuffix(s.Name, "Exception")
}

// errorCode is the name an exception travels under ("__type"): the model's
// error code when it states one, else the shape name.
func errorCode(s *shape) string {
	if s.Error != nil && s.Error.Code != "" {
		return s.Error.Code
	}
	return s.Name
}

// errorStatus is the HTTP status of an exception: the model's when it states
// one, else 500 for a fault and 400 for a client error.
func errorStatus(s *shape) int {
	switch {
	case s.Error != nil && s.Error.HTTPStatusCode != 0:
		return s.Error.HTTPStatusCode
	case s.Fault:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// checkException fails on an exception shape the emitted names cannot carry.
// Its members are not read: the wire error is always __type and message.
func (g *generator) checkException(s *shape) error {
	if c := errorConst(s); c == "" || !token.IsIdentifier(c) || !token.IsExported(c) {
		return fmt.Errorf("exception %s: %q is not an exported Go identifier", s.Name, c)
	}
	if st := errorStatus(s); st < 400 || st > 599 {
		return fmt.Errorf("exception %s: HTTP status %d is not an error status", s.Name, st)
	}
	return nil
}

// emitCodes writes package awserr's constants for the model's exception
// names and the table of their HTTP statuses.
func (g *generator) emitCodes(w *bytes.Buffer) error {
	fmt.Fprintf(w, "// Exception names the API model declares (its shapes marked \"exception\"),\n")
	fmt.Fprintf(w, "// as sent in \"__type\" and X-Amzn-ErrorType.\nconst (\n")
	byStatus := map[int][]string{}
	for _, s := range g.errs {
		fmt.Fprintf(w, "\t%s = %q\n", errorConst(s), errorCode(s))
		byStatus[errorStatus(s)] = append(byStatus[errorStatus(s)], errorConst(s))
	}
	fmt.Fprintf(w, ")\n\n")
	var statuses []int
	for st := range byStatus {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	fmt.Fprintf(w, "// modeledStatus returns the HTTP status the model gives an exception it\n")
	fmt.Fprintf(w, "// declares (500 for a fault, else 400 unless the model states one), and\n")
	fmt.Fprintf(w, "// false for a name the model does not declare.\n")
	fmt.Fprintf(w, "func modeledStatus(code string) (int, bool) {\n\tswitch code {\n")
	for _, st := range statuses {
		fmt.Fprintf(w, "\tcase %s:\n\t\treturn %d, true\n", strings.Join(byStatus[st], ", "), st)
	}
	fmt.Fprintf(w, "\t}\n\treturn 0, false\n}\n")
	return nil
}
