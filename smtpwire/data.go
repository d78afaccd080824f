package smtpwire

import (
	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// DataReader is the body of a DATA command, dot-unstuffed, with its CRLF
// line ends.
type DataReader struct {
	dr dot.Reader
	lr *crlf.Reader
}

// Data returns the reader of the DATA body that follows the server's 354
// reply; maxSize bounds the unstuffed body (0: no limit). The reader is
// owned by c and valid until the next call on c.
//
// The body ends only at <CRLF>.<CRLF>. A bare CR or LF anywhere, a line
// over MaxDataLine, or a body over maxSize makes Read stop handing out
// octets, consume the rest of the body up to the real end, and then fail
// (ErrBareCR, ErrBareLF: 554 5.5.0; ErrLineTooLong: 554 5.6.0; ErrTooLarge:
// 552 5.3.4). The session stays in step, and nothing after a smuggled end
// of data is ever read as a command.
func (c *CommandReader) Data(maxSize int64) *DataReader {
	c.lr.Grow(dataBufSize)
	c.data.dr.Reset(c.lr, dot.Options{MaxSize: maxSize, MaxLine: c.maxData})
	c.data.lr = c.lr
	return &c.data
}

var (
	errDataBareCR   = &Error{Err: ErrBareCR, Offset: -1, Status: stDataBareCRLF}
	errDataBareLF   = &Error{Err: ErrBareLF, Offset: -1, Status: stDataBareCRLF}
	errDataTooLarge = &Error{Err: ErrTooLarge, Offset: -1, Status: stTooLarge}
	errDataLongLine = &Error{Err: ErrLineTooLong, Offset: -1, Status: stDataLongLine}
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
	case crlf.ErrLineTooLong:
		err = errDataLongLine
	}
	return n, err
}

// Buffered reports the octets read from the source and not yet consumed,
// as CommandReader.Buffered (it is the same buffer): after the body's end,
// what the client pipelined behind it.
func (d *DataReader) Buffered() int { return d.lr.Buffered() }

// ReadAhead returns the octets Buffered counts, without consuming them;
// valid until the next read.
func (d *DataReader) ReadAhead() []byte { return d.lr.Peek() }
