package pop3

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isControl reports the octets that never appear in a POP3 line: C0
// controls and DEL. Octets above 0x7F are UTF-8 (RFC 6856) and allowed.
func isControl(c byte) bool { return c < 0x20 || c == 0x7f }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// equalFold reports whether b equals s, ASCII case-insensitively.
func equalFold[T ~string | ~[]byte](b T, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(s) {
		if upper(b[i]) != upper(s[i]) {
			return false
		}
	}
	return true
}

// indexControl returns the index of the first control octet in b, or -1.
func indexControl[T ~string | ~[]byte](b T) int {
	for i := range len(b) {
		if isControl(b[i]) {
			return i
		}
	}
	return -1
}

// cut splits b at its first space.
func cut(b []byte) (before, after []byte, found bool) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// parseDecimal parses a non-empty run of decimal digits no greater than
// limit. It allocates nothing and rejects signs, spaces and overflow.
func parseDecimal(b []byte, limit uint64) (uint64, bool) {
	n, rest, ok := leadingDecimal(b, limit)
	return n, ok && len(rest) == 0
}

// leadingDecimal parses the non-empty run of decimal digits that starts b,
// no greater than limit, and returns what follows it. Up to 19
// significant digits cannot overflow a uint64, so the limit is checked
// once, at the end.
func leadingDecimal(b []byte, limit uint64) (n uint64, rest []byte, ok bool) {
	i := 0
	for i < len(b) && b[i] == '0' {
		i++
	}
	start := i
	for i < len(b) && isDigit(b[i]) {
		n = n*10 + uint64(b[i]-'0')
		i++
	}
	if i == 0 || i-start > 19 || n > limit {
		return 0, nil, false
	}
	return n, b[i:], true
}

// MaxMessageNumber is the largest message number (and TOP line count) this
// package accepts: 2^31-1, the same on every platform.
const MaxMessageNumber = 1<<31 - 1

// ParseMessageNumber parses a message number: decimal digits only, from 1
// to MaxMessageNumber. Zero, signs, spaces and overflow give
// ErrMessageNumber. It does not allocate.
func ParseMessageNumber(b []byte) (int, error) {
	n, ok := parseDecimal(b, MaxMessageNumber)
	if !ok || n == 0 {
		return 0, ErrMessageNumber
	}
	return int(n), nil
}
