package headers

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

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

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroByte sets the high bit of the lowest zero byte of v (and maybe of
// higher bytes, which indexSpecial never looks at).
func zeroByte(v uint64) uint64 { return (v - ones) &^ v & highs }

// indexSpecial returns the index of the first LF, CR or NUL in b, or -1.
// It tests eight bytes at a time, which beats three bytes.IndexByte calls
// on header lines of a few dozen octets.
func indexSpecial(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := zeroByte(w) | zeroByte(w^(ones*'\n')) | zeroByte(w^(ones*'\r')); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '\n' || c == '\r' || c == 0 {
			return i
		}
	}
	return -1
}
