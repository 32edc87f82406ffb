package eventbus

import (
	"bufio"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScheduleNext runs testdata/schedule/next.txt: each line is
// "expr | after | want", want "never" for the zero time, and a rate expr may
// carry "anchored <time>".
func TestScheduleNext(t *testing.T) {
	f, err := os.Open("testdata/schedule/next.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, " | ")
		if len(cols) != 3 {
			t.Fatalf("line %d: want 3 columns: %q", line, text)
		}
		expr, anchor, anchored := strings.Cut(cols[0], " anchored ")
		s, err := ParseSchedule(expr)
		if err != nil {
			t.Errorf("line %d: ParseSchedule(%q): %v", line, expr, err)
			continue
		}
		if anchored {
			s = s.Anchored(parseTestTime(t, line, anchor))
		}
		after := parseTestTime(t, line, cols[1])
		var want time.Time
		if cols[2] != "never" {
			want = parseTestTime(t, line, cols[2])
		}
		got := s.Next(after)
		if !got.Equal(want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("line %d: %s.Next(%s) = %s, want %s", line, cols[0], cols[1], got.Format(time.RFC3339Nano), cols[2])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func parseTestTime(t *testing.T, line int, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("line %d: %v", line, err)
	}
	return v
}

func TestParseScheduleErrors(t *testing.T) {
	for _, expr := range []string{"", "rate(0 minutes)", "rate(5 weeks)", "cron(0 0 * * * *)", "cron(0 0 32 * ? *)", "cron(0 0 ? * 2#6 *)", "rate(99999999999999999999 days)"} {
		s, err := ParseSchedule(expr)
		if !errors.Is(err, ErrBadSchedule) || s != (Schedule{}) {
			t.Errorf("ParseSchedule(%q) = %+v, %v; want the zero Schedule and ErrBadSchedule", expr, s, err)
		}
	}
}

func TestScheduleRate(t *testing.T) {
	cases := []struct {
		expr   string
		period time.Duration
	}{
		{"rate(1 minute)", time.Minute},
		{"rate(90 minutes)", 90 * time.Minute},
		{"rate(1 hour)", time.Hour},
		{"rate(7 days)", 7 * 24 * time.Hour},
		{"rate(9223372036854775807 minutes)", 1<<63 - 1},
		{"cron(0 0 * * ? *)", 0},
	}
	for _, c := range cases {
		s, err := ParseSchedule(c.expr)
		if err != nil {
			t.Fatalf("ParseSchedule(%q): %v", c.expr, err)
		}
		if s.IsRate() != (c.period != 0) || s.Period() != c.period {
			t.Errorf("%s: IsRate %v, Period %v; want period %v", c.expr, s.IsRate(), s.Period(), c.period)
		}
	}
	cron, err := ParseSchedule("cron(0 0 * * ? *)")
	if err != nil {
		t.Fatal(err)
	}
	if cron.Anchored(time.Unix(12345, 0)) != cron {
		t.Error("Anchored changed a cron schedule")
	}
	if !(Schedule{}).Next(time.Unix(0, 0)).IsZero() {
		t.Error("the zero Schedule fires")
	}
}

// TestScheduleNextBruteForce compares Next with a reference that steps
// minute by minute (skipping days the date fields reject) and matches each
// field with its own reading of the cron text, over random expressions.
func TestScheduleNextBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 50
	}
	for range n {
		expr := randomCron(rng)
		s, err := ParseSchedule(expr)
		if err != nil {
			t.Fatalf("ParseSchedule(%q): %v", expr, err)
		}
		m := newRefCron(t, expr)
		after := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		got := s.Next(after)
		want := m.next(after, after.AddDate(6, 0, 0))
		if !got.Equal(want) && !(want.IsZero() && got.After(after.AddDate(6, 0, 0))) {
			t.Errorf("%s.Next(%s) = %s, brute force says %s", expr, after.Format(time.RFC3339), got, want)
		}
	}
}

func randomCron(rng *rand.Rand) string {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	num := func(lo, hi int) string { return strconv.Itoa(lo + rng.IntN(hi-lo+1)) }
	plain := func(lo, hi int, names []string) string {
		v := func() string {
			if names != nil && rng.IntN(2) == 0 {
				n := names[rng.IntN(len(names))]
				if rng.IntN(2) == 0 {
					n = strings.ToLower(n)
				}
				return n
			}
			return num(lo, hi)
		}
		switch rng.IntN(7) {
		case 0:
			return "*"
		case 1:
			return "*/" + num(1, hi)
		case 2:
			return v() + "/" + num(1, hi)
		case 3:
			return v() + "-" + v()
		case 4:
			return v() + "-" + v() + "/" + num(1, hi)
		}
		return v()
	}
	list := func(item func() string) string {
		items := []string{item()}
		for rng.IntN(3) == 0 {
			items = append(items, item())
		}
		return strings.Join(items, ",")
	}
	minutes := list(func() string { return plain(0, 59, nil) })
	hours := list(func() string { return plain(0, 23, nil) })
	months := list(func() string { return plain(1, 12, monthNames) })
	years := pick("*", "*", "2024-2030", "2026/2", "2027", "2030-2025", "2025,2028")
	dom, dow := "?", "?"
	if rng.IntN(2) == 0 {
		dom = list(func() string {
			if rng.IntN(2) == 0 {
				return pick("L", "LW", "L-"+num(1, 30), num(1, 31)+"W")
			}
			return plain(1, 31, nil)
		})
	} else {
		dow = list(func() string {
			if rng.IntN(2) == 0 {
				return pick("L", num(1, 7)+"L", num(1, 7)+"#"+num(1, 5), pick(dayNames...)+"#"+num(1, 5))
			}
			return plain(1, 7, dayNames)
		})
	}
	return "cron(" + strings.Join([]string{minutes, hours, dom, months, dow, years}, " ") + ")"
}

// A refCron matches times against a cron expression item by item, sharing
// nothing with the parser but number and the name tables.
type refCron struct {
	fields [6][]string // items; nil for "?"
}

func newRefCron(t *testing.T, expr string) refCron {
	t.Helper()
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"), " ")
	if len(parts) != 6 {
		t.Fatalf("%q: not 6 fields", expr)
	}
	var r refCron
	for i, p := range parts {
		if p != "?" {
			r.fields[i] = strings.Split(p, ",")
		}
	}
	return r
}

// next steps from after to the first match up to limit, or the zero time.
func (r refCron) next(after, limit time.Time) time.Time {
	t := after.Truncate(time.Minute).Add(time.Minute)
	for t.Before(limit) {
		if !r.dateMatches(t) {
			y, m, d := t.Date()
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if r.fieldMatches(0, t.Minute(), t) && r.fieldMatches(1, t.Hour(), t) {
			return t
		}
		t = t.Add(time.Minute)
	}
	return time.Time{}
}

func (r refCron) dateMatches(t time.Time) bool {
	return r.fieldMatches(2, t.Day(), t) && r.fieldMatches(3, int(t.Month()), t) &&
		r.fieldMatches(4, int(t.Weekday())+1, t) && r.fieldMatches(5, t.Year(), t)
}

func (r refCron) fieldMatches(i, v int, t time.Time) bool {
	if r.fields[i] == nil {
		return true
	}
	for _, item := range r.fields[i] {
		if refItemMatches(i, item, v, t) {
			return true
		}
	}
	return false
}

func refItemMatches(i int, item string, v int, t time.Time) bool {
	lo, hi := [6]int{0, 0, 1, 1, 1, 1970}[i], [6]int{59, 23, 31, 12, 7, 2199}[i]
	names := [6][]string{3: monthNames, 4: dayNames}[i]
	val := func(s string) int {
		for j, n := range names {
			if strings.EqualFold(s, n) {
				return lo + j
			}
		}
		n, _ := number(s)
		return n
	}
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	weekday := func(d int) time.Weekday { return time.Date(t.Year(), t.Month(), d, 0, 0, 0, 0, time.UTC).Weekday() }
	isWeekday := func(d int) bool { return weekday(d) != time.Saturday && weekday(d) != time.Sunday }
	switch {
	case i == 2 && item == "L":
		return v == last
	case i == 2 && item == "LW":
		d := last
		for !isWeekday(d) {
			d--
		}
		return v == d
	case i == 2 && strings.HasPrefix(item, "L-"):
		return v == last-val(item[2:])
	case i == 2 && strings.HasSuffix(item, "W"):
		n := val(strings.TrimSuffix(item, "W"))
		best := 0 // the in-month weekday at the least distance from n
		for d := 1; d <= last && n <= last; d++ {
			if isWeekday(d) && (best == 0 || abs(d-n) < abs(best-n)) {
				best = d
			}
		}
		return v == best
	case i == 4 && item == "L":
		return v == 7
	case i == 4 && strings.HasSuffix(item, "L"):
		return v == val(strings.TrimSuffix(item, "L")) && t.Day()+7 > last
	case i == 4 && strings.Contains(item, "#"):
		day, k, _ := strings.Cut(item, "#")
		return v == val(day) && (t.Day()+6)/7 == val(k)
	}
	base, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		step = val(stepText)
	}
	from, to := lo, hi
	if base != "*" {
		a, b, isRange := strings.Cut(base, "-")
		from, to = val(a), val(a)
		if isRange {
			to = val(b)
		} else if hasStep {
			to = hi
		}
	}
	if i == 5 {
		return from <= v && v <= to && (v-from)%step == 0
	}
	span := hi - lo + 1
	offset, length := ((v-from)%span+span)%span, ((to-from)%span+span)%span
	return offset <= length && offset%step == 0
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzParseSchedule: ParseSchedule never panics and accepts exactly what
// the validator before the parser accepted (legacyValidSchedule); for an
// accepted expression Next is strictly later and on a whole minute, or zero.
func FuzzParseSchedule(f *testing.F) {
	seeds := []string{
		"rate(1 minute)", "rate(7 days)", "rate(1 minutes)", "rate(9223372036854775807 days)",
		"cron(0 18 ? * MON-FRI *)", "cron(0/15 * * * ? *)", "cron(0 12 L * ? *)", "cron(0 0 LW * ? *)",
		"cron(0 0 L-30 * ? *)", "cron(0 0 31W * ? *)", "cron(0 12 ? JAN-MAR 6L *)", "cron(0 12 ? * 2#5 *)",
		"cron(50-10/5 22-2 28-3 NOV-FEB ? 2030-2020)", "cron(0 0 ? * fri-mon,L *)", "cron(* * * * ? 2199/1000)",
		"cron(0 0 30 2 ? *)", "cron(* ? * * * *)", "cron(0/5, 9-18, ?, *, MON-FRI, *)",
	}
	for _, s := range seeds {
		f.Add(s, int64(1780000000), int64(0))
	}
	f.Add("rate(1 minute)", int64(253402300740), int64(-1))
	f.Add("cron(0 0 1 1 ? *)", int64(-1e10), int64(1e10))
	f.Fuzz(func(t *testing.T, expr string, afterUnix, anchorUnix int64) {
		s, err := ParseSchedule(expr)
		if (err == nil) != legacyValidSchedule(expr) {
			t.Fatalf("ParseSchedule(%q) error %v, the old validator said %v", expr, err, legacyValidSchedule(expr))
		}
		if err != nil {
			return
		}
		s = s.Anchored(time.Unix(anchorUnix, 0))
		after := time.Unix(afterUnix, 0)
		next := s.Next(after)
		if next.IsZero() {
			return
		}
		if !next.After(after) || next.Second() != 0 || next.Nanosecond() != 0 || next.Location() != time.UTC {
			t.Fatalf("%q anchored at %d: Next(%d) = %s", expr, anchorUnix, afterUnix, next)
		}
	})
}

func BenchmarkScheduleNext(b *testing.B) {
	for _, expr := range []string{"cron(0/15 * * * ? *)", "cron(0 12 ? * 6L *)", "cron(0 0 29 2 ? *)", "cron(0 0 30 2 ? *)", "rate(5 minutes)"} {
		s, err := ParseSchedule(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			after := time.Date(2026, 3, 1, 10, 7, 0, 0, time.UTC)
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Next(after)
			}
		})
	}
}
