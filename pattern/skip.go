package pattern

// skip reads, validates and discards the value at s.i, which no pattern
// looks into. It is iterative, with the nesting kept as a bit stack, so it
// runs as one tight loop over the bytes; nesting deeper than 64 falls back to
// the recursive reader.
func (s *scanner) skip() error {
	b := s.buf
	i := s.i
	var stack uint64 // bit set: object; clear: array
	depth := 0
	for {
		// a value is expected at i
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return ErrInvalidJSON
		}
		switch c := b[i]; {
		case c == '"':
			j, ok := skipString(b, i)
			if !ok {
				return ErrInvalidJSON
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			s.i = i
			if !s.number() {
				return ErrInvalidJSON
			}
			i = s.i
		case c == 't' || c == 'f' || c == 'n':
			w := "null"
			if c == 't' {
				w = "true"
			} else if c == 'f' {
				w = "false"
			}
			if len(b)-i < len(w) || string(b[i:i+len(w)]) != w {
				return ErrInvalidJSON
			}
			i += len(w)
		case c == '{' || c == '[':
			if depth == 64 {
				s.i = i
				if err := s.value(nil); err != nil {
					return err
				}
				i = s.i
				break
			}
			i++
			for i < len(b) && isSpace(b[i]) {
				i++
			}
			if i < len(b) && b[i] == c+2 { // '{'+2 == '}', '['+2 == ']'
				i++
				break
			}
			stack <<= 1
			depth++
			if c == '{' {
				stack |= 1
				j, ok := skipKey(b, i)
				if !ok {
					return ErrInvalidJSON
				}
				i = j
			}
			continue
		default:
			return ErrInvalidJSON
		}
		// after a value: close scopes or move to the next entry
		for {
			if depth == 0 {
				s.i = i
				return nil
			}
			for i < len(b) && isSpace(b[i]) {
				i++
			}
			if i >= len(b) {
				return ErrInvalidJSON
			}
			obj := stack&1 == 1
			c := b[i]
			i++
			if c == ',' {
				if obj {
					j, ok := skipKey(b, i)
					if !ok {
						return ErrInvalidJSON
					}
					i = j
				}
				break
			}
			if (obj && c != '}') || (!obj && c != ']') {
				return ErrInvalidJSON
			}
			stack >>= 1
			depth--
		}
	}
}

// skipKey reads `"key" :` starting at (or after white space before) i.
func skipKey(b []byte, i int) (int, bool) {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i, ok := skipString(b, i)
	if !ok {
		return i, false
	}
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return i + 1, true
}

// skipString validates the string opening at i and returns the index past
// its closing quote.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return i, false
				}
				for _, h := range b[i+2 : i+6] {
					if hexVal(rune(h)) < 0 {
						return i, false
					}
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default:
			i++
		}
	}
	return i, false
}
