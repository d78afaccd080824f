package imapwire

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// NonSync says which non-synchronizing literals a server offers a client
// (RFC 7888).
type NonSync uint8

const (
	// NoNonSync: every literal in a command is synchronizing.
	NoNonSync NonSync = iota
	// LiteralPlus: {n+} of any size (LITERAL+).
	LiteralPlus
	// LiteralMinus: {n+} up to 4096 octets (LITERAL-, IMAP4rev2).
	LiteralMinus
)

// maxQuoted is the longest string the encoder quotes; longer ones become
// literals, as go-imap v2 does.
const maxQuoted = 4096

// Encoder writes strings in the form their content allows: an atom where
// the grammar takes one, a quoted string, else a literal. It never writes
// CR, LF or NUL outside a literal, and a literal's count is its length.
// The zero Encoder writes responses (ServerSide) in IMAP4rev1 form.
type Encoder struct {
	// Side is ServerSide to write responses (literals need no
	// continuation), ClientSide to write commands.
	Side Side
	// NonSync is what the server offers, for ClientSide: a literal it does
	// not cover is refused with ErrSyncLiteral, and the caller writes
	// AppendLiteralHeader, waits for "+" and then writes the data.
	NonSync NonSync
	// UTF8 is set once UTF8=ACCEPT is enabled or IMAP4rev2 is in use (RFC
	// 6855, RFC 9051): quoted strings may hold UTF-8 and mailbox names are
	// written raw instead of in modified UTF-7.
	UTF8 bool
}

// AppendAtom appends a, which must be an atom.
func AppendAtom(dst, a []byte) ([]byte, error) {
	if !isAtom(a) {
		return dst, ErrInjection
	}
	return append(dst, a...), nil
}

// AppendNumber appends n in decimal.
func AppendNumber(dst []byte, n uint64) []byte { return strconv.AppendUint(dst, n, 10) }

// AppendFlag appends a flag: \Atom, \* or a keyword atom.
func AppendFlag(dst, flag []byte) ([]byte, error) {
	if len(flag) == 2 && flag[0] == '\\' && flag[1] == '*' {
		return append(dst, flag...), nil
	}
	a := flag
	if len(a) > 0 && a[0] == '\\' {
		a = a[1:]
	}
	if !isAtom(a) {
		return dst, ErrInjection
	}
	return append(dst, flag...), nil
}

// AppendLiteralHeader appends "{n}", "{n+}" or "~{n}" and CRLF.
func AppendLiteralHeader(dst []byte, l Literal) []byte {
	if l.Binary {
		dst = append(dst, '~')
	}
	dst = append(dst, '{')
	dst = strconv.AppendUint(dst, l.Size, 10)
	if l.NonSync {
		dst = append(dst, '+')
	}
	return append(dst, '}', '\r', '\n')
}

// quotable reports whether s can be written as a quoted string.
func (e Encoder) quotable(s []byte) bool {
	if len(s) > maxQuoted {
		return false
	}
	ascii := true
	for _, c := range s {
		if c == 0 || c == '\r' || c == '\n' {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || (e.UTF8 && utf8.Valid(s))
}

// AppendQuoted appends s as a quoted string, escaping " and \. It fails
// with ErrInjection when s cannot be quoted (CR, LF, NUL, 8-bit data
// without UTF8, more than 4096 octets).
func (e Encoder) AppendQuoted(dst, s []byte) ([]byte, error) {
	if !e.quotable(s) {
		return dst, ErrInjection
	}
	dst = append(dst, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"'), nil
}

// AppendLiteral appends s as a literal: {n} on the server side; on the
// client side {n+} when the server's NonSync covers it, else
// ErrSyncLiteral. NUL cannot be in a literal (CHAR8): ErrInjection.
func (e Encoder) AppendLiteral(dst, s []byte) ([]byte, error) {
	for _, c := range s {
		if c == 0 {
			return dst, ErrInjection
		}
	}
	l := Literal{Size: uint64(len(s))}
	if e.Side == ClientSide {
		switch {
		case e.NonSync == LiteralPlus, e.NonSync == LiteralMinus && len(s) <= 4096:
			l.NonSync = true
		default:
			return dst, ErrSyncLiteral
		}
	}
	return append(AppendLiteralHeader(dst, l), s...), nil
}

// AppendString appends s as a quoted string when it can be, else as a
// literal (see AppendLiteral).
func (e Encoder) AppendString(dst, s []byte) ([]byte, error) {
	if e.quotable(s) {
		return e.AppendQuoted(dst, s)
	}
	return e.AppendLiteral(dst, s)
}

// AppendAString appends s as an atom when it is one (ASTRING-CHAR only),
// else as a string.
func (e Encoder) AppendAString(dst, s []byte) ([]byte, error) {
	if len(s) > 0 && run(s, 0, clAString) == len(s) && !equalFold(s, "NIL") {
		return append(dst, s...), nil
	}
	return e.AppendString(dst, s)
}

// AppendNString appends NIL for a nil s, else s as a string.
func (e Encoder) AppendNString(dst, s []byte) ([]byte, error) {
	if s == nil {
		return append(dst, "NIL"...), nil
	}
	return e.AppendString(dst, s)
}

// AppendMailbox appends a mailbox name given in UTF-8: raw when UTF8 is
// set, in modified UTF-7 otherwise (RFC 3501 §5.1.3), as an astring.
func (e Encoder) AppendMailbox(dst, name []byte) ([]byte, error) {
	if e.UTF8 {
		return e.AppendAString(dst, name)
	}
	if !utf8.Valid(name) {
		return dst, ErrUTF7
	}
	var tmp [256]byte
	enc := AppendUTF7Encode(tmp[:0], name)
	return e.AppendAString(dst, enc)
}

// AppendText appends resp-text: no CR, LF or NUL, and not starting with
// "[" (which would read as a response code).
func AppendText(dst, text []byte) ([]byte, error) {
	if len(text) > 0 && text[0] == '[' {
		return dst, ErrInjection
	}
	if run(text, 0, clText) != len(text) {
		return dst, ErrInjection
	}
	return append(dst, text...), nil
}

// AppendStatus appends a status response: "tag cond [code] text" CRLF, or
// "* cond …" for a nil tag. code is the response code without brackets
// ("" for none, "UIDNEXT 5" with arguments); it may hold no "]", CR, LF or
// NUL. cond is one of OK, NO, BAD, BYE, PREAUTH.
func AppendStatus(dst, tag []byte, cond string, code, text []byte) ([]byte, error) {
	switch cond {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
	default:
		return dst, ErrInjection
	}
	n := len(dst)
	if tag == nil {
		dst = append(dst, '*')
	} else if len(tag) == 0 || run(tag, 0, clTag) != len(tag) {
		return dst, ErrInjection
	} else {
		dst = append(dst, tag...)
	}
	dst = append(dst, ' ')
	dst = append(dst, cond...)
	dst = append(dst, ' ')
	if len(code) > 0 {
		if run(code, 0, clText) != len(code) || bytes.IndexByte(code, ']') >= 0 || !isAtom(code[:run(code, 0, clAtom)]) {
			return dst[:n], ErrInjection
		}
		dst = append(dst, '[')
		dst = append(dst, code...)
		dst = append(dst, ']', ' ')
	}
	var err error
	if len(text) > 0 && text[0] == '[' && len(code) > 0 {
		dst = append(dst, text...) // after a code, "[" is just text
		if run(text, 0, clText) != len(text) {
			err = ErrInjection
		}
	} else {
		dst, err = AppendText(dst, text)
	}
	if err != nil {
		return dst[:n], err
	}
	return append(dst, '\r', '\n'), nil
}

// AppendContinuation appends "+ text" CRLF, the continuation request.
func AppendContinuation(dst, text []byte) ([]byte, error) {
	n := len(dst)
	dst = append(dst, '+', ' ')
	dst, err := AppendText(dst, text)
	if err != nil {
		return dst[:n], err
	}
	return append(dst, '\r', '\n'), nil
}
