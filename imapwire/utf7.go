package imapwire

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself
// ("&" as "&-"); anything else is UTF-16 in modified base64 ("," for "/",
// no padding) between "&" and "-". IMAP4rev1 peers use it for mailbox
// names; after ENABLE UTF8=ACCEPT (RFC 6855) or under IMAP4rev2 names are
// raw UTF-8 and must not be decoded ("R&D" is then just "R&D").

const utf7Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

var utf7Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(utf7Alphabet) {
		t[utf7Alphabet[i]] = int8(i)
	}
	return t
}()

// AppendUTF7Encode appends the modified UTF-7 form of the UTF-8 name s.
// Invalid UTF-8 is encoded as U+FFFD.
func AppendUTF7Encode(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c <= 0x7e {
			dst = append(dst, c)
			if c == '&' {
				dst = append(dst, '-')
			}
			i++
			continue
		}
		dst = append(dst, '&')
		var bits uint32
		var nbits uint
		put := func(u uint16) {
			bits = bits<<16 | uint32(u)
			nbits += 16
			for nbits >= 6 {
				nbits -= 6
				dst = append(dst, utf7Alphabet[(bits>>nbits)&63])
			}
		}
		for i < len(s) && (s[i] < 0x20 || s[i] > 0x7e) {
			r, size := utf8.DecodeRune(s[i:])
			i += size
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				put(uint16(r1))
				put(uint16(r2))
			} else {
				put(uint16(r))
			}
		}
		if nbits > 0 {
			dst = append(dst, utf7Alphabet[(bits<<(6-nbits))&63])
		}
		dst = append(dst, '-')
	}
	return dst
}

// AppendUTF7Decode appends the UTF-8 form of the modified UTF-7 name s. It
// refuses what RFC 3501 forbids: octets outside printable ASCII, printable
// ASCII in base64, adjacent or empty encoded runs, bad base64, non-zero
// padding bits and unpaired surrogates (ErrUTF7).
func AppendUTF7Decode(dst, s []byte) ([]byte, error) {
	prevEnd := -2
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return dst, ErrUTF7
		}
		i++
		if c != '&' {
			dst = append(dst, c)
			continue
		}
		if i < len(s) && s[i] == '-' {
			dst = append(dst, '&')
			i++
			continue
		}
		if prevEnd == i-2 {
			return dst, ErrUTF7
		}
		var bits uint32
		var nbits uint
		var hi rune
		n := 0
		for {
			if i >= len(s) {
				return dst, ErrUTF7
			}
			c = s[i]
			i++
			if c == '-' {
				break
			}
			v := utf7Values[c]
			if v < 0 {
				return dst, ErrUTF7
			}
			bits = bits<<6 | uint32(v)
			nbits += 6
			if nbits < 16 {
				continue
			}
			nbits -= 16
			u := rune(bits>>nbits) & 0xffff
			bits &= 1<<nbits - 1
			n++
			switch {
			case utf16.IsSurrogate(u) && u < 0xdc00:
				if hi != 0 {
					return dst, ErrUTF7
				}
				hi = u
			case utf16.IsSurrogate(u):
				if hi == 0 {
					return dst, ErrUTF7
				}
				dst = utf8.AppendRune(dst, utf16.DecodeRune(hi, u))
				hi = 0
			default:
				if hi != 0 || (u >= 0x20 && u <= 0x7e) {
					return dst, ErrUTF7
				}
				dst = utf8.AppendRune(dst, u)
			}
		}
		if hi != 0 || n == 0 || nbits >= 6 || bits != 0 {
			return dst, ErrUTF7
		}
		prevEnd = i - 1
	}
	return dst, nil
}

// AppendMailboxName appends the UTF-8 form of a mailbox name as read from
// the wire: checked as UTF-8 when utf8Mode (UTF8=ACCEPT or IMAP4rev2), else
// decoded from modified UTF-7.
func AppendMailboxName(dst, wire []byte, utf8Mode bool) ([]byte, error) {
	if utf8Mode {
		if !utf8.Valid(wire) {
			return dst, ErrUTF7
		}
		return append(dst, wire...), nil
	}
	return AppendUTF7Decode(dst, wire)
}

// IsInbox reports whether a mailbox name is INBOX, which is
// case-insensitive (RFC 9051 §5.1).
func IsInbox(name []byte) bool { return equalFold(name, "INBOX") }
