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
