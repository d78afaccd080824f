package smtpwire

import "unicode/utf8"

// xtext (RFC 3461 §4): printable ASCII except "+" and "=" as itself, any
// octet as "+" and two upper-case hex digits. With unicode set (ORCPT
// utf-8, RFC 6533) raw UTF-8 and "\x{HEX}" code points are accepted too.

// scanXtext checks src and, when store is set, appends its decoding to dst.
func scanXtext(dst, src []byte, unicode, store bool) ([]byte, bool) {
	if len(src) == 0 {
		return dst, false
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '+':
			h, ok := hexByte(src, i+1)
			if !ok {
				return dst, false
			}
			if store {
				dst = append(dst, h)
			}
			i += 3
		case unicode && c == '\\':
			r, n, ok := unicodeEscape(src[i:])
			if !ok {
				return dst, false
			}
			if store {
				dst = utf8.AppendRune(dst, r)
			}
			i += n
		case unicode && c >= 0x80:
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n <= 1 {
				return dst, false
			}
			if store {
				dst = append(dst, src[i:i+n]...)
			}
			i += n
		case c >= 33 && c <= 126 && c != '=':
			if store {
				dst = append(dst, c)
			}
			i++
		default:
			return dst, false
		}
	}
	return dst, true
}

// unicodeEscape reads "\x{HEX}" with 2 to 6 hex digits naming a Unicode
// scalar value.
func unicodeEscape(s []byte) (rune, int, bool) {
	if len(s) < 6 || s[1] != 'x' || s[2] != '{' {
		return 0, 0, false
	}
	var r rune
	i := 3
	for ; i < len(s) && s[i] != '}'; i++ {
		d, ok := hexDigit(s[i])
		if !ok || i-3 >= 6 {
			return 0, 0, false
		}
		r = r<<4 | rune(d)
	}
	if i >= len(s) || i-3 < 2 || !utf8.ValidRune(r) {
		return 0, 0, false
	}
	return r, i + 1, true
}

// hexByte reads two upper-case hex digits at s[i:].
func hexByte(s []byte, i int) (byte, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	hi, ok1 := hexDigit(s[i])
	lo, ok2 := hexDigit(s[i+1])
	return hi<<4 | lo, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// AppendXtext appends the xtext encoding of s to dst.
func AppendXtext(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		if c >= 33 && c <= 126 && c != '+' && c != '=' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '+', hex[c>>4], hex[c&15])
		}
	}
	return dst
}
