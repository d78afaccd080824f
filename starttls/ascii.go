package starttls

// validHello reports whether s can follow "EHLO ": a non-empty run of
// printable ASCII without spaces (a domain or an address literal).
func validHello(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validTag reports whether t is an IMAP tag: one or more ASTRING-CHARs
// other than "+" (RFC 9051 §9).
func validTag(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '{', '%', '*', '"', '\\', '+':
			return false
		}
	}
	return true
}

// equalFoldASCII reports whether b equals the upper-case ASCII word w,
// ignoring ASCII case only (no Unicode folding: "ſ" is not "S").
func equalFoldASCII(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// firstWord returns b up to its first space.
func firstWord(b []byte) []byte {
	for i, c := range b {
		if c == ' ' {
			return b[:i]
		}
	}
	return b
}

// hasWord reports whether line is w, or w followed by SP.
func hasWord(line []byte, w string) bool {
	return len(line) >= len(w) && string(line[:len(w)]) == w && (len(line) == len(w) || line[len(w)] == ' ')
}

// listsWord reports whether the space-separated list b holds w, compared
// without regard to ASCII case.
func listsWord(b []byte, w string) bool {
	for len(b) > 0 {
		if b[0] == ' ' {
			b = b[1:]
			continue
		}
		word := firstWord(b)
		if equalFoldASCII(word, w) {
			return true
		}
		b = b[len(word):]
	}
	return false
}
