package eventbus

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds a rule's ScheduleExpression: ParseSchedule reads rate() and
// cron() the way PutRule accepts them (a rejected expression is AWS's
// "Parameter ScheduleExpression is not valid."), and Schedule.Next says when
// the rule fires next. Running schedules is not this package's business: it
// has no clock, the caller passes the time in. The cron grammar and its
// evaluation live in cron.go.

// ErrBadSchedule is returned (wrapped, with the part that is wrong) by
// ParseSchedule for an expression PutRule rejects.
var ErrBadSchedule = errors.New("eventbus: schedule expression is not valid")

// maxFireUnix is the latest time Next returns, in Unix seconds: a fire time
// beyond year 9999 is reported as no fire at all.
const maxFireUnix = 253402300799 // 9999-12-31T23:59:59Z

// A Schedule is a parsed ScheduleExpression: either a rate (a fixed period
// from an anchor) or a cron expression. It is a small value, safe to copy
// and to use from any number of goroutines. The zero Schedule never fires.
type Schedule struct {
	period int64 // rate: the period in seconds (saturated at MaxInt64); 0 for cron
	anchor int64 // rate: Unix seconds of the anchor, a whole minute
	cron   cronSpec
}

// ParseSchedule parses a ScheduleExpression AWS accepts:
//
//   - rate(<n> <unit>) with n a positive integer without leading zeros and
//     unit minute, hour or day, singular exactly when n is 1
//     ("rate(1 minute)", "rate(5 hours)");
//   - cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>),
//     six fields separated by single spaces, each a comma list of "*", a
//     value, a range "a-b", or an increment "a/n", "*/n", "a-b/n" (n at most
//     the field's largest value), months also JAN-DEC and weekdays SUN-SAT
//     in any case; day-of-month may use L, LW, nW and L-n, day-of-week L, nL
//     and n#k; exactly one of day-of-month and day-of-week must be "?".
//     The meaning of each form is written at cronSpec.
//
// On failure it returns the zero Schedule and an error wrapping
// ErrBadSchedule that names the offending field or item.
func ParseSchedule(expr string) (Schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(expr[len("rate(") : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[len("cron(") : len(expr)-1])
		if err != nil {
			return Schedule{}, err
		}
		return Schedule{cron: c}, nil
	}
	return Schedule{}, fmt.Errorf("%w: %q is neither rate(...) nor cron(...)", ErrBadSchedule, expr)
}

// ValidScheduleExpression reports whether expr is a schedule AWS accepts,
// that is whether ParseSchedule accepts it.
func ValidScheduleExpression(expr string) bool {
	_, err := ParseSchedule(expr)
	return err == nil
}

var rateUnits = map[string]struct {
	seconds int64
	plural  bool
}{
	"minute": {60, false}, "minutes": {60, true},
	"hour": {3600, false}, "hours": {3600, true},
	"day": {86400, false}, "days": {86400, true},
}

func parseRate(body string) (Schedule, error) {
	num, unit, ok := strings.Cut(body, " ")
	if !ok || num == "" || num[0] == '0' || !allDigits(num) {
		return Schedule{}, fmt.Errorf("%w: rate value %q is not a positive integer", ErrBadSchedule, num)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return Schedule{}, fmt.Errorf("%w: rate value %q is out of range", ErrBadSchedule, num)
	}
	u, ok := rateUnits[unit]
	if !ok || u.plural != (n != 1) {
		return Schedule{}, fmt.Errorf("%w: rate unit %q does not fit value %d", ErrBadSchedule, unit, n)
	}
	period := int64(math.MaxInt64)
	if n <= math.MaxInt64/u.seconds {
		period = n * u.seconds
	}
	return Schedule{period: period}, nil
}

// IsRate reports whether s is a rate schedule.
func (s Schedule) IsRate() bool { return s.period > 0 }

// Period returns a rate schedule's period (saturated at the largest
// Duration, about 292 years), or 0 for a cron schedule.
func (s Schedule) Period() time.Duration {
	if s.period > math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s.period) * time.Second
}

// Anchored returns a rate schedule that fires at at, truncated to the whole
// minute, plus every whole multiple of the period. AWS starts a rate rule's
// clock when the rule is created or enabled, so a scheduler anchors there.
// An unanchored rate schedule is anchored at the Unix epoch. A cron schedule
// is returned unchanged.
func (s Schedule) Anchored(at time.Time) Schedule {
	if !s.IsRate() {
		return s
	}
	sec := at.Unix()
	s.anchor = sec - ((sec%60)+60)%60 // floor to the minute, also before 1970
	return s
}

// Next returns the first time strictly after after at which s fires, in
// UTC, on a whole minute. For a rate schedule that is the first
// anchor + k*period with k >= 1 (see Anchored); for a cron schedule the
// first minute every field matches. Next returns the zero time when s never
// fires after after: a cron schedule whose years are past or whose days
// never exist (30 February), or a fire time beyond year 9999. Next does no
// minute-by-minute search: it skips by field, and its worst case (a cron
// schedule that never fires) looks at each month of 1970-2199 once.
func (s Schedule) Next(after time.Time) time.Time {
	if s.IsRate() {
		return s.nextRate(after)
	}
	start := after.UTC().Truncate(time.Minute).Add(time.Minute)
	return s.cron.next(start)
}

func (s Schedule) nextRate(after time.Time) time.Time {
	x := after.Unix() // floor: anchor + k*period > after exactly when > x
	if x >= maxFireUnix {
		return time.Time{}
	}
	var fire int64
	if x < s.anchor {
		if s.anchor > maxFireUnix-s.period {
			return time.Time{}
		}
		fire = s.anchor + s.period
	} else {
		// x - anchor fits in a uint64 even when the int64 subtraction
		// would overflow; the step to the next multiple is in (0, period].
		step := s.period - int64((uint64(x)-uint64(s.anchor))%uint64(s.period))
		if step > maxFireUnix-x {
			return time.Time{}
		}
		fire = x + step
	}
	return time.Unix(fire, 0).UTC()
}

// number parses a non-empty run of at most six ASCII digits.
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
