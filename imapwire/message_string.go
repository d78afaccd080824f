package imapwire

import "bytes"

// In-place string writing for Message: a value is decoded onto the end of
// dst and then turned, where it lies, into an IMAP string, so no copy of
// it is made anywhere else.

// stringAt turns dst[start:] into a quoted string or, when it cannot be
// quoted (CR, LF, 8-bit, more than 4096 octets), a literal. NUL, which
// neither may hold, is written as U+FFFD, as Dovecot writes it in header
// values.
func stringAt(dst []byte, start int) []byte {
	if bytes.IndexByte(dst[start:], 0) >= 0 {
		dst = expandNUL(dst, start)
	}
	s := dst[start:]
	quote := len(s) <= maxQuoted
	esc := 0
	for i, c := range s {
		switch strClass[c] {
		case 0:
			continue
		case scEscape:
			esc++
		case scNUL: // none left after expandNUL; kept for safety
			s[i] = 0x80
			quote = false
		default:
			quote = false
		}
	}
	if !quote {
		var hdr [24]byte
		h := AppendLiteralHeader(hdr[:0], Literal{Size: uint64(len(s))})
		return insertAt(dst, start, h)
	}
	n := len(dst)
	for range esc + 2 {
		dst = append(dst, 0)
	}
	w := len(dst) - 1
	dst[w] = '"'
	if esc == 0 {
		copy(dst[start+1:w], dst[start:n])
		dst[start] = '"'
		return dst
	}
	for r := n - 1; r >= start; r-- {
		c := dst[r]
		w--
		dst[w] = c
		if c == '"' || c == '\\' {
			w--
			dst[w] = '\\'
		}
	}
	dst[start] = '"'
	return dst
}

// Octet classes of stringAt.
const (
	scEscape  = 1 + iota // '"' and '\\': escaped in a quoted string
	scNUL                // NUL: written as 0x80, in a literal
	scLiteral            // CR, LF, 8-bit: only in a literal
)

var strClass = func() (t [256]uint8) {
	t['"'], t['\\'], t[0], t['\r'], t['\n'] = scEscape, scEscape, scNUL, scLiteral, scLiteral
	for c := 0x80; c < 0x100; c++ {
		t[c] = scLiteral
	}
	return t
}()

// expandNUL rewrites dst[start:] with each NUL as U+FFFD (3 octets).
func expandNUL(dst []byte, start int) []byte {
	n := bytes.Count(dst[start:], []byte{0})
	old := len(dst)
	for range 2 * n {
		dst = append(dst, 0)
	}
	w := len(dst)
	for r := old - 1; r >= start; r-- {
		if c := dst[r]; c != 0 {
			w--
			dst[w] = c
			continue
		}
		w -= 3
		dst[w], dst[w+1], dst[w+2] = 0xef, 0xbf, 0xbd
	}
	return dst
}

// insertAt inserts p before dst[at:].
func insertAt(dst []byte, at int, p []byte) []byte {
	n := len(dst)
	dst = append(dst, p...)
	copy(dst[at+len(p):], dst[at:n])
	copy(dst[at:], p)
	return dst
}

// humanAt rewrites dst[start:] as Dovecot writes names and subjects "for
// humans": runs of white space (SP, TAB, CR, LF) become one space, and
// leading and trailing white space goes.
func humanAt(dst []byte, start int) []byte {
	w := start
	space := true // at the start: drop leading white space
	for r := start; r < len(dst); r++ {
		c := dst[r]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			if !space {
				dst[w] = ' '
				w++
			}
			space = true
			continue
		}
		space = false
		dst[w] = c
		w++
	}
	if w > start && dst[w-1] == ' ' {
		w--
	}
	return dst[:w]
}

// appendIString appends s as a string (quoted or literal by content).
func appendIString(dst, s []byte) []byte {
	start := len(dst)
	dst = append(dst, s...)
	return stringAt(dst, start)
}
