package imapwire

import (
	"bytes"
	"io"
	"sync"

	"github.com/mailwire/mailwire/internal/mime"
)

// SectionRange is where a section's octets lie in the message.
type SectionRange struct {
	Off, Len int64
	// Filter is set for HEADER.FIELDS and HEADER.FIELDS.NOT: the range
	// is then the header that AppendHeaderFields filters, not the
	// section's data.
	Filter bool
}

// Section finds a section (RFC 3501 §6.4.5) of the message: "" is the
// whole message; HEADER and TEXT are those of the message, or of the
// message inside the message/rfc822 part named before them; MIME is the
// header of the part named before it; a part number alone is that part's
// body. Part 1 of a message that is not multipart is its body; the parts
// of a message/rfc822 part are those of the message inside it. A part
// that does not exist, and HEADER or TEXT after a part that is not
// message/rfc822, are ErrNoSection.
func (m *Message) Section(sec Section) (SectionRange, error) {
	if !m.ok {
		return SectionRange{}, ErrNotParsed
	}
	node := int32(0)
	if len(sec.Part) > 0 {
		var ok bool
		if node, ok = m.findPart(sec.Part); !ok {
			return SectionRange{}, ErrNoSection
		}
	}
	p := &m.parts[node]
	msg := p
	if len(sec.Part) > 0 && sec.Text != SectionAll && sec.Text != SectionMIME {
		if p.Kind != mime.KindMessage || p.Child < 0 {
			return SectionRange{}, ErrNoSection
		}
		msg = &m.parts[p.Child]
	}
	switch sec.Text {
	case SectionAll:
		if len(sec.Part) == 0 {
			return SectionRange{0, m.src.Size(), false}, nil
		}
		return SectionRange{p.BodyStart, p.End - p.BodyStart, false}, nil
	case SectionMIME:
		return SectionRange{p.Start, p.BodyStart - p.Start, false}, nil
	case SectionHeader:
		return SectionRange{msg.Start, msg.BodyStart - msg.Start, false}, nil
	case SectionHeaderFields, SectionHeaderFieldsNot:
		return SectionRange{msg.Start, msg.BodyStart - msg.Start, true}, nil
	case SectionBodyText:
		return SectionRange{msg.BodyStart, msg.End - msg.BodyStart, false}, nil
	}
	return SectionRange{}, ErrNoSection
}

// findPart resolves a part number, "1.2.3", to a node of the tree.
func (m *Message) findPart(part []byte) (int32, bool) {
	node := int32(0)
	top := true
	for i := 0; i < len(part); {
		n := 0
		j := i
		for j < len(part) && part[j] >= '0' && part[j] <= '9' && n < 1<<24 {
			n = n*10 + int(part[j]-'0')
			j++
		}
		if j == i || n == 0 || (j < len(part) && part[j] != '.') {
			return 0, false
		}
		i = j + 1
		var ok bool
		if top {
			node, ok = m.childOfMessage(node, n)
		} else {
			node, ok = m.childOfPart(node, n)
		}
		if !ok {
			return 0, false
		}
		top = false
	}
	return node, true
}

// childOfMessage returns part n of the message at node: a multipart's
// n-th part, or the message's body itself for n == 1.
func (m *Message) childOfMessage(node int32, n int) (int32, bool) {
	if m.parts[node].Kind == mime.KindMultipart {
		return m.nthChild(node, n)
	}
	return node, n == 1
}

// childOfPart returns part n of the part at node.
func (m *Message) childOfPart(node int32, n int) (int32, bool) {
	switch p := &m.parts[node]; p.Kind {
	case mime.KindMultipart:
		return m.nthChild(node, n)
	case mime.KindMessage:
		if p.Child < 0 {
			return 0, false
		}
		return m.childOfMessage(p.Child, n)
	}
	return 0, false
}

func (m *Message) nthChild(node int32, n int) (int32, bool) {
	c := m.parts[node].Child
	for ; c >= 0 && n > 1; n-- {
		c = m.parts[c].Next
	}
	return c, c >= 0
}

// AppendHeaderFields appends the fields of the header that sec (HEADER.FIELDS
// or HEADER.FIELDS.NOT) selects, each as it is stored, folds included, and
// the empty line that ends the header when it has one (HEADER.FIELDS that
// matches nothing is an empty line, as in Dovecot). Field names match
// ignoring case. A NUL is written as 0x80, as WriteSection writes it.
func (m *Message) AppendHeaderFields(dst []byte, sec Section) ([]byte, error) {
	r, err := m.Section(sec)
	if err != nil {
		return dst, err
	}
	if !r.Filter {
		return dst, ErrNoSection
	}
	not := sec.Text == SectionHeaderFieldsNot
	start := len(dst)
	fs := mime.Fields(&m.src, r.Off, r.Off+r.Len)
	for fs.Next() {
		if wanted(sec.Fields, fs.Name()) == not {
			continue
		}
		e := fs.Extent()
		v, err := m.src.Read(e.Off, e.End, &m.scratch, m.opt.MaxField)
		if err != nil {
			return dst, err
		}
		dst = append(dst, v...)
		if n := len(dst); n == 0 || dst[n-1] != '\n' {
			dst = append(dst, '\r', '\n') // the last field of a header that ends without a line end
		}
	}
	if err := m.src.Err(); err != nil {
		return dst, err
	}
	if m.parts[m.headerOf(sec)].Blank || !not && len(dst) == start {
		dst = append(dst, '\r', '\n')
	}
	replaceNUL(dst[start:]) // the fields go out as a literal
	return dst, nil
}

// headerOf returns the node whose header sec's HEADER… names (found).
func (m *Message) headerOf(sec Section) int32 {
	if len(sec.Part) == 0 {
		return 0
	}
	node, _ := m.findPart(sec.Part)
	return m.parts[node].Child
}

// wanted reports whether name is in the list of field names.
func wanted(names Values, name []byte) bool {
	var t Token
	for v := names; v.next(&t); {
		if mime.EqualFoldBytes(t.Bytes, name) {
			return true
		}
	}
	return false
}

// Partial narrows a section's range to what item's "<origin.count>"
// asks for (RFC 3501 §6.4.5): from origin on, at most count octets; empty
// when origin is past the end. Without a partial it is the range
// unchanged. For HEADER.FIELDS(.NOT), narrow the bytes AppendHeaderFields
// wrote: Partial(0, len(fields), item).
func Partial(off, n int64, item FetchItem) (int64, int64) {
	if !item.Partial {
		return off, n
	}
	o := int64(item.Offset)
	if o >= n {
		return off + n, 0
	}
	off, n = off+o, n-o
	if item.Count > 0 && int64(item.Count) < n {
		n = int64(item.Count)
	}
	return off, n
}

// WriteSection writes the n octets of the message at off to w, as the data
// of a {n} literal: a NUL, which a literal may not hold (RFC 3501 CHAR8),
// is written as 0x80, as Dovecot writes it; the count stays n.
func (m *Message) WriteSection(w io.Writer, off, n int64) error {
	if off < 0 || n < 0 || off+n > m.src.Size() {
		return mime.ErrRange
	}
	if b := m.src.Bytes(); b != nil {
		return writeNoNUL(w, b[off:off+n])
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for n > 0 {
		chunk := buf
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		got, err := m.ReadAt(chunk, off)
		if got < len(chunk) {
			if err == nil || err == io.EOF {
				err = ErrShortLiteral
			}
			return err
		}
		replaceNUL(chunk)
		if _, err := w.Write(chunk); err != nil {
			return err
		}
		off += int64(got)
		n -= int64(got)
	}
	return nil
}

// nulReplacement is what a NUL is written as in a literal.
var nulReplacement = []byte{0x80}

// writeNoNUL writes b with each NUL as 0x80, without copying b.
func writeNoNUL(w io.Writer, b []byte) error {
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			_, err := w.Write(b)
			return err
		}
		if _, err := w.Write(b[:i]); err != nil {
			return err
		}
		if _, err := w.Write(nulReplacement); err != nil {
			return err
		}
		b = b[i+1:]
	}
}

// replaceNUL rewrites each NUL in b as 0x80.
func replaceNUL(b []byte) {
	for i := bytes.IndexByte(b, 0); i >= 0; i = bytes.IndexByte(b, 0) {
		b[i] = 0x80
	}
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// copyExactly copies n octets from r to w, failing with ErrShortLiteral
// when r ends sooner; noNUL writes each NUL as 0x80.
func copyExactly(w io.Writer, r io.Reader, n int64, noNUL bool) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	idle := 0
	for n > 0 {
		chunk := buf
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		got, err := r.Read(chunk)
		if got > 0 {
			if noNUL {
				replaceNUL(chunk[:got])
			}
			if _, werr := w.Write(chunk[:got]); werr != nil {
				return werr
			}
			n -= int64(got)
		}
		if n == 0 {
			return nil
		}
		switch {
		case err == io.EOF:
			return ErrShortLiteral
		case err != nil:
			return err
		case got == 0:
			if idle++; idle == maxIdleReads {
				return io.ErrNoProgress
			}
		default:
			idle = 0
		}
	}
	return nil
}

// maxIdleReads bounds reads that return nothing and no error in a row.
const maxIdleReads = 100
