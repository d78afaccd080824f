package headers

import "bytes"

// ftext marks the bytes allowed in a field name (RFC 5322 §3.6.8): printable
// US-ASCII except the colon.
var ftext = func() (t [256]bool) {
	for c := 33; c <= 126; c++ {
		t[c] = c != ':'
	}
	return t
}()

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

func indexLF(b []byte) int { return bytes.IndexByte(b, '\n') }

// validName reports whether name is a non-empty run of ftext.
func validName[T ~string | ~[]byte](name T) bool {
	if len(name) == 0 {
		return false
	}
	for i := range len(name) {
		if !ftext[name[i]] {
			return false
		}
	}
	return true
}
