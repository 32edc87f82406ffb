package eventbus

import (
	"strconv"
	"strings"
)

// This file checks a rule's ScheduleExpression the way PutRule does: rate()
// and cron() syntax, rejected with "Parameter ScheduleExpression is not
// valid." Running schedules is not this package's business.

// ValidScheduleExpression reports whether expr is a schedule AWS accepts:
//
//   - rate(<n> <unit>) with n a positive integer and unit minute, hour or
//     day, singular exactly when n is 1 ("rate(1 minute)", "rate(5 hours)");
//   - cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>),
//     six fields separated by single spaces, each a comma list of "*", a
//     value, a range "a-b", or an increment "a/n", "*/n", "a-b/n" (n at most
//     the field's largest value), months also JAN-DEC and weekdays SUN-SAT;
//     day-of-month may use L, LW, nW and L-n, day-of-week nL and n#k; exactly
//     one of day-of-month and day-of-week must be "?".
func ValidScheduleExpression(expr string) bool {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return validRate(expr[len("rate(") : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return validCron(expr[len("cron(") : len(expr)-1])
	}
	return false
}

func validRate(body string) bool {
	num, unit, ok := strings.Cut(body, " ")
	if !ok || num == "" || num[0] == '0' || !allDigits(num) {
		return false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return false
	}
	singular := map[string]bool{"minute": true, "hour": true, "day": true}
	plural := map[string]bool{"minutes": true, "hours": true, "days": true}
	if n == 1 {
		return singular[unit]
	}
	return plural[unit]
}

// A cronField describes one position of a cron expression.
type cronField struct {
	min, max int
	names    []string // names[i] stands for min+i
	dom, dow bool     // day-of-month / day-of-week extras
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

func cronFields() [6]cronField {
	return [6]cronField{
		{min: 0, max: 59},
		{min: 0, max: 23},
		{min: 1, max: 31, dom: true},
		{min: 1, max: 12, names: monthNames},
		{min: 1, max: 7, names: dayNames, dow: true},
		{min: 1970, max: 2199},
	}
}

func validCron(body string) bool {
	parts := strings.Split(body, " ")
	if len(parts) != 6 {
		return false
	}
	fields := cronFields()
	for i, p := range parts {
		if !fields[i].valid(p) {
			return false
		}
	}
	// Exactly one of day-of-month and day-of-week is "?".
	return (parts[2] == "?") != (parts[4] == "?")
}

func (f cronField) valid(s string) bool {
	if s == "?" {
		return f.dom || f.dow
	}
	if s == "" {
		return false
	}
	for _, item := range strings.Split(s, ",") {
		if !f.validItem(item) {
			return false
		}
	}
	return true
}

func (f cronField) validItem(item string) bool {
	if f.dom && f.validDayOfMonthExtra(item) {
		return true
	}
	if f.dow && f.validDayOfWeekExtra(item) {
		return true
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, ok := number(step)
		if !ok || n < 1 || (f.max < 1970 && n > f.max) {
			return false
		}
	}
	if base == "*" {
		return true
	}
	lo, hi, isRange := strings.Cut(base, "-")
	if !f.validValue(lo) {
		return false
	}
	return !isRange || f.validValue(hi)
}

func (f cronField) validValue(s string) bool {
	if n, ok := number(s); ok {
		return n >= f.min && n <= f.max
	}
	for _, name := range f.names {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// validDayOfMonthExtra accepts L, LW, L-n, and nW.
func (f cronField) validDayOfMonthExtra(s string) bool {
	switch {
	case s == "L" || s == "LW":
		return true
	case strings.HasPrefix(s, "L-"):
		n, ok := number(s[2:])
		return ok && n >= 1 && n <= 30
	case strings.HasSuffix(s, "W"):
		n, ok := number(s[:len(s)-1])
		return ok && n >= 1 && n <= 31
	}
	return false
}

// validDayOfWeekExtra accepts L, nL, and n#k (k-th weekday n of the month).
func (f cronField) validDayOfWeekExtra(s string) bool {
	switch {
	case s == "L":
		return true
	case strings.HasSuffix(s, "L"):
		return f.validValue(s[:len(s)-1])
	}
	day, k, ok := strings.Cut(s, "#")
	if !ok {
		return false
	}
	n, isNum := number(k)
	return isNum && n >= 1 && n <= 5 && f.validValue(day)
}

// number parses a non-empty run of ASCII digits.
func number(s string) (int, bool) {
	if s == "" || len(s) > 6 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
