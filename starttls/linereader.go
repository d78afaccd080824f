package starttls

import (
	"bytes"
	"io"
)

// lineReader reads CRLF-terminated lines from a connection into one buffer
// of fixed size, so a line may hold at most len(buf) bytes, CRLF included.
// It reads ahead only what one Read returns; buffered tells how much of that
// no line has claimed yet, which is how injected bytes are caught.
type lineReader struct {
	rd   io.Reader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	off  int64 // stream offset of buf[0]
	line int64 // stream offset of the last line returned
}

func newLineReader(rd io.Reader, maxLine int) *lineReader {
	return &lineReader{rd: rd, buf: make([]byte, maxLine)}
}

// readLine returns the next line without its CRLF. The slice is a view into
// the reader's buffer, valid until the next call. A bare CR or LF is a
// *SyntaxError; a line longer than the buffer is ErrLineTooLong; the end of
// the stream inside a line is io.ErrUnexpectedEOF. All of them are final.
func (lr *lineReader) readLine() ([]byte, error) {
	scanned := 0
	for {
		if i := bytes.IndexByte(lr.buf[lr.r+scanned:lr.w], '\n'); i >= 0 {
			start, end := lr.r, lr.r+scanned+i
			lr.r = end + 1
			if end == start || lr.buf[end-1] != '\r' {
				return nil, lr.syntax(end, "CR before LF")
			}
			line := lr.buf[start : end-1]
			if j := bytes.IndexByte(line, '\r'); j >= 0 {
				return nil, lr.syntax(start+j, "LF after CR")
			}
			lr.line = lr.off + int64(start)
			return line, nil
		}
		scanned = lr.w - lr.r
		if scanned == len(lr.buf) {
			return nil, ErrLineTooLong
		}
		if lr.r == lr.w || lr.w == len(lr.buf) { // empty, or no room left: move to the front
			copy(lr.buf, lr.buf[lr.r:lr.w])
			lr.off += int64(lr.r)
			lr.w -= lr.r
			lr.r = 0
		}
		n, err := lr.rd.Read(lr.buf[lr.w:])
		lr.w += n
		if n == 0 && err != nil {
			if err == io.EOF && lr.w > lr.r {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// buffered returns how many bytes were read from the connection and not yet
// returned as a line.
func (lr *lineReader) buffered() int { return lr.w - lr.r }

// errAt builds a *SyntaxError at byte col of the last line returned.
func (lr *lineReader) errAt(col int, expected string) error {
	return &SyntaxError{Offset: lr.line + int64(col), Expected: expected}
}

// syntax builds a *SyntaxError at buffer index i.
func (lr *lineReader) syntax(i int, expected string) error {
	return &SyntaxError{Offset: lr.off + int64(i), Expected: expected}
}
