package pop3

import (
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// Line limits on the server side, octets including CRLF.
const (
	// DefaultMaxCommandLine is RFC 2449 §4: servers that support CAPA must
	// accept commands of 255 octets. AUTH lines, initial response
	// included, are held to it as well (RFC 5034 §4).
	DefaultMaxCommandLine = 255
	// DefaultMaxAuthLine bounds a client's AUTH continuation line, which
	// no RFC limits; 12288 is RFC 4954's figure for SMTP, enough for a
	// Kerberos ticket.
	DefaultMaxAuthLine = 12288
)

// CommandReaderOptions configure a [CommandReader]. The zero value is
// RFC 2449.
type CommandReaderOptions struct {
	// MaxLine bounds command lines; 0 means DefaultMaxCommandLine. Raise
	// it when a capability you advertise needs longer commands.
	MaxLine int
	// MaxAuthLine bounds AUTH continuation lines; 0 means
	// DefaultMaxAuthLine.
	MaxAuthLine int
}

// commandBufSize is a CommandReader's initial buffer: four full-length
// command lines, so that pipelined commands fit.
const commandBufSize = 1024

// CommandReader reads what a POP3 client sends, command lines and AUTH
// continuation lines, from any io.Reader through one buffer. The buffer
// starts at 1 KiB (or MaxLine, if larger) and grows, by doubling, only
// while an AUTH continuation line longer than it arrives, to MaxAuthLine
// at most; it never shrinks. A client that never sends a long AUTH line
// costs 1 KiB; none costs more than max(MaxLine, MaxAuthLine). Command
// lines over MaxLine are refused without growing it. Steady-state reads
// do not allocate.
type CommandReader struct {
	lr      *crlf.Reader
	maxLine int
	maxAuth int
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
	c.lr = crlf.NewReader(r, crlf.Options{
		MaxLine: c.maxLine,
		BufSize: max(c.maxLine, commandBufSize),
		MaxBuf:  max(c.maxLine, c.maxAuth),
	})
	return c
}

// Size reports the size of c's buffer: the bytes c holds, 1 KiB until
// a client sends an AUTH continuation line longer than that, MaxAuthLine
// at most.
func (c *CommandReader) Size() int { return c.lr.Size() }

// Reset makes c read from r (the TLS connection after STLS, say),
// dropping anything buffered and keeping the buffer.
func (c *CommandReader) Reset(r io.Reader) { c.lr.Reset(r) }

// Buffered reports how many octets were read from the source and not yet
// consumed. A server must refuse to start TLS after STLS when it is not 0:
// those octets were pipelined in plaintext (CVE-2011-0411 class).
func (c *CommandReader) Buffered() int { return c.lr.Buffered() }

// ReadAhead returns the octets Buffered counts: read from the source, not
// yet consumed. It is a view valid until the next call that reads on c, for
// logging what a client pipelined (after STLS, say) or handing it over
// when the connection leaves this reader.
func (c *CommandReader) ReadAhead() []byte { return c.lr.Peek() }

// ReadCommand reads one command line and parses it (see ParseCommand).
// The views in Command are valid until the next call on c. An unknown
// command name gives ErrUnknownCommand with the Command's Name and Args
// set. A line over
// MaxLine gives ErrLineTooLong, a bare CR or LF ErrBareCR or ErrBareLF;
// after those and after any ParseCommand error the line has been consumed
// and c can read the next one, and ReplyOf tells the -ERR to send. io.EOF
// means the client closed between commands; io.ErrUnexpectedEOF that it
// closed inside one.
func (c *CommandReader) ReadCommand() (Command, error) {
	c.lr.SetMaxLine(c.maxLine)
	line, err := c.lr.ReadLine()
	if err != nil {
		return Command{}, err
	}
	return ParseCommand(line)
}

// ReadAuthResponse reads one client line of an AUTH exchange (RFC 5034 §4)
// and appends its decoded data to dst with DecodeSASL, returning the
// extended slice (dst as given on error). "*" gives ErrAuthCanceled, bad
// base64 ErrBase64, a line over MaxAuthLine ErrLineTooLong: MaxAuthLine is
// the bound, and nothing is allocated when dst has 3/4 of it free. After
// each of them the line was consumed; the server answers -ERR and the
// exchange is over.
func (c *CommandReader) ReadAuthResponse(dst []byte) ([]byte, error) {
	c.lr.SetMaxLine(c.maxAuth)
	line, err := c.lr.ReadLine()
	if err != nil {
		return dst, err
	}
	return DecodeSASL(dst, line)
}
