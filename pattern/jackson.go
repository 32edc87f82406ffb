package pattern

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a JSON tokenizer that reproduces, for a pattern held in a
// string, the token stream and the parser location of the Jackson streaming
// parser AWS's rule compiler runs on. Error columns in AWS messages are that
// location, so the quirks matter: a field name is read together with the
// first character of its value; a string value is left unread (the location
// sits just past its opening quote) until its text is asked for; a number is
// read to its last character.

type token uint8

const (
	tokEOF token = iota
	tokStartObject
	tokEndObject
	tokStartArray
	tokEndArray
	tokField
	tokString
	tokInt
	tokFloat
	tokTrue
	tokFalse
	tokNull
)

func (t token) isNumeric() bool { return t == tokInt || t == tokFloat }

type scopeKind uint8

const (
	scopeRoot scopeKind = iota
	scopeObject
	scopeArray
)

func (k scopeKind) desc() string {
	switch k {
	case scopeObject:
		return "Object"
	case scopeArray:
		return "Array"
	}
	return "root"
}

type scope struct {
	kind      scopeKind
	index     int // entries seen so far, -1 before the first
	line, col int // where the scope's opening bracket is
}

// A syntaxError carries an *Error out of the tokenizer and compiler; Compile
// recovers it.
type syntaxError struct{ err *Error }

type lexer struct {
	src      string
	pos      int // Jackson's input pointer, as a byte offset
	line     int // 1-based row of pos
	rowStart int // byte offset where the row of pos starts

	scopes []scope

	cur        token
	pending    token // the value token read along with a field name
	name       string
	incomplete bool   // cur is a string whose text is not read yet
	text       string // string text once read, or number literal
	tokLine    int    // where the last value token started (for scopes)
	tokCol     int
}

func newLexer(src string) *lexer {
	return &lexer{src: src, line: 1, scopes: []scope{{kind: scopeRoot, index: -1, line: 1, col: 0}}}
}

func (l *lexer) column() int { return utf16Len(l.src[l.rowStart:l.pos]) + 1 }

// fail aborts compilation with reason at the current parser location.
func (l *lexer) fail(reason string) {
	panic(syntaxError{&Error{Reason: reason, Line: l.line, Column: l.column(), Source: l.src}})
}

func (l *lexer) top() *scope { return &l.scopes[len(l.scopes)-1] }

// charDesc describes a character the way Jackson's _getCharDesc does.
func charDesc(c rune) string {
	if c < 0x20 || (c >= 0x7f && c <= 0x9f) {
		return "(CTRL-CHAR, code " + strconv.Itoa(int(c)) + ")"
	}
	if c > 255 {
		return "'" + string(c) + "' (code " + strconv.Itoa(int(c)) + " / 0x" + strconv.FormatInt(int64(c), 16) + ")"
	}
	return "'" + string(c) + "' (code " + strconv.Itoa(int(c)) + ")"
}

func (l *lexer) unexpected(c rune, comment string) {
	msg := "Unexpected character (" + charDesc(c) + ")"
	if comment != "" {
		msg += ": " + comment
	}
	l.fail(msg)
}

const validValues = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// readChar consumes one character and returns it as a UTF-16 unit would be
// seen by Jackson (a supplementary character yields its high surrogate).
func (l *lexer) readChar() rune {
	r, size := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += size
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

// skipWS consumes whitespace and returns the next character, consumed, or -1
// at the end of input.
func (l *lexer) skipWS() rune {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t':
			l.pos++
		case c == '\n':
			l.pos++
			l.line++
			l.rowStart = l.pos
		case c == '\r':
			l.pos++
			if l.pos < len(l.src) && l.src[l.pos] == '\n' {
				l.pos++
			}
			l.line++
			l.rowStart = l.pos
		case c == '/':
			l.pos++
			l.unexpected('/', "maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)")
		case c < 0x20:
			l.pos++
			l.fail("Illegal character (" + charDesc(rune(c)) + "): only regular white space (\\r, \\n, \\t) is allowed between tokens")
		default:
			return l.readChar()
		}
	}
	return -1
}

// next advances to the next token, like JsonParser.nextToken.
func (l *lexer) next() token {
	if l.cur == tokField {
		l.cur = l.pending
		l.incomplete = l.cur == tokString
		switch l.cur {
		case tokStartObject:
			l.scopes = append(l.scopes, scope{kind: scopeObject, index: -1, line: l.tokLine, col: l.tokCol})
		case tokStartArray:
			l.scopes = append(l.scopes, scope{kind: scopeArray, index: -1, line: l.tokLine, col: l.tokCol})
		}
		return l.cur
	}
	if l.incomplete {
		l.readString()
	}
	c := l.skipWS()
	if c < 0 {
		if s := l.top(); s.kind != scopeRoot {
			l.fail("Unexpected end-of-input: expected close marker for " + s.kind.desc() +
				" (start marker at " + jacksonLocation(l.src, s.line, s.col) + ")")
		}
		l.cur = tokEOF
		return l.cur
	}
	if c == ']' || c == '}' {
		l.closeScope(c)
		return l.cur
	}
	s := l.top()
	s.index++
	if s.kind != scopeRoot && s.index > 0 {
		if c != ',' {
			l.unexpected(c, "was expecting comma to separate "+s.kind.desc()+" entries")
		}
		if c = l.skipWS(); c < 0 {
			l.fail("Unexpected end-of-input within/between " + s.kind.desc() + " entries")
		}
	}
	inObject := s.kind == scopeObject
	if inObject {
		if c != '"' {
			l.unexpected(c, "was expecting double-quote to start field name")
		}
		l.name = l.readName()
		c = l.skipColon()
	}
	l.tokLine, l.tokCol = l.line, l.column()-1
	t := l.value(c, inObject)
	if inObject {
		l.pending = t
		l.cur = tokField
		l.incomplete = false
		return l.cur
	}
	l.cur = t
	l.incomplete = t == tokString
	return t
}

func (l *lexer) skipColon() rune {
	c := l.skipWS()
	if c < 0 {
		l.fail("Unexpected end-of-input within/between Object entries")
	}
	if c != ':' {
		l.unexpected(c, "was expecting a colon to separate field name and value")
	}
	c = l.skipWS()
	if c < 0 {
		l.fail("Unexpected end-of-input within/between Object entries")
	}
	return c
}

func (l *lexer) closeScope(c rune) {
	s := l.top()
	want, ok := rune('}'), s.kind == scopeArray
	if c == '}' {
		want, ok = ']', s.kind == scopeObject
	}
	if !ok {
		l.fail("Unexpected close marker '" + string(c) + "': expected '" + string(want) +
			"' (for " + s.kind.desc() + " starting at " + jacksonLocation(l.src, s.line, s.col) + ")")
	}
	l.scopes = l.scopes[:len(l.scopes)-1]
	l.cur = tokEndArray
	if c == '}' {
		l.cur = tokEndObject
	}
	l.incomplete = false
}

// value reads the start of a value whose first character c is consumed.
func (l *lexer) value(c rune, inObject bool) token {
	switch {
	case c == '"':
		return tokString
	case c == '[' || c == '{':
		t := tokStartArray
		kind := scopeArray
		if c == '{' {
			t, kind = tokStartObject, scopeObject
		}
		if !inObject {
			l.scopes = append(l.scopes, scope{kind: kind, index: -1, line: l.tokLine, col: l.tokCol})
		}
		return t
	case c == '}':
		l.unexpected(c, "expected a value")
	case c == 't':
		l.matchWord("true")
		return tokTrue
	case c == 'f':
		l.matchWord("false")
		return tokFalse
	case c == 'n':
		l.matchWord("null")
		return tokNull
	case c == '-' || (c >= '0' && c <= '9'):
		return l.number(c)
	case c == 'N' || c == 'I':
		word := "NaN"
		if c == 'I' {
			word = "Infinity"
		}
		l.matchWord(word)
		l.fail("Non-standard token '" + word + "': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow")
	case c == '+':
		if l.pos >= len(l.src) {
			l.fail("Unexpected end-of-input in a Number value")
		}
		l.readChar()
		l.fail("Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow")
	}
	if isJavaIdentStart(c) {
		l.invalidToken(string(c))
	}
	l.unexpected(c, "expected a valid value "+validValues)
	return tokEOF
}

func isJavaIdentStart(c rune) bool {
	return c == '$' || c == '_' || unicode.IsLetter(c) || unicode.Is(unicode.Sc, c) || unicode.Is(unicode.Pc, c) || unicode.Is(unicode.Nl, c)
}

func isJavaIdentPart(c rune) bool {
	return isJavaIdentStart(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Mc, c) ||
		(c >= 0 && c <= 8) || (c >= 0x0e && c <= 0x1b) || (c >= 0x7f && c <= 0x9f)
}

// matchWord checks the rest of a literal whose first letter is consumed.
func (l *lexer) matchWord(word string) {
	for i := 1; i < len(word); i++ {
		if l.pos >= len(l.src) || l.src[l.pos] != word[i] {
			l.invalidToken(word[:i])
		}
		l.pos++
	}
	if l.pos < len(l.src) {
		c, _ := utf8.DecodeRuneInString(l.src[l.pos:])
		if c >= '0' && c != ']' && c != '}' && isJavaIdentPart(c) {
			l.invalidToken(word)
		}
	}
}

func (l *lexer) invalidToken(matched string) {
	var b strings.Builder
	b.WriteString(matched)
	n := utf16Len(matched)
	for l.pos < len(l.src) {
		c, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isJavaIdentPart(c) {
			break
		}
		l.pos += size
		b.WriteString(l.src[l.pos-size : l.pos])
		if n++; n >= 256 {
			b.WriteString("...")
			break
		}
	}
	l.fail("Unrecognized token '" + b.String() + "': was expecting " + validValues)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads a number whose first character c is consumed.
func (l *lexer) number(c rune) token {
	start := l.pos - 1
	if c == '-' {
		if l.pos >= len(l.src) {
			l.fail("Unexpected end-of-input in a Number value")
		}
		d := l.readChar()
		if d == '.' {
			l.unexpected('.', "expected a valid value "+validValues)
		}
		if d < '0' || d > '9' {
			l.fail("Unexpected character (" + charDesc(d) + ") in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value")
		}
		c = d
	}
	if c == '0' && l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.fail("Invalid numeric value: Leading zeroes not allowed")
	}
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	t := tokInt
	if l.pos < len(l.src) && (l.src[l.pos] == '.' || l.src[l.pos]|0x20 == 'e') {
		t = tokFloat
		l.pos++
		errPos := l.pos // Jackson reports float errors here
		p := l.pos
		if l.src[errPos-1] == '.' {
			for p < len(l.src) && isDigit(l.src[p]) {
				p++
			}
			if p == l.pos {
				l.numberError(p, errPos, "Decimal point not followed by a digit")
			}
			if p < len(l.src) && l.src[p]|0x20 == 'e' {
				p++
			} else {
				l.pos = p
				l.text = l.src[start:l.pos]
				return l.rootSpace(t)
			}
		}
		if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
			p++
		}
		q := p
		for q < len(l.src) && isDigit(l.src[q]) {
			q++
		}
		if q == p {
			l.numberError(q, errPos, "Exponent indicator not followed by a digit")
		}
		l.pos = q
	}
	l.text = l.src[start:l.pos]
	return l.rootSpace(t)
}

func (l *lexer) numberError(at, errPos int, comment string) {
	if at >= len(l.src) {
		l.pos = len(l.src)
		l.fail("Unexpected end-of-input in a Number value")
	}
	c, _ := utf8.DecodeRuneInString(l.src[at:])
	l.pos = errPos
	l.fail("Unexpected character (" + charDesc(c) + ") in numeric value: " + comment)
}

// rootSpace mirrors Jackson's check that a root-level number is followed by
// white space, which it consumes.
func (l *lexer) rootSpace(t token) token {
	if l.top().kind != scopeRoot || l.pos >= len(l.src) {
		return t
	}
	c := l.readChar()
	switch c {
	case ' ', '\t':
	case '\r':
		if l.pos < len(l.src) && l.src[l.pos] == '\n' {
			l.pos++
		}
		l.line++
		l.rowStart = l.pos
	case '\n':
		l.line++
		l.rowStart = l.pos
	default:
		l.unexpected(c, "Expected space separating root-level values")
	}
	return t
}

// readName reads a field name whose opening quote is consumed.
func (l *lexer) readName() string {
	return l.readQuoted("name", "Unexpected end-of-input in field name")
}

// readString finishes the current string value (Jackson's _finishString or
// _skipString): the location moves past the closing quote.
func (l *lexer) readString() {
	l.text = l.readQuoted("string value", "Unexpected end-of-input: was expecting closing quote for a string value")
	l.incomplete = false
}

func (l *lexer) readQuoted(what, eof string) string {
	start := l.pos
	for i := l.pos; i < len(l.src); i++ {
		c := l.src[i]
		if c == '"' {
			l.pos = i + 1
			return l.src[start:i]
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			l.fail(eof)
		}
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return b.String()
		case c < 0x20:
			l.pos++
			l.fail("Illegal unquoted character (" + charDesc(rune(c)) + "): has to be escaped using backslash to be included in " + what)
		case c == '\\':
			l.pos++
			l.escape(&b)
		default:
			_, size := utf8.DecodeRuneInString(l.src[l.pos:])
			b.WriteString(l.src[l.pos : l.pos+size])
			l.pos += size
		}
	}
}

func (l *lexer) escape(b *strings.Builder) {
	if l.pos >= len(l.src) {
		l.fail("Unexpected end-of-input in character escape sequence")
	}
	c := l.readChar()
	switch c {
	case '"', '\\', '/':
		b.WriteByte(byte(c))
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		v := rune(0)
		for i := 0; i < 4; i++ {
			if l.pos >= len(l.src) {
				l.fail("Unexpected end-of-input in character escape sequence")
			}
			h := l.readChar()
			d := hexVal(h)
			if d < 0 {
				l.unexpected(h, "expected a hex-digit for character escape sequence")
			}
			v = v<<4 | rune(d)
		}
		l.appendUnit(b, v)
	default:
		l.fail("Unrecognized character escape " + charDesc(c))
	}
}

// appendUnit appends one UTF-16 unit, pairing surrogates written as two
// escapes; a lone surrogate becomes U+FFFD.
func (l *lexer) appendUnit(b *strings.Builder, v rune) {
	if utf16.IsSurrogate(v) && v < 0xdc00 && strings.HasPrefix(l.src[l.pos:], `\u`) && len(l.src) >= l.pos+6 {
		lo := rune(0)
		ok := true
		for i := 2; i < 6; i++ {
			d := hexVal(rune(l.src[l.pos+i]))
			if d < 0 {
				ok = false
				break
			}
			lo = lo<<4 | rune(d)
		}
		if ok && lo >= 0xdc00 && lo <= 0xdfff {
			l.pos += 6
			b.WriteRune(utf16.DecodeRune(v, lo))
			return
		}
	}
	b.WriteRune(v) // WriteRune turns a lone surrogate into U+FFFD
}

func hexVal(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// getText returns the text of the current token, like JsonParser.getText; for
// a string it reads the string, moving the location past it.
func (l *lexer) getText() string {
	switch l.cur {
	case tokString:
		if l.incomplete {
			l.readString()
		}
		return l.text
	case tokField:
		return l.name
	case tokInt, tokFloat:
		return l.text
	case tokTrue:
		return "true"
	case tokFalse:
		return "false"
	case tokNull:
		return "null"
	case tokStartObject:
		return "{"
	case tokEndObject:
		return "}"
	case tokStartArray:
		return "["
	case tokEndArray:
		return "]"
	}
	return "null"
}
