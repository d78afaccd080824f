package pop3

import (
	"io"
	"math"

	"github.com/mailwire/mailwire/internal/crlf"
)

// Limits on the client side.
const (
	// DefaultMaxResponseLine is RFC 1939 §3 and RFC 2449 §4: 512 octets
	// including CRLF, for status lines and listing lines alike.
	DefaultMaxResponseLine = 512
	// DefaultMaxCapabilities bounds the octets a CAPA listing may hold. No
	// RFC limits it; real servers send well under 1 KiB.
	DefaultMaxCapabilities = 8192
)

// ResponseReaderOptions configure a [ResponseReader]. The zero value is
// strict RFC 1939.
type ResponseReaderOptions struct {
	// MaxLine bounds status and listing lines; 0 means
	// DefaultMaxResponseLine. Body lines (RETR, TOP) have no line limit.
	MaxLine int
	// MaxBodySize bounds a multi-line body after unstuffing; 0 means no
	// limit. Past it the body is read to its end and Read fails with
	// ErrTooLarge.
	MaxBodySize int64
	// MaxCapabilities bounds a CAPA listing; 0 means
	// DefaultMaxCapabilities.
	MaxCapabilities int
	// AllowBareLF accepts LF alone as a line end, and ".\n" as the end of
	// a body, for old servers that send bare LF. A bare CR is an error
	// still.
	AllowBareLF bool
}

// bufSize is a ResponseReader's buffer: bodies (RETR, TOP) stream through
// it, and fewer, larger reads cost less (with 4 KiB, BenchmarkPop3RETR
// took 8% more CPU time than with 8).
const bufSize = 8192

type readerState uint8

const (
	stateIdle    readerState = iota
	stateAfterOK             // a +OK was read: a multi-line may follow
	stateLines               // inside a listing
	stateBody                // inside a body
)

// ResponseReader reads what a POP3 server sends: status lines, SASL
// challenges, listings and bodies, from any io.Reader through one buffer
// of 8 KiB allocated in NewResponseReader, replaced by larger ones,
// doubling, only while a status or listing line that MaxLine allows does
// not fit (see Size); it never shrinks. Steady-state reads do not
// allocate.
//
// After a "+OK" to a command with a multi-line response, read it with
// ReadLine (ReadScan, ReadUID, ReadCapabilities) or Body. ReadResponse
// consumes whatever is left of an open multi-line response first, so
// a caller that stops early stays in step with the server.
type ResponseReader struct {
	lr      *crlf.Reader
	opt     ResponseReaderOptions
	state   readerState
	body    BodyReader
	scratch [512]byte // for draining an abandoned body
}

// NewResponseReader returns a reader of r.
func NewResponseReader(r io.Reader, opt ResponseReaderOptions) *ResponseReader {
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxResponseLine
	}
	if opt.MaxCapabilities <= 0 {
		opt.MaxCapabilities = DefaultMaxCapabilities
	}
	lr := crlf.NewReader(r, crlf.Options{MaxLine: opt.MaxLine, AllowBareLF: opt.AllowBareLF, BufSize: bufSize})
	return &ResponseReader{lr: lr, opt: opt}
}

// Reset makes r read from src (the TLS connection after STLS, say),
// dropping anything buffered and keeping the buffer.
func (r *ResponseReader) Reset(src io.Reader) {
	r.lr.Reset(src)
	r.state = stateIdle
}

// Size reports the size of r's buffer, the bytes r holds: 8 KiB, more
// only after a line longer than that, max(MaxLine, 8 KiB) at most.
func (r *ResponseReader) Size() int { return r.lr.Size() }

// Buffered reports how many octets were read from the source and not yet
// consumed. After the "+OK" to STLS it must be 0: anything more was sent
// in plaintext before TLS, an injection (CVE-2011-0411 class); refuse to
// go on rather than Reset past it.
func (r *ResponseReader) Buffered() int { return r.lr.Buffered() }

// ReadAhead returns the octets Buffered counts: read from the source, not
// yet consumed. It is a view valid until the next call that reads on r (a
// body's Read included), for logging what a server sent early or handing
// it over when the connection leaves this reader.
func (r *ResponseReader) ReadAhead() []byte { return r.lr.Peek() }

var (
	errRespTooLong = clientError(ErrLineTooLong, -1, "", true)
	errRespBareCR  = clientError(ErrBareCR, -1, "", true)
	errRespBareLF  = clientError(ErrBareLF, -1, "", true)
	errListTooLong = clientError(ErrLineTooLong, -1, "", false)
	errListBareCR  = clientError(ErrBareCR, -1, "", false)
	errListBareLF  = clientError(ErrBareLF, -1, "", false)
	errBodyBareCR  = clientError(ErrBareCR, -1, "", false)
	errBodyBareLF  = clientError(ErrBareLF, -1, "", false)
	errBodyLarge   = clientError(ErrTooLarge, -1, "", false)
	errCapaLarge   = clientError(ErrCapability, -1, "a shorter CAPA listing", false)
)

// ReadResponse reads one status line or SASL challenge (see
// ParseResponse). Its views are valid until the next call on r. A line
// that breaks a rule gives an *Error that ReplyOf calls fatal: a client
// should not trust the connection any more.
func (r *ResponseReader) ReadResponse() (Response, error) {
	if err := r.finish(); err != nil {
		return Response{}, err
	}
	line, err := r.lr.ReadLine()
	switch err {
	case nil:
	case crlf.ErrLineTooLong:
		return Response{}, errRespTooLong
	case crlf.ErrBareCR:
		return Response{}, errRespBareCR
	case crlf.ErrBareLF:
		return Response{}, errRespBareLF
	default:
		return Response{}, err
	}
	resp, err := ParseResponse(line)
	if resp.Status == StatusOK {
		r.state = stateAfterOK
	}
	return resp, err
}

// finish consumes the rest of an open multi-line response.
func (r *ResponseReader) finish() error {
	switch r.state {
	case stateLines:
		for {
			if _, err := r.ReadLine(); err == io.EOF {
				break
			} else if err != nil && fatal(err) {
				return err
			}
		}
	case stateBody:
		for {
			if _, err := r.body.Read(r.scratch[:]); err == io.EOF {
				break
			} else if err != nil && fatal(err) {
				return err
			} else if err != nil {
				break
			}
		}
	}
	r.state = stateIdle
	return nil
}

// ReadLine returns the next line of a listing that follows "+OK" (LIST,
// UIDL, CAPA), dot-unstuffed, without CRLF, valid until the next call on
// r. It returns io.EOF at the terminating "." line, and after it until the
// next ReadResponse. A line over MaxLine, or with a bare CR or LF, gives
// an error that is not fatal: the line was consumed and the listing goes
// on.
func (r *ResponseReader) ReadLine() ([]byte, error) {
	if r.state != stateAfterOK && r.state != stateLines {
		return nil, io.EOF
	}
	r.state = stateLines
	line, err := r.lr.ReadLine()
	switch err {
	case nil:
	case crlf.ErrLineTooLong:
		return nil, errListTooLong
	case crlf.ErrBareCR:
		return nil, errListBareCR
	case crlf.ErrBareLF:
		return nil, errListBareLF
	case io.EOF:
		return nil, io.ErrUnexpectedEOF
	default:
		return nil, err
	}
	if len(line) > 0 && line[0] == '.' {
		if len(line) == 1 {
			r.state = stateIdle
			return nil, io.EOF
		}
		line = line[1:]
	}
	return line, nil
}

// plainLine returns the buffered octets when a listing line can be parsed
// straight from them: inside a listing. The fast paths of ReadScan and
// ReadUID take only a whole line in the plainest form ("msg size" or
// "msg id", then CRLF, within MaxLine) and leave anything else to ReadLine
// and the Parse functions, which give the same results. The buffer always
// starts at a line start here: crlf.Reader keeps a partial line there and
// drops the buffer while it skips an over-long one.
func (r *ResponseReader) plainLine() []byte {
	if r.state != stateAfterOK && r.state != stateLines {
		return nil
	}
	return r.lr.Peek()
}

// takePlain consumes a line of n octets, CRLF included, that a fast path
// parsed, if it is within MaxLine.
func (r *ResponseReader) takePlain(n int) bool {
	if n > r.opt.MaxLine {
		return false
	}
	r.lr.Discard(n)
	r.state = stateLines
	return true
}

// ReadScan reads the next line of a LIST listing (see ParseScan); io.EOF
// at its end. Scan.Raw is the line, a view valid until the next call on r,
// also when the line does not parse.
func (r *ResponseReader) ReadScan() (Scan, error) {
	if buf := r.plainLine(); len(buf) > 0 {
		msg, rest, ok := leadingDecimal(buf, MaxMessageNumber)
		if ok && msg > 0 && startsWithSpace(rest) {
			size, end, ok := leadingDecimal(rest[1:], math.MaxInt64)
			n := len(buf) - len(end)
			if ok && hasPrefix(end, "\r\n") && r.takePlain(n+2) {
				return Scan{Msg: int(msg), Size: int64(size), Raw: buf[:n]}, nil
			}
		}
	}
	line, err := r.ReadLine()
	if err != nil {
		return Scan{}, err
	}
	return ParseScan(line)
}

// ReadUID reads the next line of a UIDL listing (see ParseUID); io.EOF at
// its end. The ID and UID.Raw, the line (also when it does not parse), are
// views valid until the next call on r.
func (r *ResponseReader) ReadUID() (UID, error) {
	if buf := r.plainLine(); len(buf) > 0 {
		msg, rest, ok := leadingDecimal(buf, MaxMessageNumber)
		if ok && msg > 0 && startsWithSpace(rest) {
			id := rest[1:]
			i := uidPrefix(id[:min(len(id), MaxUIDLen+1)])
			n := len(buf) - len(id) + i
			if i > 0 && i <= MaxUIDLen && hasPrefix(id[i:], "\r\n") && r.takePlain(n+2) {
				return UID{Msg: int(msg), ID: id[:i], Raw: buf[:n]}, nil
			}
		}
	}
	line, err := r.ReadLine()
	if err != nil {
		return UID{}, err
	}
	return ParseUID(line)
}

// ReadCapabilities reads a whole CAPA listing after its "+OK" into c,
// which it resets first. The listing is always read to its end; the first
// problem (a malformed capability, a listing over MaxCapabilities, a bad
// line) is returned then, and c holds what was valid.
func (r *ResponseReader) ReadCapabilities(c *Capabilities) error {
	c.Reset()
	var first error
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			return first
		}
		if err == nil && c.Len()+len(line)+1 > r.opt.MaxCapabilities {
			err = errCapaLarge
		}
		if err == nil {
			err = c.Add(line)
		}
		if err != nil && fatal(err) {
			return err
		}
		if first == nil {
			first = err
		}
	}
}

// fatal reports whether a reader error leaves the stream out of step:
// everything but this package's non-fatal *Error values.
func fatal(err error) bool {
	e, ok := err.(*Error)
	return !ok || e.Reply.Fatal
}

// Body returns the reader of the multi-line body that follows "+OK" to
// RETR or TOP. It is owned by r and valid until the next call on r.
// Asked for again while the body is open, it returns the same reader.
func (r *ResponseReader) Body() *BodyReader {
	switch r.state {
	case stateAfterOK:
		r.state = stateBody
		r.body.reset(r)
	case stateBody:
	default:
		r.body = BodyReader{}
	}
	return &r.body
}
