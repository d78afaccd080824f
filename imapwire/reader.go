package imapwire

import (
	"bytes"
	"io"
)

// Side says which end of the connection a Reader or Encoder serves.
type Side uint8

const (
	// ServerSide reads commands and writes responses.
	ServerSide Side = iota
	// ClientSide reads responses and writes commands.
	ClientSide
)

// Options configure a Reader. Zero values mean the defaults of the side.
type Options struct {
	Limits Limits
	Quirks Quirks
	// ExtraCommands names commands this package does not know that the
	// server implements itself (ASCII, any case): ReadCommand returns them
	// as CmdUnknown without error and leaves their arguments to the
	// caller. Any other unknown name is ErrUnknownCommand. Server side only.
	ExtraCommands []string
	// UTF8 starts the Reader in UTF-8 mode; see [Reader.SetUTF8].
	UTF8 bool
}

type state uint8

const (
	stIdle    state = iota // between messages
	stLine                 // in a message, tokenizing lines
	stLiteral              // a literal header was read; its data comes next
)

// Reader reads IMAP messages, commands on the server side and responses on
// the client side, from an io.Reader. It has two layers over one buffer: a
// framer that finds lines and literal headers within the limits, and a
// tokenizer whose methods return views into the buffer.
//
// Views (byte slices, [Token], [SeqSet], [Envelope], [BodyStructure] …)
// stay valid until the next Begin, ReadCommand, ReadResponse, ReadIdleDone or
// ReadAuthLine call, like bufio.Reader.ReadSlice's: a whole message can be
// decoded without copying.
//
// Literals are events. When a method meets a literal header it returns a
// Token of KindLiteral and the literal is open: the caller must Accept
// (a server then writes its "+" continuation), Inline, ReadLiteral,
// stream it through LiteralReader, Discard or Reject it before anything
// else is read. No line is parsed while a literal is open.
//
// A Reader is not safe for concurrent use. Errors of the underlying
// io.Reader (a timeout, say) leave it where it was: the call can be
// repeated and resumes without parsing anything twice.
type Reader struct {
	rd    io.Reader
	side  Side
	lim   Limits
	q     Quirks
	extra []string
	utf8  bool // UTF8=ACCEPT or IMAP4rev2: see SetUTF8

	buf      []byte
	w        int // end of buffered input
	msg      int // start of the current message
	msgBytes int // octets of the current message held in buf

	seg    int  // start of the current line
	end    int  // end of its content (index of its CR)
	next   int  // first octet after the current line or literal
	scan   int  // where the search for LF resumes
	framed bool // seg..end is a complete line
	// lineErr is why the framed line cannot be read (a bare LF): every
	// token of it returns it, not only the first call that framed it.
	lineErr error
	p       int  // tokenizer position in [seg, end]
	text    bool // the rest of the line was read as text: no literal at its end
	depth   int  // open lists

	search     []uint8 // the operators of a search waiting for operands
	searchDone bool    // a search key was read and is not yet counted
	searchN    int     // search keys read

	st       state
	lit      Literal
	litStart int // where the open literal's data starts in buf
	litLeft  uint64
	accepted bool
	literals int
	litTotal uint64
	litErr   error // the open literal held NUL: its reader fails
	err      error // sticky fatal error

	lr      literalReader
	scratch [512]byte
}

// NewReader returns a Reader of rd for the given side.
func NewReader(rd io.Reader, side Side, o Options) *Reader {
	def := ServerLimits()
	if side == ClientSide {
		def = ClientLimits()
	}
	r := &Reader{rd: rd, side: side, lim: o.Limits.withDefaults(def), q: o.Quirks, extra: o.ExtraCommands, utf8: o.UTF8}
	r.lr.r = r
	return r
}

// Limits returns the limits in force, defaults filled in.
func (r *Reader) Limits() Limits { return r.lim }

// Size reports the octets the Reader's buffer holds: 0 before the first
// read, 4096 while messages fit in that, and never more than
// 2×(MaxMessage+MaxLine+4), the bound a message that needs more reaches by
// doubling. Literals streamed with LiteralReader or drained do not count
// towards it; only what a message keeps inline does.
func (r *Reader) Size() int { return len(r.buf) }

// Buffered reports how many octets were read from the connection but not
// yet consumed. At a STARTTLS switch it must be 0: anything more was
// pipelined in plaintext (command or response injection) and must never be
// executed.
func (r *Reader) Buffered() int { return r.w - r.next }

// ReadAhead returns the octets that Buffered counts, a view valid until
// the next read from r: at a COMPRESS switch they are the start of the
// compressed stream. After a literal, however it was taken, they are
// exactly the octets after those consumed: none lost, none repeated.
func (r *Reader) ReadAhead() []byte { return r.buf[r.next:r.w] }

// SetUTF8 turns UTF-8 mode on or off from the next token on: a server
// turns it on when ENABLE UTF8=ACCEPT succeeds (RFC 6855 §3) and a client
// when its ENABLE does or IMAP4rev2 is in use (RFC 9051 §5.1). Off (the
// default), 8-bit octets in quoted strings are refused (ErrEightBit: they
// need a literal) and mailbox names are modified UTF-7. On, quoted strings
// must be valid UTF-8 (ErrInvalidUTF8) and mailbox names are UTF-8, "&"
// standing for itself. Atoms are ASCII either way; literals carry any
// octet but NUL.
func (r *Reader) SetUTF8(on bool) { r.utf8 = on }

// UTF8 reports whether UTF-8 mode is on.
func (r *Reader) UTF8() bool { return r.utf8 }

// Reset makes r read from rd (the TLS connection after STARTTLS, the
// decompressor after COMPRESS): everything buffered and every message,
// literal and error state is dropped; the side, limits, quirks, extra
// commands, UTF-8 mode and buffer are kept (ENABLE cannot come before
// STARTTLS, and UTF-8 mode outlives COMPRESS).
func (r *Reader) Reset(rd io.Reader) {
	*r = Reader{rd: rd, side: r.side, lim: r.lim, q: r.q, extra: r.extra, utf8: r.utf8, buf: r.buf, search: r.search[:0]}
	r.lr.r = r
}

// fail makes err sticky: the reader is unusable after it.
func (r *Reader) fail(err error) error {
	r.err = err
	r.st, r.framed = stIdle, false
	return err
}

// offset is the position of i from the start of the message.
func (r *Reader) offset(i int) int { return i - r.msg }

// Begin starts the next message for the generic lexer ([Reader.Next]) and
// the typed methods, skipping what is left of the previous one (see
// [Reader.Reject]); ReadCommand and ReadResponse call it first.
func (r *Reader) Begin() error { return r.begin() }

// begin starts a new message, skipping what is left of the previous one,
// and frames its first line.
func (r *Reader) begin() error {
	if r.err != nil {
		return r.err
	}
	if r.st == stLine && !r.framed && r.next == r.msg {
		return r.frame() // the first line was cut short by an I/O error
	}
	if r.st != stIdle {
		if err := r.skip(); err != nil {
			return err
		}
	}
	r.msg = r.next
	need := r.lim.MaxMessage + r.lim.MaxLine + 4
	if len(r.buf)-r.msg < need && r.msg >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.msg:r.w])
		r.w = n
		r.scan -= r.msg
		r.next, r.msg = 0, 0
	}
	r.msgBytes, r.literals, r.litTotal, r.depth = 0, 0, 0, 0
	r.search, r.searchDone, r.searchN = r.search[:0], false, 0
	r.st, r.framed, r.text, r.litErr, r.lineErr = stLine, false, false, nil, nil
	return r.frame()
}

// frame finds the end of the line that starts at r.next. Nothing that
// indexes buf is kept across fill: a fill that grows the buffer moves the
// message to the front of the new one, and only the Reader's own indices
// are rebased (r.next with them).
func (r *Reader) frame() error {
	for {
		start := r.next
		if i := bytes.IndexByte(r.buf[r.scan:r.w], '\n'); i >= 0 {
			lf := r.scan + i
			end := lf
			bare := true
			if end > start && r.buf[end-1] == '\r' {
				end--
				bare = false
			}
			if end-start > r.lim.MaxLine {
				return r.fail(syntaxErr(ErrLineTooLong, r.offset(start), ""))
			}
			r.seg, r.end, r.p, r.next, r.scan = start, end, start, lf+1, lf+1
			r.framed, r.text, r.lineErr = true, false, nil
			r.msgBytes += lf + 1 - start
			if r.msgBytes > r.lim.MaxMessage {
				return r.fail(syntaxErr(ErrMessageTooLong, r.offset(start), ""))
			}
			if bare {
				r.lineErr = syntaxErr(ErrBareLF, r.offset(end), "CRLF")
				return r.lineErr
			}
			return nil
		}
		r.scan = r.w
		if r.w-start > r.lim.MaxLine+1 {
			return r.fail(syntaxErr(ErrLineTooLong, r.offset(start), ""))
		}
		if err := r.fill(start == r.msg); err != nil {
			return err
		}
	}
}

// readChunk bounds one read from the connection, as bufio's buffer does:
// the read-ahead moved when a streamed literal's gap is closed stays small.
const readChunk = 8 << 10

// fill reads more input after r.w. At the start of a message (first is
// true and nothing is buffered) io.EOF is clean; elsewhere it is
// io.ErrUnexpectedEOF.
func (r *Reader) fill(first bool) error {
	if r.w == len(r.buf) {
		if err := r.grow(); err != nil {
			return err
		}
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:min(len(r.buf), r.w+readChunk)])
		r.w += n
		if n > 0 {
			return nil
		}
		if err == io.EOF && (!first || r.w > r.msg) {
			return io.ErrUnexpectedEOF
		}
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return &ConnError{Err: err}
		}
	}
	return io.ErrNoProgress
}

// grow makes the buffer larger, up to twice the room a message needs.
// Views into the old buffer stay valid: it is not reused.
func (r *Reader) grow() error {
	limit := 2 * (r.lim.MaxMessage + r.lim.MaxLine + 4)
	if len(r.buf) >= limit {
		return r.fail(syntaxErr(ErrMessageTooLong, r.offset(r.w), ""))
	}
	nb := make([]byte, min(max(2*len(r.buf), 4096), limit))
	r.w = copy(nb, r.buf[r.msg:r.w])
	d := r.msg
	r.buf = nb
	r.msg -= d
	r.seg -= d
	r.end -= d
	r.next -= d
	r.scan -= d
	r.p -= d
	r.litStart -= d
	return nil
}

// skip consumes the rest of the current message without interpreting it.
// A literal announced at the end of a line is drained when its data is on
// its way (non-synchronizing, accepted, or from a server) and ends the
// message when it is an unaccepted synchronizing one: its client waits for
// a continuation that never comes. Literal data is never read as lines.
func (r *Reader) skip() error {
	for {
		switch r.st {
		case stIdle:
			return nil
		case stLiteral:
			if err := r.Reject(); err != nil {
				return err
			}
		case stLine:
			if !r.framed {
				if err := r.frame(); err != nil && !r.framed {
					return err
				}
			}
			rest := r.buf[r.p:r.end]
			r.p = r.end
			lit, ok := trailingLiteral(rest)
			if r.text || !ok {
				r.st = stIdle
				return nil
			}
			if err := r.openLiteral(lit); err != nil && r.err != nil {
				return err
			}
		}
	}
}

// trailingLiteral recognizes a literal header at the end of b, lexically.
func trailingLiteral(b []byte) (Literal, bool) {
	n := len(b)
	if n < 3 || b[n-1] != '}' {
		return Literal{}, false
	}
	i := bytes.LastIndexByte(b, '{')
	if i < 0 {
		return Literal{}, false
	}
	lit, end, ok := parseLiteralHeader(b, i, true)
	return lit, ok && end == n
}
