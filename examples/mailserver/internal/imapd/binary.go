package imapd

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"strconv"

	"github.com/mailwire/mailwire/imapwire"
)

// BINARY (RFC 3516): a part's body with its Content-Transfer-Encoding
// undone, sent as literal8. The decoded size is not stored, so each item
// decodes twice: once to count (and to find bad data before anything is
// written), once to send; memory stays one copy buffer.

// errUnknownCTE: an encoding BINARY cannot undo, or data that does not
// decode ("NO [UNKNOWN-CTE]").
var errUnknownCTE = errors.New("imapd: unknown or broken content-transfer-encoding")

// maxMIMEHeader bounds what is read of a part's header to find its
// Content-Transfer-Encoding.
const maxMIMEHeader = 64 << 10

// partDecoder returns a reader of the decoded body of the part sec names.
func (ss *session) partDecoder(sec imapwire.Section) (func() io.Reader, error) {
	body, err := ss.msg.Section(imapwire.Section{Part: sec.Part})
	if err != nil {
		return nil, err
	}
	hs := imapwire.Section{Part: sec.Part, Text: imapwire.SectionMIME}
	if len(sec.Part) == 0 {
		hs = imapwire.Section{Text: imapwire.SectionHeader}
	}
	hr, err := ss.msg.Section(hs)
	if err != nil {
		return nil, err
	}
	h := make([]byte, min(hr.Len, maxMIMEHeader))
	if _, err := ss.msg.ReadAt(h, hr.Off); err != nil && err != io.EOF {
		return nil, err
	}
	cte := bytes.ToLower(headerValue(h, "content-transfer-encoding"))
	raw := func() io.Reader { return io.NewSectionReader(ss.msg, body.Off, body.Len) }
	switch string(cte) {
	case "", "7bit", "8bit", "binary":
		return raw, nil
	case "base64":
		return func() io.Reader { return base64.NewDecoder(base64.StdEncoding, raw()) }, nil
	case "quoted-printable":
		return func() io.Reader { return quotedprintable.NewReader(raw()) }, nil
	}
	return nil, errUnknownCTE
}

// headerValue returns the unfolded, trimmed value of the first field
// named name (lower case) in a header.
func headerValue(h []byte, name string) []byte {
	var out []byte
	in := false
	for len(h) > 0 {
		line := h
		if i := bytes.IndexByte(h, '\n'); i >= 0 {
			line, h = h[:i], h[i+1:]
		} else {
			h = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if in {
				out = append(out, bytes.TrimSpace(line)...)
			}
			continue
		}
		if in {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && eqFold(bytes.TrimSpace(k), name) {
			in = true
			out = append(out, bytes.TrimSpace(v)...)
		}
	}
	return out
}

// countingWriter counts what is written.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// decodedSize decodes the part once to count its octets.
func decodedSize(open func() io.Reader) (int64, error) {
	var c countingWriter
	if _, err := io.Copy(&c, open()); err != nil {
		return 0, errUnknownCTE
	}
	return c.n, nil
}

// fetchBinary appends BINARY[part]<partial> or BINARY.SIZE[part]; the
// data is written to the connection after what is pending.
func (ss *session) fetchBinary(out []byte, it imapwire.FetchItem) ([]byte, error) {
	open, err := ss.partDecoder(it.Section)
	if err != nil {
		if errors.Is(err, errUnknownCTE) {
			return out, err
		}
		return out, errNoPart
	}
	n, err := decodedSize(open)
	if err != nil {
		return out, err
	}
	if it.Att == imapwire.FetchBinarySize {
		if len(out) == 0 || out[len(out)-1] != '(' {
			out = append(out, ' ')
		}
		out = append(out, "BINARY.SIZE["...)
		out = append(out, it.Section.Raw...)
		out = append(out, "] "...)
		return strconv.AppendInt(out, n, 10), nil
	}
	off, cnt := imapwire.Partial(0, n, it)
	out = imapwire.AppendFetchSectionHeader(out, it, cnt)
	ss.out = out
	if err := ss.flush(true); err != nil {
		return nil, err
	}
	r := open()
	if _, err := io.CopyN(io.Discard, r, off); err != nil {
		return nil, err
	}
	if err := imapwire.WriteLiteral8(ss.w, r, cnt); err != nil {
		return nil, err
	}
	return ss.out[:0], nil
}

// errNoPart: BINARY of a part that does not exist ("NO [NONEXISTENT]"
// would also do; Dovecot answers an empty literal for BODY, we refuse).
var errNoPart = errors.New("imapd: no such part")
