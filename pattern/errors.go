package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxPatternLength is the longest event pattern AWS accepts, in characters
// (the EventPattern shape's max length in the API model).
const MaxPatternLength = 4096

// maxSourceSnippet is how many characters of the pattern Jackson quotes in an
// error location before it truncates.
const maxSourceSnippet = 500

// An Error reports why an event pattern is not valid.
//
// Error() returns the message AWS sends with InvalidEventPatternException:
//
//	Event pattern is not valid. Reason: <Reason>
//	 at [Source: (String)"<pattern>"; line: <Line>, column: <Column>]
//
// The location line is present only when Column > 0: AWS reports a parser
// location for every reason its JSON rule compiler detects, and none for the
// checks it runs afterwards (CIDR syntax, rule complexity, $or combinations).
//
// When TooLong is set the pattern broke the API model's length constraint;
// AWS reports that as a ValidationException, and Error() returns that
// message instead.
type Error struct {
	// Reason is AWS's reason text, word for word.
	Reason string
	// Line and Column locate the parser (1-based, in UTF-16 code units as
	// Jackson counts them) when the reason was detected; 0 when AWS gives no
	// location.
	Line, Column int
	// Source is the pattern as given.
	Source string
	// TooLong reports a pattern longer than MaxPatternLength.
	TooLong bool
}

func (e *Error) Error() string {
	if e.TooLong {
		return "1 validation error detected: Value '" + e.Source +
			"' at 'eventPattern' failed to satisfy constraint: " + e.Reason
	}
	var b strings.Builder
	b.WriteString("Event pattern is not valid. Reason: ")
	b.WriteString(e.Reason)
	if e.Column > 0 {
		b.WriteString("\n at ")
		b.WriteString(jacksonLocation(e.Source, e.Line, e.Column))
	}
	return b.String()
}

// jacksonLocation renders a location the way Jackson's JsonLocation.toString
// does for a String source: the first 500 characters of the source, quoted,
// with ISO control characters other than CR and LF escaped as \uXXXX.
func jacksonLocation(src string, line, col int) string {
	var b strings.Builder
	b.WriteString(`[Source: (String)"`)
	units := 0
	truncated := 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		n := 1
		if r >= 0x10000 && size > 1 {
			n = 2
		}
		if units+n > maxSourceSnippet {
			truncated = utf16Len(src[i:])
			break
		}
		units += n
		if (r < 0x20 || (r >= 0x7f && r <= 0x9f)) && r != '\r' && r != '\n' {
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&15])
		} else {
			b.WriteString(src[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	if truncated > 0 {
		b.WriteString("[truncated ")
		b.WriteString(strconv.Itoa(truncated))
		b.WriteString(" chars]")
	}
	b.WriteString("; line: ")
	b.WriteString(strconv.Itoa(line))
	b.WriteString(", column: ")
	b.WriteString(strconv.Itoa(col))
	b.WriteByte(']')
	return b.String()
}

// utf16Len counts the UTF-16 code units Java would hold for s; each invalid
// UTF-8 byte counts as one unit (it decodes to U+FFFD).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaLength is the pattern length as the API model counts it.
func javaLength(s string) int { return utf16Len(s) }
