package headers

import (
	"encoding/binary"
	"math/bits"
	"time"
)

// Received is the trace field a submission service adds for a message it
// accepts, written by [AppendReceived] without the client's IP address or
// host name (no "from" clause), as OpenSMTPD's mask-src writes it.
type Received struct {
	By   string // the service's host name
	With string // the protocol, such as "ESMTPSA"; optional
	ID   string // the queue ID; optional
	Date time.Time
}

// AppendReceived appends the field, folded before the date:
//
//	Received: by mail.example.org with ESMTPSA id 4F2Kq8;
//	 Tue, 14 Oct 2025 09:12:44 +0200
//
// By, With and ID must be tokens of printable US-ASCII without white space
// or the specials ( ) < > ; and By is required; otherwise ErrInjection.
// It does not allocate when the field fits in 256 octets.
func AppendReceived(dst []byte, r Received) ([]byte, error) {
	if !validToken(r.By) || (r.With != "" && !validToken(r.With)) || (r.ID != "" && !validToken(r.ID)) {
		return dst, &SyntaxError{Err: ErrInjection, Offset: 0}
	}
	var buf [256]byte
	v := append(buf[:0], "by "...)
	v = append(v, r.By...)
	if r.With != "" {
		v = append(v, " with "...)
		v = append(v, r.With...)
	}
	if r.ID != "" {
		v = append(v, " id "...)
		v = append(v, r.ID...)
	}
	v = append(v, ';')
	orig := len(dst)
	dst, err := AppendField(dst, "Received", v)
	if err != nil {
		return dst, err
	}
	dst = append(dst[:len(dst)-len(crlf)], "\r\n "...)
	dst = r.Date.AppendFormat(dst, "Mon, 02 Jan 2006 15:04:05 -0700")
	dst = append(dst, crlf...)
	if !validFields(dst[orig:]) {
		return dst[:orig], &SyntaxError{Err: ErrLineTooLong, Offset: 0}
	}
	return dst, nil
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f, c == '(', c == ')', c == '<', c == '>', c == ';':
			return false
		}
	}
	return true
}

// StripReceived returns a rule for the Received fields of a message being
// submitted. A field whose "by" host is one of hosts (ASCII case ignored)
// was added by the service itself: its "from" clause, with the client's
// HELO name, host name, IP address and any comment such as Postfix's
// "(Authenticated sender: …)", is cut out, and the rest is kept byte for
// byte. Any other Received field was added on the client's side (a local
// MTA, say, that names the client's machine) and is dropped. With no hosts,
// every field loses its "from" clause and none is dropped.
//
// RFC 5321 §4.4 forbids changing trace fields another host added; a
// privacy service that removes the client's own ones does so on purpose,
// and should rather add its own field with [AppendReceived].
func StripReceived(hosts ...string) Rule {
	return Rule{Name: "Received", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
		return appendStrippedReceived(dst, f, hosts)
	}}
}

func appendStrippedReceived(dst []byte, f Field, hosts []string) ([]byte, error) {
	v := f.Value
	from, rest := -1, -1 // the from clause is v[from:rest]
	var byHost []byte
	wantHost, skipHELO := false, false
	for i := 0; ; {
		start, end := nextReceivedToken(v, i)
		if start < 0 {
			if end >= 0 && from >= 0 && rest < 0 {
				rest = end // the ";" before the date
			}
			break
		}
		i = end
		tok := v[start:end]
		if wantHost {
			byHost = tok // the by clause follows any from clause: all is known
			break
		}
		if skipHELO {
			skipHELO = false
			continue
		}
		if start == 0 && EqualFold(tok, "from") {
			from, skipHELO = start, true
			continue
		}
		if clause := receivedClause(tok); clause != "" {
			if from >= 0 && rest < 0 {
				rest = start
			}
			wantHost = clause == "by"
		}
		if len(hosts) == 0 && (from < 0 || rest >= 0) {
			break // no by host needed
		}
	}
	if len(hosts) > 0 && !matchesAny(byHost, hosts) {
		return dst, nil
	}
	if from < 0 {
		return append(dst, f.Raw...), nil
	}
	if rest < 0 {
		return dst, nil
	}
	dst = append(dst, f.Name...)
	dst = append(dst, ": "...)
	dst = append(dst, v[rest:]...)
	return append(dst, crlf...), nil
}

// receivedClause returns the clause keyword (RFC 5321 §4.4) that ends a
// from clause, in lower case, if tok is one, ASCII case ignored; or "".
func receivedClause(tok []byte) string {
	var kw string
	switch len(tok) {
	case 2:
		kw = "by"
		if tok[0]|0x20 == 'i' {
			kw = "id"
		}
	case 3:
		kw = "via"
		if tok[0]|0x20 == 'f' {
			kw = "for"
		}
	case 4:
		kw = "with"
	default:
		return ""
	}
	if !EqualFold(tok, kw) {
		return ""
	}
	return kw
}

// nextReceivedToken skips white space, folds and comments from i and
// returns the bounds of the next word or quoted string. At a ";" it returns
// (-1, position of the ";"); at the end, (-1, -1).
func nextReceivedToken(v []byte, i int) (start, end int) {
	for i < len(v) {
		switch c := v[i]; {
		case isWSP(c) || c == '\r' || c == '\n':
			i++
		case c == '(':
			i = skipComment(v, i)
		case c == '"':
			return i, skipQuoted(v, i)
		case c == ';':
			return -1, i
		default:
			j := i + 1
			for j < len(v) && !tokenEnd[v[j]] {
				j++
			}
			return i, j
		}
	}
	return -1, -1
}

// tokenEnd marks the bytes that end a word of a Received field: white
// space, line ends, and the starts of a comment, a quoted string or the
// date.
var tokenEnd = func() (t [256]bool) {
	for _, c := range " \t\r\n(;\"" {
		t[c] = true
	}
	return t
}()

// skipComment returns the index after the comment that starts at v[i],
// nested comments and quoted pairs included, or len(v) if it is unclosed.
// It tests eight bytes at a time for the three that matter, "(", ")" and
// "\\", and handles every one a word holds before it loads the next.
func skipComment(v []byte, i int) int {
	depth := 0
	escaped := false // the byte at i is quoted by a "\\" before it
	for i < len(v) {
		var m uint64 // a high bit for each candidate byte at i...i+7
		if len(v)-i >= 8 {
			w := binary.LittleEndian.Uint64(v[i:])
			// (w|1)^')' is zero at "(" and ")"; w^'\\' at "\\". zeroByte
			// may mark a byte above a real one (a "]" after a "\\"): the
			// switch below looks at each byte it marks.
			m = zeroByte((w|ones)^(ones*')')) | zeroByte(w^(ones*'\\'))
		} else {
			for k, c := range v[i:] {
				if c == '(' || c == ')' || c == '\\' {
					m |= 0x80 << (8 * k)
				}
			}
		}
		if escaped { // the quoted byte is content, whatever it is
			m &^= 0x80
			escaped = false
		}
		for m != 0 {
			k := bits.TrailingZeros64(m) / 8
			m &= m - 1
			switch v[i+k] {
			case '\\':
				if k == 7 {
					escaped = true
				} else {
					m &^= 0x80 << (8 * (k + 1))
				}
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					return i + k + 1
				}
			}
		}
		i += 8
	}
	return len(v)
}

// skipQuoted returns the index after the quoted string at v[i].
func skipQuoted(v []byte, i int) int {
	for i++; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(v)
}

func matchesAny(b []byte, names []string) bool {
	for _, n := range names {
		if EqualFold(b, n) {
			return true
		}
	}
	return false
}
