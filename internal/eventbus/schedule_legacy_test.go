package eventbus

import (
	"strconv"
	"strings"
)

// legacyValidSchedule is the validator PutRule used before ParseSchedule,
// kept verbatim (renamed) as the oracle FuzzParseSchedule holds the parser
// to: the parser must accept exactly what it accepted.
func legacyValidSchedule(expr string) bool {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return legacyValidRate(expr[len("rate(") : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return legacyValidCron(expr[len("cron(") : len(expr)-1])
	}
	return false
}

func legacyValidRate(body string) bool {
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

// A legacyCronField describes one position of a cron expression.
type legacyCronField struct {
	min, max int
	names    []string // names[i] stands for min+i
	dom, dow bool     // day-of-month / day-of-week extras
}

func legacyCronFields() [6]legacyCronField {
	return [6]legacyCronField{
		{min: 0, max: 59},
		{min: 0, max: 23},
		{min: 1, max: 31, dom: true},
		{min: 1, max: 12, names: monthNames},
		{min: 1, max: 7, names: dayNames, dow: true},
		{min: 1970, max: 2199},
	}
}

func legacyValidCron(body string) bool {
	parts := strings.Split(body, " ")
	if len(parts) != 6 {
		return false
	}
	fields := legacyCronFields()
	for i, p := range parts {
		if !fields[i].valid(p) {
			return false
		}
	}
	// Exactly one of day-of-month and day-of-week is "?".
	return (parts[2] == "?") != (parts[4] == "?")
}

func (f legacyCronField) valid(s string) bool {
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

func (f legacyCronField) validItem(item string) bool {
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

func (f legacyCronField) validValue(s string) bool {
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
func (f legacyCronField) validDayOfMonthExtra(s string) bool {
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
func (f legacyCronField) validDayOfWeekExtra(s string) bool {
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
