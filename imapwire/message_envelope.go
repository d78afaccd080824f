package imapwire

import "github.com/mailwire/mailwire/internal/mime"

// Envelope field indexes.
const (
	envDate = iota
	envSubject
	envFrom
	envSender
	envReplyTo
	envTo
	envCc
	envBcc
	envInReplyTo
	envMessageID
	envFields
)

// maxAddressFields bounds how many fields of one address kind (say, two
// To fields) are merged; more are ignored.
const maxAddressFields = 8

var envNames = [envFields]string{"date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id"}

type envelopeFields struct {
	str  [envFields]mime.Span // the last Date, Subject, In-Reply-To, Message-ID
	addr [envFields][maxAddressFields]mime.Span
	n    [envFields]int
}

// AppendEnvelope appends the message's ENVELOPE value (RFC 3501 §7.4.2):
// date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to and
// message-id, as Dovecot computes them: the last Date, Subject,
// In-Reply-To and Message-ID field counts; address fields of one kind
// are merged; Sender and Reply-To default to From; values are unfolded,
// the subject and display names with white space runs made one space;
// RFC 2047 encoded words are left encoded; groups are written as RFC 3501
// says (a start with the group name as mailbox and NIL host, an end of
// four NILs); missing parts of an address are MISSING_MAILBOX and
// MISSING_DOMAIN.
func AppendEnvelope(dst []byte, m *Message) ([]byte, error) {
	if !m.ok {
		return dst, ErrNotParsed
	}
	return m.appendEnvelope(dst, 0)
}

// appendEnvelope writes the envelope of the header of part i.
func (m *Message) appendEnvelope(dst []byte, i int32) ([]byte, error) {
	p := &m.parts[i]
	ef := &m.env
	ef.str, ef.n = [envFields]mime.Span{}, [envFields]int{}
	fs := mime.Fields(&m.src, p.Start, p.BodyStart)
	for fs.Next() {
		name := fs.Name()
		k := envelopeField(name)
		if k < 0 {
			continue
		}
		switch k {
		case envDate, envSubject, envInReplyTo, envMessageID:
			ef.str[k] = fs.Value()
		default:
			if ef.n[k] < maxAddressFields {
				ef.addr[k][ef.n[k]] = fs.Value()
				ef.n[k]++
			}
		}
	}
	if err := m.src.Err(); err != nil {
		return dst, err
	}
	var err error
	dst = append(dst, '(')
	var from [2]int // where From's list was written, for Sender and Reply-To
	for k := range envFields {
		if k > 0 {
			dst = append(dst, ' ')
		}
		switch k {
		case envDate, envInReplyTo, envMessageID:
			dst, err = m.appendNString(dst, ef.str[k])
		case envSubject:
			dst, err = m.appendHuman(dst, ef.str[k])
		case envSender, envReplyTo:
			if ef.n[k] == 0 || !m.hasAddresses(ef, k) {
				dst = append(dst, dst[from[0]:from[1]]...)
				continue
			}
			dst, err = m.appendAddresses(dst, ef, k)
		default:
			s := len(dst)
			dst, err = m.appendAddresses(dst, ef, k)
			if k == envFrom {
				from = [2]int{s, len(dst)}
			}
		}
		if err != nil {
			return dst, err
		}
	}
	return append(dst, ')'), nil
}

func envelopeField(name []byte) int {
	for k, n := range envNames {
		if mime.EqualFold(name, n) {
			return k
		}
	}
	return -1
}

// appendHuman appends a value unfolded with white space runs made one
// space, or NIL when absent.
func (m *Message) appendHuman(dst []byte, s mime.Span) ([]byte, error) {
	if !s.Present() {
		return append(dst, "NIL"...), nil
	}
	v, err := m.value(s)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, v...)
	dst = humanAt(dst, start)
	return stringAt(dst, start), nil
}

// hasAddresses reports whether the fields of kind k hold an address.
func (m *Message) hasAddresses(ef *envelopeFields, k int) bool {
	for j := range ef.n[k] {
		v, err := m.value(ef.addr[k][j])
		if err != nil {
			return true // the error shows when the list is written
		}
		it := mime.Addresses(v)
		if _, _, ok := it.Next(m.vals[:0]); ok {
			return true
		}
	}
	return false
}

// appendAddresses appends the address list of the fields of kind k, or
// NIL when they hold none.
func (m *Message) appendAddresses(dst []byte, ef *envelopeFields, k int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, '(')
	n := 0
	for j := range ef.n[k] {
		v, err := m.value(ef.addr[k][j])
		if err != nil {
			return dst[:start], err
		}
		it := mime.Addresses(v)
		for {
			var a mime.Address
			var ok bool
			m.vals, a, ok = it.Next(m.vals[:0])
			if !ok {
				break
			}
			n++
			dst = append(dst, '(')
			if a.HasName {
				s := len(dst)
				dst = append(dst, m.vals[a.Name[0]:a.Name[1]]...)
				dst = humanAt(dst, s)
				dst = stringAt(dst, s)
			} else {
				dst = append(dst, "NIL"...)
			}
			for _, f := range [...]struct {
				has  bool
				span [2]int
			}{{a.HasRoute, a.Route}, {a.HasMailbox, a.Mailbox}, {a.HasDomain, a.Domain}} {
				dst = append(dst, ' ')
				if f.has {
					dst = appendIString(dst, m.vals[f.span[0]:f.span[1]])
				} else {
					dst = append(dst, "NIL"...)
				}
			}
			dst = append(dst, ')')
		}
	}
	if n == 0 {
		return append(dst[:start], "NIL"...), nil
	}
	return append(dst, ')'), nil
}
