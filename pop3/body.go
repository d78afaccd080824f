package pop3

import (
	"bytes"
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// BodyReader is a multi-line body (RETR, TOP): dot-unstuffed, CRLF line
// ends kept.
//
// Whole clean lines (CRLF-terminated, no other CR or LF) are handed out in
// blocks straight from the reader's buffer; the first line that is not
// (a bare CR or LF, a line longer than the buffer or than the room left
// in p or under MaxBodySize, the AllowBareLF mode) hands the rest of the
// body to internal/dot's state machine at that line's start. Both give
// the same octets and errors; the block path is several times faster.
type BodyReader struct {
	owner *ResponseReader
	dr    dot.Reader
	slow  bool  // dr reads the rest of the body
	n     int64 // octets handed out by the block path
}

func (b *BodyReader) reset(owner *ResponseReader) {
	*b = BodyReader{owner: owner, slow: owner.opt.AllowBareLF}
	if b.slow {
		b.dr.Reset(owner.lr, dot.Options{MaxSize: owner.opt.MaxBodySize, AllowBareLF: true})
	}
}

// Read reads body octets. It returns io.EOF once the terminating ".\r\n"
// was consumed. The body ends only at <CRLF>.<CRLF>: a bare CR, a bare LF
// (unless AllowBareLF) or a body over MaxBodySize makes Read stop handing
// out octets, consume the rest of the body, and then fail with an error
// matching ErrBareCR, ErrBareLF or ErrTooLarge that is not fatal: the
// reader is in step for the next response. A source error is returned as
// is and reading can resume; a source that ends before the terminator
// gives io.ErrUnexpectedEOF. A Body asked for when no "+OK" was just read
// is empty.
func (b *BodyReader) Read(p []byte) (int, error) {
	if b.owner == nil || b.owner.state != stateBody {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !b.slow {
		n, done, err := b.blocks(p)
		switch {
		case done:
			return n, b.end(io.EOF)
		case n > 0 || err != nil:
			return n, err
		}
		b.handOver()
	}
	n, err := b.dr.Read(p)
	switch err {
	case nil:
		return n, nil
	case crlf.ErrBareCR:
		err = errBodyBareCR
	case crlf.ErrBareLF:
		err = errBodyBareLF
	case dot.ErrTooLarge:
		err = errBodyLarge
	case io.EOF:
	default:
		return n, err
	}
	return n, b.end(err)
}

func (b *BodyReader) end(err error) error {
	b.owner.state = stateIdle
	return err
}

// handOver gives the rest of the body, from a line start, to dot.Reader,
// with what is left of the size limit. The block path never uses the last
// octet of the limit, so what is left is never 0 (which means no limit).
func (b *BodyReader) handOver() {
	b.slow = true
	opt := dot.Options{MaxSize: b.owner.opt.MaxBodySize}
	if opt.MaxSize > 0 {
		opt.MaxSize -= b.n
	}
	b.dr.Reset(b.owner.lr, opt)
}

// blocks hands out whole clean lines from the buffer into p, starting and
// ending at a line start. It returns done when it consumed the terminator,
// a source error as it is (reading can resume: nothing was half-read), and
// 0 octets with no error when the next line is for dot.Reader.
func (b *BodyReader) blocks(p []byte) (n int, done bool, err error) {
	lr := b.owner.lr
	for n < len(p) {
		buf := lr.Peek()
		limit := min(len(buf), len(p)-n)
		if max := b.owner.opt.MaxBodySize; max > 0 {
			limit = int(min(int64(limit), max-b.n-1))
		}
		if len(buf) >= 3 && buf[0] == '.' {
			if buf[1] == '\r' && buf[2] == '\n' {
				lr.Discard(3)
				return n, true, nil
			}
			// A stuffed line: one line, its dot dropped.
			lf := bytes.IndexByte(buf, '\n')
			if lf < 0 || lf > limit || !cleanLines(buf[1:lf+1]) {
				return n, false, nil
			}
			n += copy(p[n:], buf[1:lf+1])
			b.n += int64(lf)
			lr.Discard(lf + 1)
			continue
		}
		block := buf[:limit]
		if end := bytes.LastIndexByte(block, '\n'); end >= 0 {
			block = block[:end+1]
		} else {
			block = nil
		}
		if i := bytes.Index(block, dotLine); i >= 0 {
			block = block[:i+1] // up to the next line that starts with a dot
		}
		if len(block) == 0 {
			if n > 0 || limit < len(buf) {
				return n, false, nil
			}
			switch err := lr.Fill(); err {
			case nil:
				continue
			case crlf.ErrBufferFull: // a line longer than the buffer
				return 0, false, nil
			case io.EOF:
				return 0, false, io.ErrUnexpectedEOF
			default:
				return 0, false, err
			}
		}
		if !cleanLines(block) {
			return n, false, nil
		}
		n += copy(p[n:], block)
		b.n += int64(len(block))
		lr.Discard(len(block))
	}
	return n, false, nil
}

var dotLine = []byte("\n.")

// cleanLines reports whether b is whole lines ending in CRLF with no
// other CR or LF.
func cleanLines(b []byte) bool {
	lines := 0
	for i := 0; i < len(b); {
		lf := bytes.IndexByte(b[i:], '\n') + i
		if lf < i || lf == 0 || b[lf-1] != '\r' {
			return false
		}
		lines++
		i = lf + 1
	}
	return bytes.Count(b, cr) == lines
}

var cr = []byte{'\r'}
