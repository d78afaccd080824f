package smtpwire

import (
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// Line limits, octets including CRLF.
const (
	// DefaultMaxCommandLine is RFC 5321 §4.5.3.1.4.
	DefaultMaxCommandLine = 512
	// DefaultMaxAuthLine is RFC 4954 §4: AUTH lines may reach 12288.
	DefaultMaxAuthLine = 12288
	// DefaultMaxDataLine is RFC 5321 §4.5.3.1.6: a text line of DATA.
	DefaultMaxDataLine = 1000
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
	// MaxDataLine bounds the lines of a DATA body as sent (stuffing dot and
	// CRLF included); 0 means DefaultMaxDataLine, a negative value no limit.
	// Real mail sometimes breaks the RFC limit (Postfix accepts 2048 and
	// splits longer lines): raise it rather than turn it off, since memory
	// is bounded either way.
	MaxDataLine int
	// LMTP reads RFC 2033 LMTP instead of SMTP: LHLO is the greeting
	// command, and EHLO and HELO are ErrUnknownCommand. Without it, LHLO
	// is ErrUnknownCommand. See AppendLMTPReplies for the end of DATA.
	LMTP bool
}

// commandBufSize is a CommandReader's initial buffer: a full-length
// command line twice over, so that pipelined commands fit.
const commandBufSize = 1024

// dataBufSize is what the buffer grows to when a DATA body starts: the
// body streams through it, and fewer, larger reads cost less (with 1 KiB,
// BenchmarkData took 30% more CPU time; 4 KiB 8%; 8 KiB as much as 12).
const dataBufSize = 8192

// CommandReader reads what an SMTP client sends: command lines, AUTH
// responses, DATA bodies and BDAT chunks, from any io.Reader, through one
// buffer. The buffer starts at 1 KiB (or MaxLine, if larger). It grows, by
// doubling, only while an AUTH line or AUTH response longer than it
// arrives, to MaxAuthLine at most, and to 8 KiB when a DATA body starts;
// it never shrinks. Other lines over MaxLine are refused without growing
// it. So a client that has sent only commands holds 1 KiB, one that has
// sent a DATA body 8 KiB, and none more than max(MaxLine, MaxAuthLine,
// 8 KiB). Steady-state reads do not allocate.
type CommandReader struct {
	lr      *crlf.Reader
	maxLine int
	maxAuth int
	maxData int
	lmtp    bool
	fast    uint32 // bit v: ReadCommand may take verb v's line as ParseCommand does
	data    DataReader
	chunk   ChunkReader
}

// NewCommandReader returns a reader of r.
func NewCommandReader(r io.Reader, opt CommandReaderOptions) *CommandReader {
	c := &CommandReader{maxLine: opt.MaxLine, maxAuth: opt.MaxAuthLine, lmtp: opt.LMTP}
	if c.maxLine <= 0 {
		c.maxLine = DefaultMaxCommandLine
	}
	if c.maxAuth <= 0 {
		c.maxAuth = DefaultMaxAuthLine
	}
	switch c.maxData = opt.MaxDataLine; {
	case c.maxData == 0:
		c.maxData = DefaultMaxDataLine
	case c.maxData < 0:
		c.maxData = 0
	}
	// Every verb but AUTH (limited by MaxAuthLine) and the greeting of the
	// other dialect (ErrUnknownCommand).
	c.fast = 1<<numVerbs - 1
	c.fast &^= 1 << VerbAUTH
	if c.lmtp {
		c.fast &^= 1<<VerbEHLO | 1<<VerbHELO
	} else {
		c.fast &^= 1 << VerbLHLO
	}
	c.lr = crlf.NewReader(r, crlf.Options{
		MaxLine:  c.maxLine,
		BufSize:  max(c.maxLine, commandBufSize),
		MaxBuf:   max(c.maxLine, c.maxAuth, dataBufSize),
		LongLine: c.authLimit,
	})
	return c
}

// authLimit is the crlf.Options.LongLine of a CommandReader: an AUTH
// command line may be MaxAuthLine long, any other keeps MaxLine.
func (c *CommandReader) authLimit(head []byte) int {
	if len(head) > 4 && head[4] == ' ' && lookupVerb(head[:4]) == VerbAUTH {
		return c.maxAuth
	}
	return 0
}

// Size reports the size of c's buffer, the bytes c holds (see
// CommandReader for when it grows).
func (c *CommandReader) Size() int { return c.lr.Size() }

// Reset makes c read from r (after a TLS upgrade, say), dropping anything
// buffered and keeping the buffer.
func (c *CommandReader) Reset(r io.Reader) { c.lr.Reset(r) }

// Buffered reports how many octets were read from the source and not yet
// consumed. A server must refuse to start TLS when it is not 0: those
// octets were pipelined in plaintext after STARTTLS (CVE-2011-0411).
func (c *CommandReader) Buffered() int { return c.lr.Buffered() }

// ReadAhead returns the octets read from the source and not yet consumed
// (Buffered of them), without consuming them: for a hand-over to another
// reader (a TLS or compression layer that takes the rest of the stream)
// and for test harnesses. The view is valid until the next call on c.
func (c *CommandReader) ReadAhead() []byte { return c.lr.Peek() }

// ReadCommand reads and splits one command line (see ParseCommand). The
// views in Command are valid until the next call on c. Lines over MaxLine
// (MaxAuthLine for AUTH) give ErrLineTooLong; a bare CR or LF gives
// ErrBareCR or ErrBareLF. After those, and after ParseCommand errors
// (ErrUnknownCommand among them, with Name and Args set), the line has
// been consumed and c can read the next one; StatusOf tells the reply.
// io.EOF means the client closed between commands.
func (c *CommandReader) ReadCommand() (Command, error) {
	if c.lr.MaxLine() != c.maxLine {
		c.lr.SetMaxLine(c.maxLine) // after ReadAuthResponse
	}
	line, err := c.lr.ReadLine()
	if err != nil {
		return Command{}, err
	}
	// The common line: a known verb that has no limit or dialect of its
	// own (see fast), in a line within MaxLine.
	if v := parseCommandFast(line); v != VerbUnknown && len(line)+2 <= c.maxLine && c.fast&(1<<v) != 0 {
		if len(line) == 4 {
			return Command{Verb: v, Name: line[:4]}, nil
		}
		return Command{Verb: v, Name: line[:4], Args: line[5:]}, nil
	}
	return c.parseLine(line)
}

// parseLine is ReadCommand's general path for a line read.
func (c *CommandReader) parseLine(line []byte) (Command, error) {
	cmd, err := ParseCommand(line)
	limit := c.maxLine
	if cmd.Verb == VerbAUTH {
		limit = c.maxAuth
	}
	if len(line)+2 > limit {
		return Command{}, ErrLineTooLong
	}
	switch cmd.Verb {
	case VerbEHLO, VerbHELO:
		if c.lmtp {
			cmd.Verb, err = VerbUnknown, errUnknownCommand
		}
	case VerbLHLO:
		if !c.lmtp {
			cmd.Verb, err = VerbUnknown, errUnknownCommand
		}
	}
	return cmd, err
}

// ReadAuthResponse reads one client line of an AUTH exchange (RFC 4954 §4),
// still base64-encoded; see DecodeSASL. A line "*" gives ErrAuthCanceled.
// The view is valid until the next call on c.
func (c *CommandReader) ReadAuthResponse() ([]byte, error) {
	c.lr.SetMaxLine(c.maxAuth)
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
