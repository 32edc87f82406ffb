package apimodel

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Time is a timestamp member. On the wire it is a JSON number of seconds
// since the Unix epoch, with a fractional part when the time has one
// (1700000000 or 1700000000.25). Decoding accepts integer, fractional and
// exponent forms, and also an RFC 3339 string.
type Time struct{ time.Time }

// NewTime returns t as a *Time, for filling output structures.
func NewTime(t time.Time) *Time { return &Time{t} }

// MarshalJSON writes the epoch seconds, exactly, without trailing zeros.
func (t Time) MarshalJSON() ([]byte, error) { return []byte(epochString(t.Time)), nil }

// UnmarshalJSON reads epoch seconds or an RFC 3339 string. JSON null leaves
// t unchanged.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return errors.New("apimodel: timestamp is not a valid JSON string")
		}
		v, err := time.Parse(time.RFC3339Nano, u)
		if err != nil {
			return errors.New("apimodel: timestamp string is not RFC 3339")
		}
		t.Time = v
		return nil
	}
	v, ok := parseEpoch(s)
	if !ok {
		return errors.New("apimodel: timestamp is not epoch seconds")
	}
	t.Time = v
	return nil
}

// epochString formats t as decimal epoch seconds with up to nine fractional
// digits and no trailing zeros.
func epochString(t time.Time) string {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	neg := false
	if sec < 0 && nsec > 0 { // -1.25 is Unix -2 plus 0.75
		sec, nsec = sec+1, 1e9-nsec
		neg = sec == 0
	}
	s := strconv.FormatInt(sec, 10)
	if neg {
		s = "-" + s
	}
	if nsec == 0 {
		return s
	}
	frac := strings.TrimRight(strconv.FormatInt(nsec+1e9, 10)[1:], "0")
	return s + "." + frac
}

// maxEpochSeconds bounds accepted timestamps to years -9999..9999, far
// beyond any real use, so no arithmetic below can overflow.
const maxEpochSeconds = 253402300799

// parseEpoch reads a JSON number of epoch seconds. Plain decimals are read
// exactly (nanosecond digits beyond the ninth are dropped); exponent forms go
// through float64.
func parseEpoch(s string) (time.Time, bool) {
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) > maxEpochSeconds {
			return time.Time{}, false
		}
		sec := math.Floor(f)
		nsec := math.Round((f - sec) * 1e9)
		return time.Unix(int64(sec), int64(nsec)).UTC(), true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || !allDigits(whole) || !allDigits(frac) {
		return time.Time{}, false
	}
	sec, _ := strconv.ParseInt(whole, 10, 64)
	if sec > maxEpochSeconds {
		return time.Time{}, false
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	var nsec int64
	if frac != "" {
		nsec, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
