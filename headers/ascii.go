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

// indexNotFtext returns the index of the first byte of b that cannot be in
// a field name (a control, space, colon, DEL or 8-bit byte), or -1. It
// tests eight bytes at a time, exactly.
func indexNotFtext(b []byte) int {
	i := 0
	for p := b; len(p) >= 8; p = p[8:] {
		if m := notFtext(binary.LittleEndian.Uint64(p)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for j, c := range b[i:] {
		if !ftext[c] {
			return i + j
		}
	}
	return -1
}

// notFtext marks, in the high bit of each byte, the bytes of w that
// cannot be in a field name, exactly. Per byte, with no carry between
// bytes: t is the byte's low seven bits; t+0x5f reaches 0x80 from t = 0x21
// on, t+1 from 0x7f on, and (t^':')+0x7f unless t is ':'.
func notFtext(w uint64) uint64 {
	t := w &^ highs
	return (^((t + ones*0x5f) & ((t ^ ones*':') + ones*0x7f)) | (t + ones) | w) & highs
}

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
// higher bytes, which indexAny3 never looks at).
func zeroByte(v uint64) uint64 { return (v - ones) &^ v & highs }

// indexControl returns the index of the first byte below 0x20 (LF, CR,
// NUL, TAB, …) in b, or -1. It tests sixteen bytes at a time, in two
// independent words, with three operations a word: on header lines of a
// few dozen octets this beats bytes.IndexByte calls for LF, CR and NUL.
func indexControl(b []byte) int {
	const below = ones * 0x20
	i := 0
	// p shrinks with i, so that the compiler sees every load in bounds.
	for p := b; len(p) >= 16; p = p[16:] {
		w0 := binary.LittleEndian.Uint64(p)
		w1 := binary.LittleEndian.Uint64(p[8:])
		m0 := (w0 - below) &^ w0 & highs
		m1 := (w1 - below) &^ w1 & highs
		if m0 != 0 {
			return i + bits.TrailingZeros64(m0)/8
		}
		if m1 != 0 {
			return i + 8 + bits.TrailingZeros64(m1)/8
		}
		i += 16
	}
	for j, c := range b[i:] {
		if c < 0x20 {
			return i + j
		}
	}
	return -1
}

// indexAny3 returns the index of the first x, y or z in b, or -1. It tests
// sixteen bytes at a time, in two independent words, which beats three
// bytes.IndexByte calls on header lines of a few dozen octets.
func indexAny3(b []byte, x, y, z byte) int {
	px, py, pz := ones*uint64(x), ones*uint64(y), ones*uint64(z)
	i := 0
	for p := b; len(p) >= 16; p = p[16:] {
		w0 := binary.LittleEndian.Uint64(p)
		w1 := binary.LittleEndian.Uint64(p[8:])
		m0 := zeroByte(w0^px) | zeroByte(w0^py) | zeroByte(w0^pz)
		m1 := zeroByte(w1^px) | zeroByte(w1^py) | zeroByte(w1^pz)
		if m0 != 0 {
			return i + bits.TrailingZeros64(m0)/8
		}
		if m1 != 0 {
			return i + 8 + bits.TrailingZeros64(m1)/8
		}
		i += 16
	}
	for j, c := range b[i:] {
		if c == x || c == y || c == z {
			return i + j
		}
	}
	return -1
}
