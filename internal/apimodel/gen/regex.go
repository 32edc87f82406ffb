package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A goPattern is a model pattern (java.util.regex syntax, matched against the
// whole value) translated to RE2: the value conforms when it fully matches
// Match and, if NotMatch is set, does not fully match NotMatch.
type goPattern struct {
	Match    string
	NotMatch string
}

// Java character classes whose RE2 spelling differs. Java's \s includes the
// vertical tab; Java's '.' (without DOTALL) excludes every line terminator.
const (
	javaSpaceClassBody = `\t\n\x0B\f\r `
	javaDot            = `[^\n\r\x{85}\x{2028}\x{2029}]`
)

// translatePattern turns a model pattern into anchored RE2 expressions.
// A leading negative lookahead "^(?!X)Y" (RE2 has none) becomes
// "fully matches Y and does not fully match X" when X ends in "$"; any other
// construct RE2 cannot express is an error, so the generator fails loudly
// instead of validating differently from AWS.
func translatePattern(p string) (goPattern, error) {
	var gp goPattern
	body := p
	if strings.HasPrefix(body, "^(?!") {
		end := matchingParen(body, 1)
		if end < 0 {
			return gp, fmt.Errorf("pattern %q: unbalanced lookahead", p)
		}
		inner := body[4:end]
		if !strings.HasSuffix(inner, "$") {
			return gp, fmt.Errorf("pattern %q: lookahead not anchored at the end", p)
		}
		neg, err := translateBody(strings.TrimSuffix(inner, "$"))
		if err != nil {
			return gp, fmt.Errorf("pattern %q: %w", p, err)
		}
		gp.NotMatch = "^(?:" + neg + ")$"
		body = "^" + body[end+1:]
	}
	t, err := translateBody(body)
	if err != nil {
		return gp, fmt.Errorf("pattern %q: %w", p, err)
	}
	gp.Match = "^(?:" + t + ")$"
	for _, e := range []string{gp.Match, gp.NotMatch} {
		if e == "" {
			continue
		}
		if _, err := regexp.Compile(e); err != nil {
			return gp, fmt.Errorf("pattern %q: translated %q does not compile: %w", p, e, err)
		}
	}
	return gp, nil
}

// matchingParen returns the index of the ')' closing the '(' at open,
// skipping escapes and character classes, or -1.
func matchingParen(s string, open int) int {
	depth, inClass := 0, false
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// translateBody rewrites the Java constructs whose meaning differs in RE2 and
// rejects those RE2 lacks (lookaround, backreferences, possessive
// quantifiers, class intersection and nested classes).
func translateBody(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' {
			next, err := translateEscape(&b, p, i, inClass)
			if err != nil {
				return "", err
			}
			i = next
			continue
		}
		if inClass {
			switch {
			case c == ']':
				inClass = false
			case c == '[':
				return "", fmt.Errorf("nested character class")
			case c == '&' && i+1 < len(p) && p[i+1] == '&':
				return "", fmt.Errorf("character class intersection")
			}
			b.WriteByte(c)
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' { // a leading ']' is literal
				b.WriteString(`\]`)
				i++
			}
		case '.':
			b.WriteString(javaDot)
		case '(':
			if strings.HasPrefix(p[i:], "(?") && !strings.HasPrefix(p[i:], "(?:") {
				return "", fmt.Errorf("unsupported group %q", p[i:min(i+4, len(p))])
			}
			b.WriteByte(c)
		case '+', '*', '?', '}':
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '+' {
				return "", fmt.Errorf("possessive quantifier")
			}
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("unterminated character class")
	}
	return b.String(), nil
}

// translateEscape writes the RE2 form of the escape at p[i] (a backslash)
// and returns the index of its last byte.
func translateEscape(b *strings.Builder, p string, i int, inClass bool) (int, error) {
	if i+1 >= len(p) {
		return 0, fmt.Errorf("trailing backslash")
	}
	switch n := p[i+1]; {
	case n == 's':
		if inClass {
			b.WriteString(javaSpaceClassBody)
		} else {
			b.WriteString("[" + javaSpaceClassBody + "]")
		}
	case n == 'S':
		if inClass {
			return 0, fmt.Errorf(`\S inside a character class`)
		}
		b.WriteString("[^" + javaSpaceClassBody + "]")
	case (n == 'p' || n == 'P') && i+2 < len(p) && p[i+2] == '{':
		end := strings.IndexByte(p[i:], '}')
		if end < 0 {
			return 0, fmt.Errorf("unterminated \\%c{", n)
		}
		b.WriteString(p[i : i+end+1])
		return i + end, nil
	case n >= '1' && n <= '9', n == 'k', n == 'Q', n == 'E', n == 'G', n == 'Z', n == 'R', n == 'X', n == 'h', n == 'H', n == 'v', n == 'V':
		return 0, fmt.Errorf(`unsupported escape \%c`, n)
	default:
		b.WriteByte('\\')
		b.WriteByte(n)
	}
	return i + 1, nil
}
