package imapwire

import (
	"encoding/binary"
	"math/bits"
)

// Kind is the kind of a [Token].
type Kind uint8

const (
	KindEnd          Kind = iota // the end of the message
	KindAtom                     // an atom (numbers, sequence sets and keywords are atoms too)
	KindQuoted                   // a quoted string: Bytes is its content, escapes kept
	KindLiteral                  // a literal: Bytes is its data once inlined; Literal its header
	KindNil                      // NIL
	KindFlag                     // a flag that starts with "\": \Seen, \*
	KindListOpen                 // (
	KindListClose                // )
	KindOpenBracket              // [
	KindCloseBracket             // ]
	KindSP                       // one space
)

var kindNames = [...]string{"end", "atom", "quoted", "literal", "NIL", "flag", "(", ")", "[", "]", "SP"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Token is a typed view of one token. Bytes aliases the Reader's buffer
// and is valid until the next message is read.
type Token struct {
	Bytes   []byte
	Literal Literal // the header, for KindLiteral
	Kind    Kind
	Escaped bool // a quoted string with \" or \\ in it
}

// setToken sets t's fields one by one: a composite literal assigned
// through a pointer is built in a temporary and copied, and the copy stalls
// on store forwarding.
func setToken(t *Token, k Kind, b []byte, esc bool) {
	t.Bytes, t.Kind, t.Escaped, t.Literal = b, k, esc, Literal{}
}

// IsNil reports whether t is NIL.
func (t Token) IsNil() bool { return t.Kind == KindNil }

// IsString reports whether t is a string: quoted or literal.
func (t Token) IsString() bool { return t.Kind == KindQuoted || t.Kind == KindLiteral }

// AppendValue appends the value of t to dst and returns the extended
// slice: the unescaped content of a quoted string, the data of an inlined
// literal, the bytes of anything else. NIL appends nothing. Values taken
// one after another into one buffer stand side by side; it allocates only
// when dst lacks the capacity. (It replaces Value(scratch), whose results
// overwrote each other.)
func (t Token) AppendValue(dst []byte) []byte {
	if t.Kind == KindQuoted && t.Escaped {
		return AppendUnquoted(dst, t.Bytes)
	}
	if t.Kind == KindNil {
		return dst
	}
	return append(dst, t.Bytes...)
}

// Uint32 parses an atom as a number (RFC 3501 number, 32 bits).
func (t Token) Uint32() (uint32, bool) {
	if t.Kind != KindAtom {
		return 0, false
	}
	v, ok := parseUint(t.Bytes, maxNumber)
	return uint32(v), ok
}

// Uint64 parses an atom as a number64 (RFC 9051, 63 bits).
func (t Token) Uint64() (uint64, bool) {
	if t.Kind != KindAtom {
		return 0, false
	}
	return parseUint(t.Bytes, maxNumber64)
}

// EqualFold reports whether t is an atom equal to the upper-case ASCII
// word w, ignoring case.
func (t Token) EqualFold(w string) bool { return t.Kind == KindAtom && equalFold(t.Bytes, w) }

// AppendUnquoted appends the content of a quoted string (without its
// DQUOTEs) to dst with its \" and \\ escapes resolved. The Reader has
// already rejected CR, LF, NUL and other escapes.
func AppendUnquoted(dst, quoted []byte) []byte {
	for i := 0; i < len(quoted); i++ {
		c := quoted[i]
		if c == '\\' && i+1 < len(quoted) {
			i++
			c = quoted[i]
		}
		dst = append(dst, c)
	}
	return dst
}

// quotedPlain marks the octets that stand for themselves in a quoted
// string (QUOTED-CHAR without escape), 8-bit ones included, for
// lexQuoted's inner loop; quotedASCII is the same without 8-bit octets, as
// IMAP4rev1 has it before UTF8=ACCEPT.
var quotedPlain, quotedASCII = func() (t, a [256]bool) {
	for c := range t {
		t[c] = class[c]&clQuoted != 0
		a[c] = t[c] && c < 0x80
	}
	return t, a
}()

// lexQuoted scans a quoted string whose DQUOTE is at b[i], 8-bit octets
// allowed (bytes a Reader already checked); see lexQuotedIn.
func lexQuoted(b []byte, i int) (end int, esc, ok bool) { return lexQuotedIn(b, i, &quotedPlain) }

// lexQuotedIn scans a quoted string whose DQUOTE is at b[i], with plain
// the octets that stand for themselves; it returns the end of the content
// (the closing DQUOTE) and whether there were escapes. ok is false at a CR,
// LF, NUL, an octet plain lacks, a bad escape or a missing DQUOTE; end is
// then where it stopped.
func lexQuotedIn(b []byte, i int, plain *[256]bool) (end int, esc, ok bool) {
	// Eight octets at a time while they stand for themselves: a word is
	// plain when none of its octets is below SP (NUL, CR, LF and the other
	// controls, which the table decides one by one), DQUOTE or "\", and,
	// for ASCII, none has the high bit.
	var high uint64
	if !plain[0x80] {
		high = swarHigh
	}
	i++
	for {
		if len(b) < 8 {
			for i < len(b) && plain[b[i]] {
				i++
			}
		} else {
			for i < len(b) {
				var x uint64
				if i+8 <= len(b) {
					x = binary.LittleEndian.Uint64(b[i:])
				} else {
					// The last word of b, shifted so that its first octet
					// is b[i]: the zeros shifted in stop the scan at len(b).
					x = binary.LittleEndian.Uint64(b[len(b)-8:]) >> (8 * (8 - (len(b) - i)))
				}
				m := (x-swarLow*0x20)&^x | swarZero(x^(swarLow*'"')) | swarZero(x^(swarLow*'\\'))
				if m = m&swarHigh | x&high; m != 0 {
					i += bits.TrailingZeros64(m) >> 3
					break
				}
				i += 8
			}
		}
		if i >= len(b) {
			return i, esc, false
		}
		switch c := b[i]; c {
		case '"':
			return i, esc, true
		case '\\':
			i++
			if i >= len(b) || (b[i] != '"' && b[i] != '\\') {
				return i, esc, false
			}
			esc = true
			i++
		default:
			if !plain[c] { // NUL, CR, LF, or 8-bit where only ASCII is plain
				return i, esc, false
			}
			i++ // another control, which stands for itself
		}
	}
}

// SWAR constants: every octet 0x01, every octet's high bit.
const (
	swarLow  = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// swarZero has the high bit set in the lowest zero octet of x (and maybe
// in higher ones): exact for finding the first.
func swarZero(x uint64) uint64 { return (x - swarLow) &^ x }
