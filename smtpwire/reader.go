package smtpwire

import (
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// Line limits, octets including CRLF.
const (
	// DefaultMaxCommandLine is RFC 5321 §4.5.3.1.4.
	DefaultMaxCommandLine = 512
	// DefaultMaxAuthLine is RFC 4954 §4: AUTH lines may reach 12288.
	DefaultMaxAuthLine = 12288
)

// CommandReaderOptions configure a [CommandReader]. The zero value is
// strict RFC 5321.
type CommandReaderOptions struct {
	// MaxLine bounds command lines; 0 means DefaultMaxCommandLine. Raise it
	// when advertising extensions that lengthen MAIL (SIZE +26, SMTPUTF8
	// +10, AUTH= +500: RFC 5321 §4.5.3.1.4 says extensions may).
	MaxLine int
	// MaxAuthLine bounds AUTH command lines and AUTH continuation lines;
	// 0 means DefaultMaxAuthLine.
	MaxAuthLine int
}

// CommandReader reads what an SMTP client sends: command lines, AUTH
// responses, DATA bodies and BDAT chunks, from any io.Reader, through one
// buffer allocated in NewCommandReader. Steady-state reads do not allocate.
type CommandReader struct {
	lr      *crlf.Reader
	maxLine int
	maxAuth int
	data    DataReader
	chunk   ChunkReader
}

// NewCommandReader returns a reader of r.
func NewCommandReader(r io.Reader, opt CommandReaderOptions) *CommandReader {
	c := &CommandReader{maxLine: opt.MaxLine, maxAuth: opt.MaxAuthLine}
	if c.maxLine <= 0 {
		c.maxLine = DefaultMaxCommandLine
	}
	if c.maxAuth <= 0 {
		c.maxAuth = DefaultMaxAuthLine
	}
	limit := max(c.maxLine, c.maxAuth)
	c.lr = crlf.NewReader(r, crlf.Options{MaxLine: limit, BufSize: max(limit, crlf.DefaultBufSize)})
	return c
}

// Reset makes c read from r (after a TLS upgrade, say), dropping anything
// buffered and keeping the buffer.
func (c *CommandReader) Reset(r io.Reader) { c.lr.Reset(r) }

// Buffered reports how many octets were read from the source and not yet
// consumed. A server must refuse to start TLS when it is not 0: those
// octets were pipelined in plaintext after STARTTLS (CVE-2011-0411).
func (c *CommandReader) Buffered() int { return c.lr.Buffered() }

// ReadCommand reads and splits one command line (see ParseCommand). The
// views in Command are valid until the next call on c. Lines over MaxLine
// (MaxAuthLine for AUTH) give ErrLineTooLong; a bare CR or LF gives
// ErrBareCR or ErrBareLF. After those, and after ParseCommand errors, the
// line has been consumed and c can read the next one; StatusOf tells the
// reply. io.EOF means the client closed between commands.
func (c *CommandReader) ReadCommand() (Command, error) {
	line, err := c.lr.ReadLine()
	if err != nil {
		return Command{}, err
	}
	cmd, err := ParseCommand(line)
	limit := c.maxLine
	if cmd.Verb == VerbAUTH {
		limit = c.maxAuth
	}
	if len(line)+2 > limit {
		return Command{}, ErrLineTooLong
	}
	return cmd, err
}

// ReadAuthResponse reads one client line of an AUTH exchange (RFC 4954 §4),
// still base64-encoded; see DecodeBase64. A line "*" gives ErrAuthCanceled.
// The view is valid until the next call on c.
func (c *CommandReader) ReadAuthResponse() ([]byte, error) {
	line, err := c.lr.ReadLine()
	if err != nil {
		return nil, err
	}
	if string(line) == "*" {
		return nil, ErrAuthCanceled
	}
	if len(line)+2 > c.maxAuth {
		return nil, ErrLineTooLong
	}
	return line, nil
}

// DataReader is the body of a DATA command, dot-unstuffed, with its CRLF
// line ends.
type DataReader struct {
	dr dot.Reader
}

// Data returns the reader of the DATA body that follows the server's 354
// reply; maxSize bounds the unstuffed body (0: no limit). The reader is
// owned by c and valid until the next call on c.
//
// The body ends only at <CRLF>.<CRLF>. A bare CR or LF anywhere, or a body
// over maxSize, makes Read stop handing out octets, consume the rest of the
// body up to the real end, and then fail (ErrBareCR, ErrBareLF: 554 5.5.0;
// ErrTooLarge: 552 5.3.4). The session stays in step, and nothing after a
// smuggled end of data is ever read as a command.
func (c *CommandReader) Data(maxSize int64) *DataReader {
	c.data.dr.Reset(c.lr, dot.Options{MaxSize: maxSize})
	return &c.data
}

var (
	errDataBareCR   = &Error{Err: ErrBareCR, Offset: -1, Status: stDataBareCRLF}
	errDataBareLF   = &Error{Err: ErrBareLF, Offset: -1, Status: stDataBareCRLF}
	errDataTooLarge = &Error{Err: ErrTooLarge, Offset: -1, Status: stTooLarge}
)

// Read reads body octets. It returns io.EOF after the final ".\r\n" was
// consumed, or an *Error once the body was consumed and found bad.
func (d *DataReader) Read(p []byte) (int, error) {
	n, err := d.dr.Read(p)
	switch err {
	case crlf.ErrBareCR:
		err = errDataBareCR
	case crlf.ErrBareLF:
		err = errDataBareLF
	case dot.ErrTooLarge:
		err = errDataTooLarge
	}
	return n, err
}

// ChunkReader is the content of one BDAT chunk (RFC 3030): exactly the
// announced number of octets, with no dot-stuffing and no line rules.
type ChunkReader struct {
	lr   *crlf.Reader
	left uint64
}

// Chunk returns the reader of a BDAT chunk of size octets (from ParseBDAT).
// The chunk must be consumed, by Read or Discard, even when the server
// rejects the command: it is on the wire either way. Nothing is allocated
// from size. The reader is owned by c and valid until the next call on c.
func (c *CommandReader) Chunk(size uint64) *ChunkReader {
	c.chunk = ChunkReader{lr: c.lr, left: size}
	return &c.chunk
}

// Remaining reports how many octets of the chunk are still unread.
func (r *ChunkReader) Remaining() uint64 { return r.left }

// Read reads chunk octets; io.EOF at the chunk's end, io.ErrUnexpectedEOF
// when the source ends before it.
func (r *ChunkReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if uint64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.lr.Read(p)
	r.left -= uint64(n)
	if err == io.EOF && r.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Discard consumes the rest of the chunk without handing it out.
func (r *ChunkReader) Discard() error {
	for r.left > 0 {
		if r.lr.Buffered() == 0 {
			if err := r.lr.Fill(); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
		n := uint64(r.lr.Buffered())
		n = min(n, r.left)
		r.lr.Discard(int(n))
		r.left -= n
	}
	return nil
}
