package smtpwire

import "strconv"

// EnhancedCode is an RFC 3463 enhanced status code, class.subject.detail,
// such as 5.1.1. The zero value means "none".
type EnhancedCode struct {
	Class, Subject, Detail uint16
}

// IsZero reports whether c is absent.
func (c EnhancedCode) IsZero() bool { return c.Class == 0 }

// Valid reports whether c can be written: class 2, 4 or 5, subject and
// detail at most 999.
func (c EnhancedCode) Valid() bool {
	return (c.Class == 2 || c.Class == 4 || c.Class == 5) && c.Subject <= 999 && c.Detail <= 999
}

// Append appends c in its wire form, such as "5.1.1".
func (c EnhancedCode) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, uint64(c.Class), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(c.Subject), 10)
	dst = append(dst, '.')
	return strconv.AppendUint(dst, uint64(c.Detail), 10)
}

// String returns the wire form; it allocates (Append does not).
func (c EnhancedCode) String() string { return string(c.Append(nil)) }

// parseEnhancedCode reads an enhanced code at the start of text, which must be
// followed by SP or the end of text. It returns the code and its length, or
// ok false.
func parseEnhancedCode(text []byte) (c EnhancedCode, n int, ok bool) {
	var parts [3]uint16
	for i := range parts {
		if i > 0 {
			if n >= len(text) || text[n] != '.' {
				return EnhancedCode{}, 0, false
			}
			n++
		}
		start := n
		v := 0
		for n < len(text) && n-start < 3 && isDigit(text[n]) {
			v = v*10 + int(text[n]-'0')
			n++
		}
		if n == start {
			return EnhancedCode{}, 0, false
		}
		parts[i] = uint16(v)
	}
	if n < len(text) && text[n] != ' ' {
		return EnhancedCode{}, 0, false
	}
	c = EnhancedCode{parts[0], parts[1], parts[2]}
	if !c.Valid() || text[1] != '.' {
		return EnhancedCode{}, 0, false
	}
	return c, n, true
}
