package smtpwire

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

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
	if len(b) <= 19 { // below 10^19: no overflow to check
		for _, c := range b {
			d := uint64(c - '0')
			if d > 9 {
				return 0, false
			}
			v = v*10 + d
		}
		return v, true
	}
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

// foldMask clears bit 5 (0x20) of every octet: for octets already known to
// be letters, digits or "-", equal folded words are equal ignoring ASCII
// case (no two such octets differ only in that bit except a letter pair).
const foldMask = ^uint64(0x2020202020202020)

// foldWord8 is the folded little-endian word of s, at most 8 octets, for
// comparing with foldAt.
func foldWord8(s string) uint64 {
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w & foldMask
}

// foldAt returns the folded word of b[i:i+n], n from 1 to 8, reading the
// eight octets at b[i:]; ok is false when fewer than eight remain.
func foldAt(b []byte, i, n int) (uint64, bool) {
	if i < 0 || i+8 > len(b) || n > 8 {
		return 0, false
	}
	w := binary.LittleEndian.Uint64(b[i:])
	return w & foldMask & (1<<(8*uint(n)) - 1), true
}

// itoa formats n for error messages.
func itoa(n int) string { return strconv.Itoa(n) }

// Byte classes of the path and parameter grammars, one table lookup per
// octet.
const (
	cAtext     uint8 = 1 << iota // RFC 5322 atext
	cLDH                         // letter, digit, "-": domain labels and esmtp-keyword
	cQtext                       // RFC 5321 qtextSMTP: %d32-33 / %d35-91 / %d93-126
	cValue                       // esmtp-value: %d33-60 / %d62-126, and octets over 0x7F (RFC 6531)
	cHigh                        // an octet over 0x7F
	cPlus                        // "+", the xtext escape
	cBackslash                   // "\", the utf-8-addr-xtext escape (RFC 6533)
)

// cKeyword: esmtp-keyword octets are LDH.
const cKeyword = cLDH

var charClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if isAtext(b) {
			t[c] |= cAtext
		}
		if isAlpha(b) || isDigit(b) || b == '-' {
			t[c] |= cLDH
		}
		if b >= 32 && b <= 126 && b != '"' && b != '\\' {
			t[c] |= cQtext
		}
		if b >= 33 && b <= 126 && b != '=' || b >= 0x80 {
			t[c] |= cValue
		}
		if b >= 0x80 {
			t[c] |= cHigh
		}
	}
	t['+'] |= cPlus
	t['\\'] |= cBackslash
	return t
}()

// SWAR constants: one octet, and the high bit of each octet, of a word.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainWord reports whether all eight octets of w are plain xtext in an
// esmtp-value: %d33-126 except "=", "+" and "\". Each test sets the high bit
// of some octet when any octet fails it (the classic has-less and has-zero
// tricks, exact for "any").
func plainWord(w uint64) bool { return plainHits(w) == 0 }

// plainHits is plainWord's test as a mask: the high bit of some octet is set
// when any octet of w is not plain, and the lowest set bit is exactly that
// of the first such octet (a borrow or carry only spreads upward from a
// true hit, so any false flag lies above it).
func plainHits(w uint64) uint64 {
	low := (w - 0x21*swarOnes) &^ w // an octet under 33
	high := w | (w + swarOnes)      // an octet over 126
	eq := w ^ ('=' * swarOnes)
	plus := w ^ ('+' * swarOnes)
	bs := w ^ ('\\' * swarOnes)
	hits := low | high | (eq-swarOnes)&^eq | (plus-swarOnes)&^plus | (bs-swarOnes)&^bs
	return hits & swarHighs
}

// ldhWord reports whether all eight octets of w are letters, digits or
// "-" (cLDH).
func ldhWord(w uint64) bool { return nonLDH(w) == 0 }

// nonLDH sets the high bit of the octets of w that are not cLDH; the lowest
// set bit is exactly that of the first such octet. For 7-bit octets x,
// x + (0x80-a) sets the high bit exactly when x >= a and never carries; an
// octet over 0x7F is flagged, and only its carry can spoil the flags above
// it.
func nonLDH(w uint64) uint64 {
	lower := w | 0x20*swarOnes // A-Z to a-z; no other 7-bit octet lands in a-z
	letter := (lower + (0x80-'a')*swarOnes) &^ (lower + (0x7F-'z')*swarOnes)
	digit := (w + (0x80-'0')*swarOnes) &^ (w + (0x7F-'9')*swarOnes)
	hyphen := (w + (0x80-'-')*swarOnes) &^ (w + (0x7F-'-')*swarOnes)
	return (^(letter | digit | hyphen) | w) & swarHighs
}

// ldhEnd returns the index of the first octet of b at or after i that is
// not cLDH, or len(b), eight octets a step.
func ldhEnd(b []byte, i int) int {
	for i >= 0 && i+8 <= len(b) {
		if m := nonLDH(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && charClass[b[i]]&cLDH != 0 {
		i++
	}
	return i
}
