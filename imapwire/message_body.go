package imapwire

import (
	"strconv"

	"github.com/mailwire/mailwire/internal/mime"
)

// Dovecot's structure for a multipart without parts, which IMAP cannot
// express (RFC 3501 body-type-mpart needs one).
const (
	emptyBody          = `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)`
	emptyBodyStructure = `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)`
)

// AppendBodyStructure appends the message's BODYSTRUCTURE (extended) or
// BODY (not extended) value, as RFC 3501 §7.4.2 defines it: media type
// and subtype as written (text/plain when there is no Content-Type or a
// malformed one), parameters with RFC 2231 continuations merged and a
// default charset for text parts, Content-ID, Content-Description, the
// transfer encoding ("7bit" by default), the body's size in octets, the
// line count of text and message/rfc822 parts, the envelope and structure
// of the message inside message/rfc822; extension data: MD5 (the
// Content-MD5 value, NIL without one), disposition with its parameters,
// language list and location. Strings are quoted or literals by content.
func AppendBodyStructure(dst []byte, m *Message, extended bool) ([]byte, error) {
	if !m.ok {
		return dst, ErrNotParsed
	}
	return m.appendBody(dst, 0, extended)
}

func (m *Message) appendBody(dst []byte, i int32, ext bool) ([]byte, error) {
	p := &m.parts[i]
	var err error
	dst = append(dst, '(')
	if p.Kind == mime.KindMultipart {
		if p.Child < 0 {
			if ext {
				dst = append(dst, emptyBodyStructure...)
			} else {
				dst = append(dst, emptyBody...)
			}
		}
		for c := p.Child; c >= 0; c = m.parts[c].Next {
			if dst, err = m.appendBody(dst, c, ext); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ' ')
		if dst, err = m.appendSpanString(dst, p.Subtype); err != nil {
			return dst, err
		}
		if ext {
			dst = append(dst, ' ')
			if dst, err = m.appendParams(dst, p.Fields[mime.FieldType], false); err != nil {
				return dst, err
			}
			if dst, err = m.appendCommonExt(dst, p); err != nil {
				return dst, err
			}
		}
		return append(dst, ')'), nil
	}
	if p.Type.Present() {
		if dst, err = m.appendSpanString(dst, p.Type); err != nil {
			return dst, err
		}
		dst = append(dst, ' ')
		if dst, err = m.appendSpanString(dst, p.Subtype); err != nil {
			return dst, err
		}
	} else if p.Kind == mime.KindMessage {
		dst = append(dst, `"message" "rfc822"`...)
	} else {
		dst = append(dst, `"text" "plain"`...)
	}
	dst = append(dst, ' ')
	if p.Type.Present() {
		dst, err = m.appendParams(dst, p.Fields[mime.FieldType], p.Kind == mime.KindText)
	} else if p.Kind == mime.KindText {
		dst = append(dst, `("charset" "us-ascii")`...)
	} else {
		dst = append(dst, "NIL"...)
	}
	if err != nil {
		return dst, err
	}
	for _, f := range [...]mime.Field{mime.FieldID, mime.FieldDescription} {
		dst = append(dst, ' ')
		if dst, err = m.appendNString(dst, p.Fields[f]); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ' ')
	if dst, err = m.appendEncoding(dst, p.Fields[mime.FieldEncoding]); err != nil {
		return dst, err
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, p.End-p.BodyStart, 10)
	switch p.Kind {
	case mime.KindText:
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, p.Lines, 10)
	case mime.KindMessage:
		dst = append(dst, ' ')
		if dst, err = m.appendEnvelope(dst, p.Child); err != nil {
			return dst, err
		}
		dst = append(dst, ' ')
		if dst, err = m.appendBody(dst, p.Child, ext); err != nil {
			return dst, err
		}
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, p.Lines, 10)
	}
	if ext {
		dst = append(dst, ' ')
		if dst, err = m.appendNString(dst, p.Fields[mime.FieldMD5]); err != nil {
			return dst, err
		}
		if dst, err = m.appendCommonExt(dst, p); err != nil {
			return dst, err
		}
	}
	return append(dst, ')'), nil
}

// appendCommonExt appends " disposition language location".
func (m *Message) appendCommonExt(dst []byte, p *mime.Part) ([]byte, error) {
	dst = append(dst, ' ')
	var err error
	if d := p.Fields[mime.FieldDisposition]; d.Present() {
		v, err := m.value(d)
		if err != nil {
			return dst, err
		}
		tok, rest, _ := mime.ParseToken(v)
		dst = append(dst, '(')
		dst = appendIString(dst, v[tok[0]:tok[1]])
		dst = append(dst, ' ')
		if dst, err = m.appendParamsOf(dst, v[rest:]); err != nil {
			return dst, err
		}
		dst = append(dst, ')')
	} else {
		dst = append(dst, "NIL"...)
	}
	dst = append(dst, ' ')
	if l := p.Fields[mime.FieldLanguage]; l.Present() {
		v, err := m.value(l)
		if err != nil {
			return dst, err
		}
		m.vals = mime.AppendLanguages(m.vals[:0], v, &m.pl)
		if m.pl.N == 0 {
			dst = append(dst, "NIL"...)
		} else {
			dst = append(dst, '(')
			for k := range m.pl.N {
				if k > 0 {
					dst = append(dst, ' ')
				}
				dst = appendIString(dst, m.vals[m.pl.Key[k][0]:m.pl.Key[k][1]])
			}
			dst = append(dst, ')')
		}
	} else {
		dst = append(dst, "NIL"...)
	}
	dst = append(dst, ' ')
	dst, err = m.appendNString(dst, p.Fields[mime.FieldLocation])
	return dst, err
}

// appendSpanString appends the octets of s as a string.
func (m *Message) appendSpanString(dst []byte, s mime.Span) ([]byte, error) {
	v, err := m.value(s)
	if err != nil {
		return dst, err
	}
	return appendIString(dst, v), nil
}

// appendNString appends a field value unfolded, or NIL when absent.
func (m *Message) appendNString(dst []byte, s mime.Span) ([]byte, error) {
	if !s.Present() {
		return append(dst, "NIL"...), nil
	}
	v, err := m.value(s)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = mime.AppendUnfold(dst, v)
	return stringAt(dst, start), nil
}

// appendEncoding appends the transfer encoding: the value's token when it
// is the whole value, else "7bit".
func (m *Message) appendEncoding(dst []byte, s mime.Span) ([]byte, error) {
	if s.Present() {
		v, err := m.value(s)
		if err != nil {
			return dst, err
		}
		if tok, _, whole := mime.ParseToken(v); whole && tok[1] > tok[0] {
			return appendIString(dst, v[tok[0]:tok[1]]), nil
		}
	}
	return append(dst, `"7bit"`...), nil
}

// appendParams appends the parameters of the Content-Type value s as a
// list, NIL when there are none; charset adds "charset" "us-ascii" when
// the value has no charset.
func (m *Message) appendParams(dst []byte, s mime.Span, charset bool) ([]byte, error) {
	v, err := m.value(s)
	if err != nil {
		return dst, err
	}
	_, _, rest, ok := mime.ParseMediaType(v)
	if !ok {
		rest = len(v)
	}
	m.vals = mime.AppendParams(m.vals[:0], v[rest:], &m.pl)
	return m.writeParams(dst, charset), nil
}

// appendParamsOf appends the parameters in v (from its first ";").
func (m *Message) appendParamsOf(dst, v []byte) ([]byte, error) {
	m.vals = mime.AppendParams(m.vals[:0], v, &m.pl)
	return m.writeParams(dst, false), nil
}

func (m *Message) writeParams(dst []byte, charset bool) []byte {
	seen := false
	for k := range m.pl.N {
		if mime.EqualFold(m.vals[m.pl.Key[k][0]:m.pl.Key[k][1]], "charset") {
			seen = true
		}
	}
	if m.pl.N == 0 && !charset {
		return append(dst, "NIL"...)
	}
	dst = append(dst, '(')
	for k := range m.pl.N {
		if k > 0 {
			dst = append(dst, ' ')
		}
		dst = appendIString(dst, m.vals[m.pl.Key[k][0]:m.pl.Key[k][1]])
		dst = append(dst, ' ')
		dst = appendIString(dst, m.vals[m.pl.Val[k][0]:m.pl.Val[k][1]])
	}
	if charset && !seen {
		if m.pl.N > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, `"charset" "us-ascii"`...)
	}
	return append(dst, ')')
}
