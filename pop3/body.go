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
		var out []byte // the body octets of the next whole lines
		used := 0      // the buffered octets they come from
		if len(buf) > 0 && buf[0] == '.' {
			if len(buf) >= 3 && buf[1] == '\r' && buf[2] == '\n' {
				lr.Discard(3)
				return n, true, nil
			}
			// A stuffed line: one line, its dot dropped.
			if lf := bytes.IndexByte(buf, '\n'); lf >= 0 {
				if lf > limit || !cleanLine(buf[1:lf+1]) {
					return n, false, nil
				}
				out, used = buf[1:lf+1], lf+1
			}
		} else {
			end, lines, bad := cleanRun(buf[:limit])
			if bad && end == 0 || bytes.Count(buf[:end], cr) != lines {
				return n, false, nil
			}
			if end == 0 && limit < len(buf) { // a line longer than the room in p or the size left
				return n, false, nil
			}
			out, used = buf[:end], end
		}
		if used == 0 { // no whole line buffered
			if n > 0 {
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
		n += copy(p[n:], out)
		b.n += int64(len(out))
		lr.Discard(used)
	}
	return n, false, nil
}

// cleanRun measures the whole lines that start b and end in CRLF, up to
// the first line that starts with a dot or ends in a bare LF (bad). Bare
// CRs are for the caller to count: a run of clean lines holds exactly one
// CR per line.
func cleanRun(b []byte) (end, lines int, bad bool) {
	for end < len(b) {
		lf := bytes.IndexByte(b[end:], '\n')
		if lf < 0 {
			break
		}
		lf += end
		if lf == 0 || b[lf-1] != '\r' {
			return end, lines, true
		}
		end, lines = lf+1, lines+1
		if end < len(b) && b[end] == '.' {
			break
		}
	}
	return end, lines, false
}

// cleanLine reports whether line, ending in LF, ends in CRLF and has no
// other CR.
func cleanLine(line []byte) bool {
	end, lines, _ := cleanRun(line)
	return end == len(line) && lines == 1 && bytes.Count(line, cr) == 1
}

var cr = []byte{'\r'}
