package imapwire

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself
// ("&" as "&-"); anything else is UTF-16 in modified base64 ("," for "/",
// no padding) between "&" and "-". IMAP4rev1 peers use it for mailbox
// names; after ENABLE UTF8=ACCEPT (RFC 6855) or under IMAP4rev2 names are
// raw UTF-8 and must not be decoded ("R&D" is then just "R&D"). The
// Reader's mailbox methods follow its mode ([Reader.SetUTF8]).

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
func AppendUTF7Decode(dst, s []byte) ([]byte, error) { return utf7Decode(dst, s, true, false) }

// validUTF7 reports whether s is valid modified UTF-7; escaped says s is a
// quoted string's content with its escapes.
func validUTF7(s []byte, escaped bool) bool {
	if run(s, 0, clMbox7) == len(s) {
		return true // printable ASCII without "&": every octet stands for itself
	}
	for i, c := range s {
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == '&' {
			// The first encoded run; before it all stands for itself. A
			// quoted string escapes only \ and ", so "&" starts no escape.
			_, err := utf7Decode(nil, s[i:], false, escaped)
			return err == nil
		}
	}
	return true
}

// utf7Decode decodes s, appending to dst when emit is set. With escaped, s
// is a quoted string's content: "\\" and "\"" stand for "\" and """,
// which are printable ASCII, so they are plain outside base64 and invalid
// inside it either way.
func utf7Decode(dst, s []byte, emit, escaped bool) ([]byte, error) {
	prevEnd := -2
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return dst, ErrUTF7
		}
		i++
		if escaped && c == '\\' && i < len(s) {
			c = s[i]
			i++
		}
		if c != '&' {
			if emit {
				dst = append(dst, c)
			}
			continue
		}
		if i < len(s) && s[i] == '-' {
			if emit {
				dst = append(dst, '&')
			}
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
				if emit {
					dst = utf8.AppendRune(dst, utf16.DecodeRune(hi, u))
				}
				hi = 0
			default:
				if hi != 0 || (u >= 0x20 && u <= 0x7e) {
					return dst, ErrUTF7
				}
				if emit {
					dst = utf8.AppendRune(dst, u)
				}
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
// the wire (unescaped): checked as UTF-8 when utf8Mode (UTF8=ACCEPT or
// IMAP4rev2; ErrInvalidUTF8), else decoded from modified UTF-7 (ErrUTF7).
// [Reader.AppendMailboxName] does the same for a Token, in the Reader's
// mode.
func AppendMailboxName(dst, wire []byte, utf8Mode bool) ([]byte, error) {
	if utf8Mode {
		if !utf8.Valid(wire) {
			return dst, ErrInvalidUTF8
		}
		return append(dst, wire...), nil
	}
	return AppendUTF7Decode(dst, wire)
}

// AppendMailboxName appends the UTF-8 form of the mailbox name t, as
// Mailbox, ListMailbox, ReadListData or ReadStatusData returned it (an
// opened literal must have been inlined), in the Reader's UTF-8 mode (see
// [Reader.SetUTF8]): modified UTF-7 decoded (ErrUTF7) when it is off,
// checked UTF-8 (ErrInvalidUTF8) when it is on. Escapes are resolved. A
// server's Mailbox has checked the name already; a client's responses
// are checked here, name by name. It allocates only when dst lacks the
// capacity.
func (r *Reader) AppendMailboxName(dst []byte, t Token) ([]byte, error) {
	switch {
	case t.Kind == KindLiteral && t.Bytes == nil && t.Literal.Size > 0:
		return dst, ErrLiteralOpen
	case t.Kind != KindAtom && !t.IsString():
		return dst, syntaxErr(ErrSyntax, 0, "mailbox name")
	}
	esc := t.Kind == KindQuoted && t.Escaped
	if r.utf8 {
		if !utf8.Valid(t.Bytes) {
			return dst, ErrInvalidUTF8
		}
		return t.AppendValue(dst), nil
	}
	return utf7Decode(dst, t.Bytes, true, esc)
}

// checkMailbox checks the mailbox name t as the Reader's mode wants it; an
// open literal is checked when it is decoded.
func (r *Reader) checkMailbox(t *Token, off int) error {
	if t.Kind == KindLiteral && t.Bytes == nil {
		return nil
	}
	if r.utf8 {
		if t.Kind == KindLiteral && !utf8.Valid(t.Bytes) {
			return syntaxErr(ErrInvalidUTF8, off, "mailbox name in UTF-8")
		}
		return nil
	}
	if !validUTF7(t.Bytes, t.Kind == KindQuoted && t.Escaped) {
		return syntaxErr(ErrUTF7, off, "mailbox name in modified UTF-7")
	}
	return nil
}

// IsInbox reports whether a mailbox name is INBOX, which is
// case-insensitive (RFC 9051 §5.1).
func IsInbox(name []byte) bool { return equalFold(name, "INBOX") }
