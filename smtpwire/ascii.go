package smtpwire

import "strconv"

// ASCII helpers shared by the parsers; none allocates.

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// equalFold compares b with the upper-case ASCII word s, ignoring the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if upper(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// equalFoldASCII compares b and s ignoring the ASCII case of both.
func equalFoldASCII[T string | []byte](b []byte, s T) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if upper(b[i]) != upper(s[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with the upper-case ASCII word s,
// ignoring the case of b.
func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && equalFold(b[:len(s)], s)
}

// parseUint reads 1 to maxDigits decimal digits that make up all of b.
func parseUint(b []byte, maxDigits int) (uint64, bool) {
	if len(b) == 0 || len(b) > maxDigits {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// itoa formats n for error messages.
func itoa(n int) string { return strconv.Itoa(n) }

// Byte classes of the path and parameter grammars, one table lookup per
// octet.
const (
	cAtext     uint8 = 1 << iota // RFC 5322 atext
	cLDH                         // letter, digit, "-": domain labels and esmtp-keyword
	cQtext                       // RFC 5321 qtextSMTP: %d32-33 / %d35-91 / %d93-126
	cValue                       // esmtp-value: %d33-60 / %d62-126, and octets over 0x7F (RFC 6531)
	cHigh                        // an octet over 0x7F
	cPlus                        // "+", the xtext escape
	cBackslash                   // "\", the utf-8-addr-xtext escape (RFC 6533)
)

// cKeyword: esmtp-keyword octets are LDH.
const cKeyword = cLDH

var charClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if isAtext(b) {
			t[c] |= cAtext
		}
		if isAlpha(b) || isDigit(b) || b == '-' {
			t[c] |= cLDH
		}
		if b >= 32 && b <= 126 && b != '"' && b != '\\' {
			t[c] |= cQtext
		}
		if b >= 33 && b <= 126 && b != '=' || b >= 0x80 {
			t[c] |= cValue
		}
		if b >= 0x80 {
			t[c] |= cHigh
		}
	}
	t['+'] |= cPlus
	t['\\'] |= cBackslash
	return t
}()
