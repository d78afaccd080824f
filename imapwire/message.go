package imapwire

import (
	"errors"
	"io"

	"github.com/mailwire/mailwire/internal/mime"
)

// Errors of Message.
var (
	// ErrTooManyParts: the message has more MIME parts than
	// MessageOptions.MaxParts. A server answers the FETCH with NO.
	ErrTooManyParts = mime.ErrTooManyParts
	// ErrPartsTooDeep: MIME parts nested deeper than
	// MessageOptions.MaxDepth.
	ErrPartsTooDeep = mime.ErrTooDeep
	// ErrFieldTooLong: a header field of a ReaderAt-backed message is
	// longer than MessageOptions.MaxField.
	ErrFieldTooLong = mime.ErrFieldTooLong
	// ErrNoSection: the section names a part the message does not have,
	// or HEADER/TEXT of a part that is not message/rfc822. A server
	// answers with an empty string for it, as Dovecot does.
	ErrNoSection = errors.New("imapwire: no such section")
	// ErrShortLiteral: a literal's reader ended before the size that was
	// announced; the connection must close (the octets are owed).
	ErrShortLiteral = errors.New("imapwire: literal data shorter than announced")
	// ErrNotParsed: Message used before a successful Parse.
	ErrNotParsed = errors.New("imapwire: no message parsed")
)

// MessageOptions bound a Message. Zero fields take the defaults.
type MessageOptions struct {
	// MaxParts is the size of the part table: the root, every part and
	// every message inside a message/rfc822 part count (default 1000;
	// Dovecot's limit is 10000).
	MaxParts int
	// MaxDepth bounds nesting (default and maximum 64; Dovecot's is 100).
	MaxDepth int
	// MaxField bounds a header field value read from a ReaderAt (default
	// 256 KiB); in-memory messages need no copy.
	MaxField int
}

// Default Message limits.
const (
	DefaultMaxParts = 1000
	DefaultMaxField = 256 << 10
)

// Message is a stored RFC 5322 message prepared for FETCH: its MIME
// tree, walked once by Parse, answers ENVELOPE, BODY, BODYSTRUCTURE and
// the byte ranges of every section. It owns a bounded part table and
// scratch buffers, allocated by NewMessage and reused, so parsing and
// writing allocate nothing in steady state. A Message is not safe for
// concurrent use.
//
// Sizes and line counts are of the stored octets: store messages with
// CRLF line ends, as IMAP sends them (Dovecot counts a bare LF as CRLF;
// Message does not rewrite what it serves). The walk is lenient as a
// mail store must be (see headers.MIMEWalker); where it differs from
// Dovecot 2.3 is listed in message_interop_test.go.
type Message struct {
	opt     MessageOptions
	src     mime.Source
	parts   []mime.Part
	n       int
	w       mime.Walker
	scratch []byte // field values read from a ReaderAt
	vals    []byte // decoded strings before they are written
	pl      mime.ParamList
	env     envelopeFields
	err     error
	ok      bool
}

// NewMessage returns a Message with its part table.
func NewMessage(opt MessageOptions) *Message {
	if opt.MaxParts <= 0 {
		opt.MaxParts = DefaultMaxParts
	}
	if opt.MaxField <= 0 {
		opt.MaxField = DefaultMaxField
	}
	return &Message{opt: opt, parts: make([]mime.Part, opt.MaxParts)}
}

// Parse walks msg, which must stay unchanged while the Message uses it.
func (m *Message) Parse(msg []byte) error {
	m.src.ResetBytes(msg)
	return m.walk()
}

// ParseReaderAt walks the size octets of ra; later calls read ra again
// for field values and section data.
func (m *Message) ParseReaderAt(ra io.ReaderAt, size int64) error {
	m.src.ResetReaderAt(ra, size)
	return m.walk()
}

func (m *Message) walk() error {
	m.n, m.err = m.w.Walk(&m.src, m.parts, mime.Limits{MaxDepth: m.opt.MaxDepth})
	m.ok = m.err == nil
	return m.err
}

// Size returns the message's size (RFC822.SIZE of a message stored with
// CRLF line ends).
func (m *Message) Size() int64 { return m.src.Size() }

// Parts returns the number of nodes in the MIME tree: the root, each
// part and each message inside a message/rfc822 part.
func (m *Message) Parts() int { return m.n }

// ReadAt reads the message's octets, so that io.NewSectionReader can
// serve a section.
func (m *Message) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > m.src.Size() {
		return 0, mime.ErrRange
	}
	if b := m.src.Bytes(); b != nil {
		n := copy(p, b[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	return m.readerAt().ReadAt(p, off)
}

func (m *Message) readerAt() io.ReaderAt { return sourceReaderAt{&m.src} }

type sourceReaderAt struct{ s *mime.Source }

func (r sourceReaderAt) ReadAt(p []byte, off int64) (int, error) {
	end := off + int64(len(p))
	short := false
	if end > r.s.Size() {
		end, short = r.s.Size(), true
	}
	var tmp []byte = p[:0]
	b, err := r.s.Read(off, end, &tmp, len(p))
	if err != nil {
		return 0, err
	}
	n := copy(p, b)
	if short {
		return n, io.EOF
	}
	return n, nil
}

// value returns a field value's octets (a view, or a copy in scratch).
func (m *Message) value(s mime.Span) ([]byte, error) {
	return m.src.Read(s.Off, s.End, &m.scratch, m.opt.MaxField)
}
