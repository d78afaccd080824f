package imapwire

// Byte classes of the IMAP grammar (RFC 9051 §9), one table lookup each.
const (
	clAtom    = 1 << iota // ATOM-CHAR
	clAString             // ASTRING-CHAR: ATOM-CHAR and "]"
	clTag                 // tag: ASTRING-CHAR except "+"
	clList                // list-char: ATOM-CHAR, list-wildcards, "]"
	clQuoted              // QUOTED-CHAR without escape: TEXT-CHAR except DQUOTE and "\", 8-bit allowed
	clText                // TEXT-CHAR: any octet but NUL, CR and LF (8-bit for UTF-8 text)
	clDigit               // DIGIT
	clLex                 // atoms of the generic lexer: ATOM-CHAR and list-wildcards, except "["
	clPlain               // no list, string or literal starts here: not ( ) " {
	clSeq                 // sequence-set octets: DIGIT : , * $
	clMbox7               // stands for itself in a modified UTF-7 name: printable ASCII but "&"
)

var class = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		var k uint16
		if c != 0 && c != '\r' && c != '\n' {
			k |= clText
			if c != '"' && c != '\\' {
				k |= clQuoted
			}
		}
		if c > 0x20 && c < 0x7f {
			switch c {
			case '(', ')', '{', '%', '*', '"', '\\', ']':
			default:
				k |= clAtom | clAString | clTag | clList | clLex
			}
			switch c {
			case ']':
				k |= clAString | clTag | clList
			case '%', '*':
				k |= clList | clLex
			case '+':
				k &^= clTag
			case '[':
				k &^= clLex
			}
		}
		if c >= '0' && c <= '9' {
			k |= clDigit
		}
		if c != '(' && c != ')' && c != '"' && c != '{' {
			k |= clPlain
		}
		if c >= '0' && c <= '9' || c == ':' || c == ',' || c == '*' || c == '$' {
			k |= clSeq
		}
		if c >= 0x20 && c <= 0x7e && c != '&' {
			k |= clMbox7
		}
		t[c] = k
	}
	return t
}()

// run returns the end of the run of bytes of class k starting at i.
func run(b []byte, i int, k uint16) int {
	for i < len(b) && class[b[i]]&k != 0 {
		i++
	}
	return i
}

// isAtom reports whether s is a non-empty run of ATOM-CHAR.
func isAtom(s []byte) bool { return len(s) > 0 && run(s, 0, clAtom) == len(s) }

// equalFold reports whether s equals the upper-case ASCII word w, ignoring
// ASCII case.
func equalFold(s []byte, w string) bool {
	if len(s) != len(w) {
		return false
	}
	if string(s) == w { // most peers write upper case
		return true
	}
	for i := range len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the upper-case word w.
func hasPrefixFold(s []byte, w string) bool {
	return len(s) >= len(w) && equalFold(s[:len(w)], w)
}

// parseUint parses 1*DIGIT up to limit; ok is false for empty input, other
// bytes, or overflow.
func parseUint(s []byte, limit uint64) (v uint64, ok bool) {
	if len(s) == 0 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// Number limits of the grammar: number (RFC 3501) is 32 bits, number64
// (RFC 9051) is 63 bits.
const (
	maxNumber   = 1<<32 - 1
	maxNumber64 = 1<<63 - 1
)
