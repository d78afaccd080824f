package mime

import (
	"bytes"
	"errors"
	"io"
)

// windowSize is the read-ahead of a ReaderAt-backed Source: enough for a
// boundary line (2 + 80 + 2 octets) and a field name many times over.
const windowSize = 4096

// Source is a stored message: bytes in memory or an io.ReaderAt of a known
// size read through one fixed window. Views it returns are valid until the
// next call on the Source.
type Source struct {
	data []byte
	ra   io.ReaderAt
	size int64
	wOff int64
	wLen int
	err  error
	wmax int // tests: a smaller window, to move its edges
	win  [windowSize]byte
}

// ResetBytes makes s read msg.
func (s *Source) ResetBytes(msg []byte) {
	s.data, s.ra, s.size, s.wOff, s.wLen, s.err = msg, nil, int64(len(msg)), 0, 0, nil
}

// ResetReaderAt makes s read size octets of ra.
func (s *Source) ResetReaderAt(ra io.ReaderAt, size int64) {
	s.data, s.ra, s.size, s.wOff, s.wLen, s.err = nil, ra, size, 0, 0, nil
	if size < 0 {
		s.size = 0
	}
}

// Size returns the message's size.
func (s *Source) Size() int64 { return s.size }

// Err returns the first read error of a ReaderAt-backed Source.
func (s *Source) Err() error { return s.err }

// Bytes returns the message when it is held in memory, else nil.
func (s *Source) Bytes() []byte { return s.data }

// ErrShortSource: the ReaderAt ended before the size it was given.
var ErrShortSource = errors.New("mime: message shorter than its size")

// view returns the octets from off on: at least min of them unless the
// message ends sooner (min is at most windowSize), and possibly more.
func (s *Source) view(off int64, min int) []byte {
	if off >= s.size || off < 0 {
		return nil
	}
	if s.ra == nil {
		return s.data[off:]
	}
	if s.err != nil {
		return nil
	}
	end := s.wOff + int64(s.wLen)
	if off >= s.wOff && (off+int64(min) <= end || end == s.size) && off < end {
		return s.win[off-s.wOff : s.wLen]
	}
	n := int64(windowSize)
	if s.wmax > 0 && s.wmax < windowSize {
		n = int64(s.wmax)
	}
	if s.size-off < n {
		n = s.size - off
	}
	got, err := s.ra.ReadAt(s.win[:n], off)
	if int64(got) < n {
		if err == nil || err == io.EOF {
			err = ErrShortSource
		}
		s.err = err
		s.wLen = 0
		return nil
	}
	s.wOff, s.wLen = off, int(n)
	return s.win[:n]
}

// at returns the octet at off, or 0 past the end.
func (s *Source) at(off int64) byte {
	v := s.view(off, 1)
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// line finds the line at off: its content ends at end (before CRLF or
// LF) and the next line starts at next; lf reports a line end.
func (s *Source) line(off int64) (end, next int64, lf bool) {
	for p := off; p < s.size; {
		v := s.view(p, 1)
		if len(v) == 0 {
			break
		}
		if i := bytes.IndexByte(v, '\n'); i >= 0 {
			e := p + int64(i)
			next = e + 1
			if e > off && s.at(e-1) == '\r' {
				e--
			}
			return e, next, true
		}
		p += int64(len(v))
	}
	return s.size, s.size, false
}

// Read returns the octets [off, end): a view of the message in memory, or
// a copy into scratch[:0], grown up to max octets. It fails with
// ErrFieldTooLong beyond max and with the read error of a ReaderAt.
func (s *Source) Read(off, end int64, scratch *[]byte, max int) ([]byte, error) {
	if off < 0 || end > s.size || end < off {
		return nil, ErrRange
	}
	if s.ra == nil {
		return s.data[off:end], nil
	}
	n := end - off
	if n > int64(max) {
		return nil, ErrFieldTooLong
	}
	if int64(cap(*scratch)) < n {
		*scratch = make([]byte, n, n+n/2)
	}
	b := (*scratch)[:n]
	if got, err := s.ra.ReadAt(b, off); int64(got) < n {
		if err == nil || err == io.EOF {
			err = ErrShortSource
		}
		return nil, err
	}
	return b, nil
}
