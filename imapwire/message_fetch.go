package imapwire

import (
	"io"
	"strconv"
	"time"
)

// FETCH response writers (RFC 3501 §7.4.2), item by item:
//
//	dst = AppendFetchStart(dst, seq)
//	dst = AppendFetchUID(dst, uid)
//	dst, err = AppendFetchFlags(dst, flags)
//	dst, err = AppendFetchBodyStructure(dst, msg, true)
//	dst = AppendFetchSectionHeader(dst, item, n) // then n octets of data
//	… write dst, then WriteLiteral or Message.WriteSection …
//	dst = AppendFetchEnd(dst[:0])
//
// Each item writer puts the SP before its item unless it is the first.

// AppendFetchStart appends "* seq FETCH (".
func AppendFetchStart(dst []byte, seq uint32) []byte {
	dst = append(dst, '*', ' ')
	dst = strconv.AppendUint(dst, uint64(seq), 10)
	return append(dst, " FETCH ("...)
}

// AppendFetchEnd appends ")" CRLF.
func AppendFetchEnd(dst []byte) []byte { return append(dst, ')', '\r', '\n') }

// itemSep appends the SP between items: none right after "(". An empty
// dst continues a response after literal data, so it gets the SP.
func itemSep(dst []byte) []byte {
	if n := len(dst); n == 0 || dst[n-1] != '(' {
		dst = append(dst, ' ')
	}
	return dst
}

// AppendFetchUID appends "UID n".
func AppendFetchUID(dst []byte, uid uint32) []byte {
	dst = append(itemSep(dst), "UID "...)
	return strconv.AppendUint(dst, uint64(uid), 10)
}

// AppendFetchModSeq appends "MODSEQ (n)" (RFC 7162).
func AppendFetchModSeq(dst []byte, modseq uint64) []byte {
	dst = append(itemSep(dst), "MODSEQ ("...)
	dst = strconv.AppendUint(dst, modseq, 10)
	return append(dst, ')')
}

// AppendFetchSize appends "RFC822.SIZE n".
func AppendFetchSize(dst []byte, n int64) []byte {
	dst = append(itemSep(dst), "RFC822.SIZE "...)
	return strconv.AppendInt(dst, n, 10)
}

// AppendFetchFlags appends "FLAGS (…)"; each flag must be a system flag
// or a keyword atom (ErrInjection otherwise, and dst is unchanged).
func AppendFetchFlags(dst []byte, flags [][]byte) ([]byte, error) {
	n := len(dst)
	dst = append(itemSep(dst), "FLAGS ("...)
	var err error
	for i, f := range flags {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if dst, err = AppendFlag(dst, f); err != nil {
			return dst[:n], err
		}
	}
	return append(dst, ')'), nil
}

// AppendFetchInternalDate appends INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz"
// with the day space-padded (RFC 3501 date-time).
func AppendFetchInternalDate(dst []byte, t time.Time) []byte {
	dst = append(itemSep(dst), `INTERNALDATE "`...)
	dst = t.AppendFormat(dst, "_2-Jan-2006 15:04:05 -0700")
	return append(dst, '"')
}

// AppendFetchEnvelope appends "ENVELOPE (…)".
func AppendFetchEnvelope(dst []byte, m *Message) ([]byte, error) {
	n := len(dst)
	dst = append(itemSep(dst), "ENVELOPE "...)
	dst, err := AppendEnvelope(dst, m)
	if err != nil {
		return dst[:n], err
	}
	return dst, nil
}

// AppendFetchBodyStructure appends "BODYSTRUCTURE (…)" when extended,
// else "BODY (…)".
func AppendFetchBodyStructure(dst []byte, m *Message, extended bool) ([]byte, error) {
	n := len(dst)
	dst = itemSep(dst)
	if extended {
		dst = append(dst, "BODYSTRUCTURE "...)
	} else {
		dst = append(dst, "BODY "...)
	}
	dst, err := AppendBodyStructure(dst, m, extended)
	if err != nil {
		return dst[:n], err
	}
	return dst, nil
}

// AppendFetchSectionHeader appends the name of item's data in a response
// and the header of a literal of n octets, which the caller writes next:
// "BODY[section]<origin> {n}" CRLF (never BODY.PEEK; <origin> only for a
// partial), "BINARY[part]<origin> ~{n}" CRLF, or RFC822, RFC822.HEADER,
// RFC822.TEXT "{n}" CRLF. The section is echoed as the client sent it.
func AppendFetchSectionHeader(dst []byte, item FetchItem, n int64) []byte {
	dst = itemSep(dst)
	lit := Literal{Size: uint64(n)}
	switch item.Att {
	case FetchRFC822:
		dst = append(dst, "RFC822"...)
	case FetchRFC822Header:
		dst = append(dst, "RFC822.HEADER"...)
	case FetchRFC822Text:
		dst = append(dst, "RFC822.TEXT"...)
	default:
		if item.Att == FetchBinary {
			dst = append(dst, "BINARY["...)
			lit.Binary = true
		} else {
			dst = append(dst, "BODY["...)
		}
		dst = append(dst, item.Section.Raw...)
		dst = append(dst, ']')
		if item.Partial {
			dst = append(dst, '<')
			dst = strconv.AppendUint(dst, uint64(item.Offset), 10)
			dst = append(dst, '>')
		}
	}
	dst = append(dst, ' ')
	return AppendLiteralHeader(dst, lit)
}

// WriteLiteral writes exactly n octets from r to w: the data of a {n}
// literal whose header announced n. A NUL, which such a literal may not
// hold (RFC 3501 CHAR8), is written as 0x80, as Dovecot writes it; use
// WriteLiteral8 for a ~{n} literal (RFC 3516). A reader that ends sooner
// is ErrShortLiteral: the octets are owed and the connection must close.
// It reads through a pooled 32 KiB buffer and does not allocate in steady
// state.
func WriteLiteral(w io.Writer, r io.Reader, n int64) error {
	if n < 0 {
		return ErrShortLiteral
	}
	return copyExactly(w, r, n, true)
}

// WriteLiteral8 is WriteLiteral for the data of a literal8, ~{n}, which
// may hold any octet: it is copied unchanged.
func WriteLiteral8(w io.Writer, r io.Reader, n int64) error {
	if n < 0 {
		return ErrShortLiteral
	}
	return copyExactly(w, r, n, false)
}
