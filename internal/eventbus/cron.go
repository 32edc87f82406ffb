package eventbus

import (
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// This file is the cron() half of a Schedule: the six-field grammar of AWS
// scheduled rules (Quartz's without seconds) parsed into bit sets, and Next
// walking those sets year by year, month by month, day by day.

// Bounds of the year field.
const (
	cronFirstYear = 1970
	cronLastYear  = 2199
)

// A cronSpec is a parsed cron expression, all in UTC. Each plain field is a
// bit set (bit v set when value v is allowed); the day forms that depend on
// the month are kept apart and resolved per month by days. An item of a list
// adds to the set; an expression fires on a minute when every field allows
// it. The meanings, and where they follow Quartz (whose CronExpression AWS's
// format is) or make a choice where Quartz or AWS would reject or misbehave:
//
//   - "*" is every value; "?" (day-of-month or day-of-week only) is no
//     constraint, and exactly one of the two day fields is "?", so the other
//     alone decides the day.
//   - "a/n" is a, a+n, ... up to the field's largest value; "*/n" starts at
//     the smallest; "a-b/n" stops at b.
//   - A range whose end is below its start wraps around the field, as in
//     Quartz: minutes "50-10" are 50-59 and 0-10, weekdays "FRI-MON" are
//     FRI, SAT, SUN, MON, day-of-month "28-3" is 28-31 and 1-3, with any
//     increment counted across the wrap ("50-10/5" is 50, 55, 0, 5, 10).
//     Years do not wrap (Quartz rejects a reversed year range; PutRule
//     accepts it): a reversed year range allows no year.
//   - Day-of-month: n is day n and never fires in a month without it; L is
//     the last day; L-n is n days before the last day (no fire in a month
//     where that is before the 1st); LW is the last Monday-Friday; nW is the
//     Monday-Friday nearest day n within the month: a Saturday moves to
//     Friday, a Sunday to Monday, except that Saturday the 1st moves to
//     Monday the 3rd and a Sunday that is the last day moves to Friday, two
//     days before; nW never fires in a month without day n (as plain n).
//   - Day-of-week: 1-7 are SUN-SAT; L alone is 7 (Saturday, the last day of
//     the week); nL is the last weekday n of the month; n#k is the k-th
//     weekday n of the month, which a month without a k-th one skips.
//   - Quartz refuses L, W and # inside lists; PutRule accepts them, and here
//     they add to the field's set like any other item ("L,15" is the 15th
//     and the last day).
type cronSpec struct {
	minutes uint64    // bits 0-59
	hours   uint64    // bits 0-23
	months  uint64    // bits 1-12
	years   [4]uint64 // bit y-1970
	byDOW   bool      // day-of-month is "?": the day-of-week fields decide

	dom           uint64 // plain days of month, bits 1-31
	domLast       bool   // L
	domLastWeek   bool   // LW
	domLastMinus  uint64 // L-n: bit n
	domNearestDay uint64 // nW: bit n

	dow     uint64    // plain weekdays, bits 1-7 (SUN-SAT)
	dowLast uint64    // nL: bit n
	dowNth  [6]uint64 // n#k: bit n of dowNth[k]
}

// A cronField describes one position of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	dom, dow bool     // day-of-month / day-of-week extras
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

var cronFields = [6]cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, dom: true},
	{name: "month", min: 1, max: 12, names: monthNames},
	{name: "day-of-week", min: 1, max: 7, names: dayNames, dow: true},
	{name: "year", min: cronFirstYear, max: cronLastYear},
}

func parseCron(body string) (cronSpec, error) {
	parts := strings.Split(body, " ")
	if len(parts) != 6 {
		return cronSpec{}, fmt.Errorf("%w: cron has %d fields, not 6", ErrBadSchedule, len(parts))
	}
	if (parts[2] == "?") == (parts[4] == "?") {
		return cronSpec{}, fmt.Errorf("%w: exactly one of day-of-month and day-of-week must be ?", ErrBadSchedule)
	}
	var c cronSpec
	c.byDOW = parts[2] == "?"
	for i, p := range parts {
		f := cronFields[i]
		if p == "?" && (f.dom || f.dow) {
			continue
		}
		if p == "" {
			return cronSpec{}, fmt.Errorf("%w: cron %s field is empty", ErrBadSchedule, f.name)
		}
		for _, item := range strings.Split(p, ",") {
			if !c.addItem(f, item) {
				return cronSpec{}, fmt.Errorf("%w: cron %s field: %q is not valid", ErrBadSchedule, f.name, item)
			}
		}
	}
	return c, nil
}

// addItem adds one list item of field f to c, reporting whether it is valid.
func (c *cronSpec) addItem(f cronField, item string) bool {
	if f.dom && c.addDayOfMonthExtra(item) {
		return true
	}
	if f.dow && c.addDayOfWeekExtra(f, item) {
		return true
	}
	base, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		n, ok := number(stepText)
		if !ok || n < 1 || (f.max < cronFirstYear && n > f.max) {
			return false
		}
		step = n
	}
	lo, hi := f.min, f.max
	if base != "*" {
		loText, hiText, isRange := strings.Cut(base, "-")
		var ok bool
		if lo, ok = f.value(loText); !ok {
			return false
		}
		switch {
		case isRange:
			if hi, ok = f.value(hiText); !ok {
				return false
			}
		case !hasStep:
			hi = lo
		}
	}
	c.addRange(f, lo, hi, step)
	return true
}

// addRange adds lo, lo+step, ... up to hi to field f's set, wrapping past
// the field's largest value when hi < lo (never for years).
func (c *cronSpec) addRange(f cronField, lo, hi, step int) {
	span := f.max - f.min + 1
	if hi < lo {
		if f.min == cronFirstYear {
			return
		}
		hi += span
	}
	for v := lo; v <= hi; v += step {
		w := f.min + (v-f.min)%span
		switch f.name {
		case "minutes":
			c.minutes |= 1 << w
		case "hours":
			c.hours |= 1 << w
		case "day-of-month":
			c.dom |= 1 << w
		case "month":
			c.months |= 1 << w
		case "day-of-week":
			c.dow |= 1 << w
		case "year":
			c.years[(w-cronFirstYear)/64] |= 1 << ((w - cronFirstYear) % 64)
		}
	}
}

func (f cronField) value(s string) (int, bool) {
	if n, ok := number(s); ok {
		return n, n >= f.min && n <= f.max
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, true
		}
	}
	return 0, false
}

// addDayOfMonthExtra adds L, LW, L-n (n 1-30) or nW (n 1-31).
func (c *cronSpec) addDayOfMonthExtra(s string) bool {
	switch {
	case s == "L":
		c.domLast = true
	case s == "LW":
		c.domLastWeek = true
	case strings.HasPrefix(s, "L-"):
		n, ok := number(s[2:])
		if !ok || n < 1 || n > 30 {
			return false
		}
		c.domLastMinus |= 1 << n
	case strings.HasSuffix(s, "W"):
		n, ok := number(s[:len(s)-1])
		if !ok || n < 1 || n > 31 {
			return false
		}
		c.domNearestDay |= 1 << n
	default:
		return false
	}
	return true
}

// addDayOfWeekExtra adds L (Saturday), nL or n#k (k 1-5).
func (c *cronSpec) addDayOfWeekExtra(f cronField, s string) bool {
	switch {
	case s == "L":
		c.dow |= 1 << 7
		return true
	case strings.HasSuffix(s, "L"):
		n, ok := f.value(s[:len(s)-1])
		if ok {
			c.dowLast |= 1 << n
		}
		return ok
	}
	day, kText, ok := strings.Cut(s, "#")
	if !ok {
		return false
	}
	k, isNum := number(kText)
	n, isDay := f.value(day)
	if !isNum || k < 1 || k > 5 || !isDay {
		return false
	}
	c.dowNth[k] |= 1 << n
	return true
}

// nextBit returns the smallest member of set that is at least from, or -1.
func nextBit(set uint64, from int) int {
	if from >= 64 {
		return -1
	}
	if from < 0 {
		from = 0
	}
	rest := set &^ (1<<from - 1)
	if rest == 0 {
		return -1
	}
	return bits.TrailingZeros64(rest)
}

func (c *cronSpec) year(y int) bool {
	i := y - cronFirstYear
	return i >= 0 && i < cronLastYear-cronFirstYear+1 && c.years[i/64]&(1<<(i%64)) != 0
}

// next returns the first minute at or after start (UTC, minute-aligned) the
// spec allows, or the zero time. Each level starts from start's value while
// the levels above it still equal start's, and from its smallest value once
// one of them has moved on.
func (c *cronSpec) next(start time.Time) time.Time {
	y, mo, d, h, mi := start.Year(), int(start.Month()), start.Day(), start.Hour(), start.Minute()
	if y < cronFirstYear {
		y, mo, d, h, mi = cronFirstYear, 1, 1, 0, 0
	}
	for ; y <= cronLastYear; y, mo, d, h, mi = y+1, 1, 1, 0, 0 {
		if !c.year(y) {
			continue
		}
		for ; mo <= 12; mo, d, h, mi = mo+1, 1, 0, 0 {
			if c.months&(1<<mo) == 0 {
				continue
			}
			days := c.days(y, time.Month(mo))
			for nd := nextBit(days, d); nd >= 0; nd = nextBit(days, d+1) {
				if nd != d {
					h, mi = 0, 0
				}
				d = nd
				if hh, mm, ok := c.timeOfDay(h, mi); ok {
					return time.Date(y, time.Month(mo), d, hh, mm, 0, 0, time.UTC)
				}
				h, mi = 0, 0
			}
		}
	}
	return time.Time{}
}

// timeOfDay returns the first allowed hour and minute at or after h:mi.
func (c *cronSpec) timeOfDay(h, mi int) (int, int, bool) {
	for nh := nextBit(c.hours, h); nh >= 0; nh = nextBit(c.hours, h+1) {
		if nh != h {
			mi = 0
		}
		h = nh
		if m := nextBit(c.minutes, mi); m >= 0 {
			return h, m, true
		}
		mi = 0
	}
	return 0, 0, false
}

// days returns the days of month m of year y the spec allows, as bits 1-31.
func (c *cronSpec) days(y int, m time.Month) uint64 {
	last := daysIn(y, m)
	first := int(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()) // 0 = Sunday
	weekday := func(d int) int { return (first + d - 1) % 7 }        // 0 = Sunday
	if c.byDOW {
		var set uint64
		for d := 1; d <= last; d++ {
			bit := uint64(1) << (weekday(d) + 1) // day-of-week value, 1 = SUN
			if c.dow&bit != 0 || c.dowNth[(d-1)/7+1]&bit != 0 || (c.dowLast&bit != 0 && d+7 > last) {
				set |= 1 << d
			}
		}
		return set
	}
	set := c.dom & (1<<(last+1) - 2)
	if c.domLast {
		set |= 1 << last
	}
	if c.domLastWeek {
		set |= 1 << nearestWeekday(last, weekday(last), last)
	}
	for n := nextBit(c.domLastMinus, 1); n >= 0; n = nextBit(c.domLastMinus, n+1) {
		if last-n >= 1 {
			set |= 1 << (last - n)
		}
	}
	for n := nextBit(c.domNearestDay, 1); n >= 0 && n <= last; n = nextBit(c.domNearestDay, n+1) {
		set |= 1 << nearestWeekday(n, weekday(n), last)
	}
	return set
}

// nearestWeekday returns the Monday-Friday nearest day d (whose weekday is
// wd, 0 = Sunday) in a month of last days, without leaving the month.
func nearestWeekday(d, wd, last int) int {
	switch {
	case wd == 6 && d == 1:
		return 3
	case wd == 6:
		return d - 1
	case wd == 0 && d == last:
		return d - 2
	case wd == 0:
		return d + 1
	}
	return d
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
