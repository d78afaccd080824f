// Package crlf reads CRLF-terminated protocol lines from an io.Reader through
// one bounded, reusable buffer. It is the line mechanics shared by the SMTP
// and POP3 packages: strict about line ends, bounded in length, resumable
// after short reads, and able to tell how many bytes are buffered so that a
// caller can refuse a TLS upgrade while plaintext is pending.
package crlf

import (
	"bytes"
	"errors"
	"io"
)

// Errors returned by [Reader.ReadLine]. After each of them the offending line
// has been consumed and the reader is ready for the next line.
var (
	// ErrLineTooLong: the line, CRLF included, was longer than the limit.
	// It was discarded up to and including its LF.
	ErrLineTooLong = errors.New("line too long")
	// ErrBareCR: a CR that is not followed by LF.
	ErrBareCR = errors.New("bare CR")
	// ErrBareLF: an LF that is not preceded by CR (strict mode only).
	ErrBareLF = errors.New("bare LF")
	// ErrBufferFull: Fill was called with no free buffer space.
	ErrBufferFull = errors.New("buffer full")
)

// DefaultMaxLine is the line limit when Options.MaxLine is 0: the RFC 5321
// text line limit of 1000 octets including CRLF (§4.5.3.1.6).
const DefaultMaxLine = 1000

// DefaultBufSize is the initial buffer size when Options.BufSize is 0.
const DefaultBufSize = 4096

// Reader.state bits.
const (
	skipping = 1 << iota // discarding the rest of an over-long line
	asked                // LongLine was asked about the current line
)

// maxEmptyReads bounds the reads that return neither data nor an error.
const maxEmptyReads = 100

// Options configure a [Reader].
type Options struct {
	// MaxLine is the longest line accepted, in octets including its CRLF.
	// 0 means DefaultMaxLine.
	MaxLine int
	// BufSize is the initial size of the one buffer; 0 means
	// DefaultBufSize. The buffer is doubled, up to MaxBuf, only when a
	// line that the active limit allows does not fit in it.
	BufSize int
	// MaxBuf is the most the buffer ever grows to, and the ceiling of
	// SetMaxLine and LongLine; 0 means the larger of BufSize and MaxLine.
	MaxBuf int
	// LongLine, if set, is asked once per line that reaches the active
	// limit, with the line's first octets, exactly as many as that limit,
	// for that line's own limit: a return above the active limit (clamped
	// to MaxBuf) lets that one line grow to it, anything else keeps the
	// limit. Being given the same octets however the line was split by
	// reads, it answers the same. SMTP uses it for AUTH lines.
	LongLine func(head []byte) int
	// AllowBareLF makes a lone LF end a line too. By default it is ErrBareLF.
	AllowBareLF bool
}

// Reader reads lines and raw bytes from a source through one buffer. The
// buffer starts at Options.BufSize and is replaced by one twice as large
// (never past MaxBuf) only when a line within its limit does not fit; it
// never shrinks, so once a connection has sent its longest line, reading
// allocates nothing more. The bytes a Reader holds are its buffer's size:
// BufSize for a peer that sends only short lines, at most MaxBuf.
type Reader struct {
	src      io.Reader
	buf      []byte
	r, w     int   // buf[r:w] is buffered and not yet consumed
	scanned  int   // buf[r:r+scanned] is known to hold no LF
	state    uint8 // skipping and asked: the current line is not an ordinary one
	maxLine  int   // the active limit, set by SetMaxLine
	lineMax  int   // the current line's limit: maxLine, or what longLine gave
	maxBuf   int
	longLine func([]byte) int
	bareLF   bool
	pending  error // a source error that came with data, returned when the data is used up
}

// NewReader returns a Reader of src with a buffer of Options.BufSize.
func NewReader(src io.Reader, opt Options) *Reader {
	maxLine := opt.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	size := opt.BufSize
	if size <= 0 {
		size = DefaultBufSize
	}
	size = max(size, 3)
	maxBuf := opt.MaxBuf
	if maxBuf <= 0 {
		maxBuf = max(size, maxLine)
	}
	maxBuf = max(maxBuf, size)
	maxLine = min(maxLine, maxBuf)
	return &Reader{src: src, buf: make([]byte, size), maxLine: maxLine, lineMax: maxLine,
		maxBuf: maxBuf, longLine: opt.LongLine, bareLF: opt.AllowBareLF}
}

// Size reports the size of the buffer, the bytes the Reader holds.
func (r *Reader) Size() int { return len(r.buf) }

// Reset makes r read from src, dropping anything buffered. The buffer and the
// options are kept.
func (r *Reader) Reset(src io.Reader) {
	r.src = src
	r.r, r.w, r.scanned = 0, 0, 0
	r.state, r.lineMax = 0, r.maxLine
	r.pending = nil
}

// SetMaxLine changes the line limit (octets including CRLF), for the line
// being read too. It is clamped to MaxBuf; n <= 0 restores DefaultMaxLine
// (clamped likewise).
func (r *Reader) SetMaxLine(n int) {
	if n <= 0 {
		n = DefaultMaxLine
	}
	r.maxLine = min(n, r.maxBuf)
	r.lineMax, r.state = r.maxLine, r.state&^asked
}

// MaxLine reports the current line limit.
func (r *Reader) MaxLine() int { return r.maxLine }

// Buffered reports how many bytes have been read from the source and not yet
// consumed. At a TLS upgrade point it must be 0.
func (r *Reader) Buffered() int { return r.w - r.r }

// Peek returns the buffered, unconsumed bytes. The view is valid until the
// next call that reads, fills, discards or resets. After ReadLine returns a
// line, or a line error other than a source error, Peek starts at the first
// octet of the next line.
func (r *Reader) Peek() []byte { return r.buf[r.r:r.w] }

// Whole returns the buffered, unconsumed bytes, as Peek does, when they
// start with an ordinary line (none being discarded or granted a longer
// limit), and nil otherwise. A caller may take whole lines from it and
// Discard them instead of calling ReadLine, and must then itself refuse
// what ReadLine refuses: a line longer than MaxLine, a bare CR, a bare LF.
func (r *Reader) Whole() []byte {
	if r.state != 0 {
		return nil
	}
	return r.buf[r.r:r.w]
}

// Discard consumes n buffered bytes; n is clamped to Buffered().
func (r *Reader) Discard(n int) {
	n = max(0, min(n, r.w-r.r))
	r.r += n
	r.scanned = max(0, r.scanned-n)
	if r.r == r.w {
		r.r, r.w, r.scanned = 0, 0, 0
	}
}

// ReadLine returns the next line without its line end. The view is valid
// until the next call on r.
//
// It returns io.EOF when the source ends at a line boundary and
// io.ErrUnexpectedEOF when it ends inside a line. Any other source error is
// returned as it is, with the partial line kept: calling ReadLine again
// resumes where it stopped, without scanning the same bytes twice.
func (r *Reader) ReadLine() ([]byte, error) {
	// The fast path: an ordinary line, whole in the buffer, within the
	// limit, its LF preceded by its CR and no other CR in it. One search
	// for the LF, one for a CR inside the line; anything else (a line
	// still arriving, an error, a long line) takes the general path,
	// which checks the same rules again.
	if r.state == 0 && r.scanned == 0 {
		b := r.buf[r.r:r.w]
		i := bytes.IndexByte(b, '\n')
		if i > 0 && i < r.lineMax && b[i-1] == '\r' && bytes.IndexByte(b[:i-1], '\r') < 0 {
			r.r += i + 1
			if r.r == r.w {
				r.r, r.w = 0, 0 // the buffer's bytes stay: the line is still valid
			}
			return b[:i-1], nil
		}
		if i < 0 {
			r.scanned = len(b)
		}
	}
	return r.readLine()
}

// readLine is ReadLine's general path.
func (r *Reader) readLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.r+r.scanned:r.w], '\n'); i >= 0 {
			return r.takeLine(r.r + r.scanned + i)
		}
		r.scanned = r.w - r.r
		if r.state&skipping != 0 {
			r.Discard(r.scanned)
		} else if r.scanned >= r.limit(r.buf[r.r:r.w]) {
			// No LF within the limit: the line is too long whatever follows.
			r.state |= skipping
			r.Discard(r.scanned)
		} else if r.w-r.r == len(r.buf) {
			// The buffer holds only this line, which its limit allows to
			// be longer: double the buffer, never past the limit.
			r.grow(min(2*len(r.buf), r.lineMax))
		}
		if err := r.fill(); err != nil {
			if err == io.EOF && (r.w > r.r || r.state&skipping != 0) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// limit returns the current line's limit, asking LongLine about the line
// (head is what of it is buffered) the first time it reaches the active one.
func (r *Reader) limit(head []byte) int {
	if len(head) >= r.lineMax && r.state&asked == 0 && r.longLine != nil {
		r.state |= asked
		// Exactly the active limit's worth: what more happens to be
		// buffered depends on how the peer's bytes were split by reads.
		if n := r.longLine(head[:r.lineMax]); n > r.lineMax {
			r.lineMax = min(n, r.maxBuf)
		}
	}
	return r.lineMax
}

// Grow makes the buffer at least n octets (MaxBuf at most), keeping what is
// buffered: for a caller about to stream counted or dot-stuffed data, where
// larger reads cost less. It allocates only when the buffer is smaller.
func (r *Reader) Grow(n int) { r.grow(min(n, r.maxBuf)) }

// endLine reports whether the line just taken (LF included) was within
// its limit, and makes the next line an ordinary one.
func (r *Reader) endLine(line []byte) bool {
	ok := r.state&skipping == 0 && len(line) <= r.limit(line)
	r.state, r.lineMax = 0, r.maxLine
	return ok
}

// grow replaces the buffer by one of n bytes holding the buffered ones.
func (r *Reader) grow(n int) {
	if n <= len(r.buf) {
		return
	}
	buf := make([]byte, n)
	r.w = copy(buf, r.buf[r.r:r.w])
	r.r = 0
	r.buf = buf
}

// takeLine consumes the line whose LF is at buf[lf] and checks it.
func (r *Reader) takeLine(lf int) ([]byte, error) {
	start := r.r
	line := r.buf[start:lf]
	r.r, r.scanned = lf+1, 0
	if r.r == r.w {
		r.r, r.w = 0, 0 // the buffer's bytes stay: line is still valid
	}
	if r.state != 0 || len(line)+1 > r.lineMax {
		if !r.endLine(r.buf[start : lf+1]) {
			return nil, ErrLineTooLong
		}
	}
	n := len(line)
	if n > 0 && line[n-1] == '\r' {
		n--
	} else if !r.bareLF {
		return nil, ErrBareLF
	}
	if bytes.IndexByte(line[:n], '\r') >= 0 {
		return nil, ErrBareCR
	}
	return line[:n], nil
}

// Fill reads once from the source into free buffer space, moving buffered
// bytes to the front first if that makes room. It returns ErrBufferFull when
// the buffer holds Buffered() == Size() bytes; it never grows the buffer.
func (r *Reader) Fill() error {
	if r.w-r.r == len(r.buf) {
		return ErrBufferFull
	}
	return r.fill()
}

// More reads once from the source into free buffer space, as Fill does,
// and reports whether it got any octets. When it did not, it keeps the
// error (ErrBufferFull aside: a full buffer is not the source's) for the
// next call that reads, so that a caller trying a fast path first can leave
// the error to its general path as if More had not been called.
func (r *Reader) More() bool {
	if r.w-r.r == len(r.buf) {
		return false
	}
	if err := r.fill(); err != nil {
		r.pending = err
		return false
	}
	return true
}

// fill reads at least one byte, or returns an error. A source error that
// arrives together with data is kept and returned by the next fill.
func (r *Reader) fill() error {
	if r.pending != nil {
		err := r.pending
		r.pending = nil
		return err
	}
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.r = 0
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return errors.New("crlf: source returned an invalid count")
		}
		r.w += n
		if n > 0 {
			r.pending = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// Read reads raw bytes, buffered ones first: for BDAT chunks, literals and
// other counted data. A p at least as large as the buffer is read into
// directly when nothing is buffered.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.w == r.r {
		if r.pending != nil {
			err := r.pending
			r.pending = nil
			return 0, err
		}
		if len(p) >= len(r.buf) {
			return r.src.Read(p)
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.r:r.w])
	r.Discard(n)
	return n, nil
}
