package mime

// Lexical helpers of RFC 5322 and RFC 2045 over a field value (folds kept).

// equalFold reports whether a equals the ASCII string b ignoring case.
func equalFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// EqualFold reports whether a equals the ASCII string b ignoring case.
func EqualFold(a []byte, b string) bool { return equalFold(a, b) }

// EqualFoldBytes reports whether a and b are equal ignoring ASCII case.
func EqualFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}

func isLWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipCFWS skips white space, line ends and (nested) comments from i; an
// unterminated comment runs to the end.
func skipCFWS(v []byte, i int) int {
	for i < len(v) {
		c := v[i]
		if isLWSP(c) {
			i++
			continue
		}
		if c != '(' {
			return i
		}
		i = skipComment(v, i)
	}
	return i
}

// skipComment returns the end of the comment at v[i] == '('.
func skipComment(v []byte, i int) int {
	depth := 0
	for ; i < len(v); i++ {
		switch v[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		case '\\':
			if i+1 < len(v) && v[i+1] != '\r' && v[i+1] != '\n' {
				i++
			}
		}
	}
	return i
}

// tokenChar reports a MIME token octet (RFC 2045 §5.1), 8-bit octets
// accepted as Dovecot does.
func tokenChar(c byte) bool { return octets[c]&octToken != 0 }

// atext reports an RFC 5322 atext octet, 8-bit octets accepted (RFC 6532).
func atext(c byte) bool { return octets[c]&octAtext != 0 }

const (
	octToken = 1 << iota
	octAtext
)

var octets = func() (t [256]uint8) {
	for c := 0x21; c < 0x100; c++ {
		if c != 0x7f {
			t[c] = octToken | octAtext
		}
	}
	for _, c := range []byte("()<>@,;:\\\"/[]?=") {
		t[c] &^= octToken
	}
	for _, c := range []byte("()<>[]:;@\\,.\"") {
		t[c] &^= octAtext
	}
	return t
}()

// quotedEnd returns the end of the quoted string at v[i] == '"' (after
// the closing quote, or the end of v when it is missing) and whether it
// was closed.
func quotedEnd(v []byte, i int) (int, bool) {
	for i++; i < len(v); i++ {
		switch v[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 < len(v) && v[i+1] != '\r' && v[i+1] != '\n' {
				i++
			}
		}
	}
	return i, false
}

// appendQuotedContent appends q, the inside of a quoted string: quoted
// pairs resolved, the line ends of folds removed.
func appendQuotedContent(dst, q []byte) []byte {
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '\\':
			if i+1 < len(q) && q[i+1] != '\r' && q[i+1] != '\n' {
				i++
				c = q[i]
			}
		case '\r', '\n':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendUnfold appends v with the line ends of folds removed (RFC 5322
// §2.2.3): the white space after them stays.
func AppendUnfold(dst, v []byte) []byte {
	for _, c := range v {
		if c != '\r' && c != '\n' {
			dst = append(dst, c)
		}
	}
	return dst
}
