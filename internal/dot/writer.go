package dot

import (
	"bytes"
	"errors"
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// ErrClosed: Write after Close.
var ErrClosed = errors.New("dot: write after close")

var (
	terminator = []byte(".\r\n")
	lineEnd    = []byte("\r\n")
)

// Append dot-stuffs a complete body onto dst and appends the terminating
// ".\r\n", with a CRLF before it when body does not end in one. A body with
// a lone CR or LF is refused (crlf.ErrBareCR, crlf.ErrBareLF) and dst is
// returned unchanged: no lone CR or LF ever leaves.
func Append(dst, body []byte) ([]byte, error) {
	start := len(dst)
	atLineStart := true
	for len(body) > 0 {
		if atLineStart && body[0] == '.' {
			dst = append(dst, '.')
		}
		line := body
		lf := bytes.IndexByte(body, '\n')
		if lf >= 0 {
			line = body[:lf+1]
		}
		if err := checkLine(line, lf >= 0); err != nil {
			return dst[:start], err
		}
		dst = append(dst, line...)
		body = body[len(line):]
		atLineStart = lf >= 0
	}
	if !atLineStart {
		dst = append(dst, '\r', '\n')
	}
	return append(dst, terminator...), nil
}

// checkLine checks one line of a body: when it ends in LF, the LF must have
// a CR before it, and no other CR may appear.
func checkLine(line []byte, hasLF bool) error {
	text := line
	if hasLF {
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return crlf.ErrBareLF
		}
		text = line[:len(line)-2]
	}
	if bytes.IndexByte(text, '\r') >= 0 {
		return crlf.ErrBareCR
	}
	return nil
}

// Writer dot-stuffs a body written in pieces of any size, through one
// buffer allocated in NewWriter. Close ends the body. A lone CR or LF makes
// Write fail with crlf.ErrBareCR or crlf.ErrBareLF; the writer then stays
// failed, so that no terminator follows a broken body.
type Writer struct {
	w           io.Writer
	buf         []byte
	atLineStart bool
	afterCR     bool
	err         error
}

// NewWriter returns a Writer of one body to w.
func NewWriter(w io.Writer) *Writer {
	d := &Writer{buf: make([]byte, 0, 4096)}
	d.Reset(w)
	return d
}

// Reset makes d write a new body to w, keeping its buffer.
func (d *Writer) Reset(w io.Writer) {
	*d = Writer{w: w, buf: d.buf[:0], atLineStart: true}
}

// Write dot-stuffs p. It returns how many octets of p were accepted.
func (d *Writer) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n := 0
	for n < len(p) {
		rest := p[n:]
		if d.afterCR {
			if rest[0] != '\n' {
				return n, d.setErr(crlf.ErrBareCR)
			}
			d.put(rest[:1])
			d.afterCR, d.atLineStart = false, true
			n++
			continue
		}
		if d.atLineStart && rest[0] == '.' {
			d.put(rest[:1]) // the stuffing dot; the line's own dot follows
		}
		d.atLineStart = false
		line := rest
		lf := bytes.IndexByte(rest, '\n')
		if lf >= 0 {
			line = rest[:lf+1]
		} else if rest[len(rest)-1] == '\r' {
			line = rest[:len(rest)-1] // the CR waits for its LF
			d.afterCR = true
		}
		if err := checkLine(line, lf >= 0); err != nil {
			return n, d.setErr(err)
		}
		d.put(line)
		n += len(line)
		if d.afterCR {
			d.put(rest[len(line):])
			n++
		}
		d.atLineStart = lf >= 0
		if d.err != nil {
			return n, d.err
		}
	}
	return n, nil
}

// Close writes the terminator (after a CRLF if the body did not end in one)
// and flushes. It does not close the underlying writer.
func (d *Writer) Close() error {
	if d.err != nil {
		return d.err
	}
	if d.afterCR {
		return d.setErr(crlf.ErrBareCR)
	}
	if !d.atLineStart {
		d.put(lineEnd)
	}
	d.put(terminator)
	d.flush()
	if d.err == nil {
		d.err = ErrClosed
		return nil
	}
	return d.err
}

func (d *Writer) setErr(err error) error {
	d.err = err
	return err
}

// put buffers b, flushing as the buffer fills; a large b goes straight
// through once the buffer is empty.
func (d *Writer) put(b []byte) {
	for len(b) > 0 && d.err == nil {
		if len(d.buf) == 0 && len(b) >= cap(d.buf) {
			_, d.err = d.w.Write(b)
			return
		}
		n := min(len(b), cap(d.buf)-len(d.buf))
		d.buf = append(d.buf, b[:n]...)
		b = b[n:]
		if len(d.buf) == cap(d.buf) {
			d.flush()
		}
	}
}

func (d *Writer) flush() {
	if len(d.buf) > 0 && d.err == nil {
		_, d.err = d.w.Write(d.buf)
	}
	d.buf = d.buf[:0]
}
