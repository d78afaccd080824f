package starttls

import (
	"errors"
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// lineReader reads the server's reply lines through the shared bounded CRLF
// reader, whose one buffer holds exactly maxLine bytes, and keeps the
// stream offset of each line for syntax errors. It reads ahead only what
// one Read returns; buffered tells how much of that no line has claimed
// yet, which is how injected bytes are caught.
type lineReader struct {
	r    *crlf.Reader
	next int64 // stream offset of the next unread line
	line int64 // stream offset of the last line returned
}

func newLineReader(rd io.Reader, maxLine int) *lineReader {
	return &lineReader{r: crlf.NewReader(rd, crlf.Options{MaxLine: maxLine, BufSize: maxLine})}
}

// readLine returns the next line without its CRLF. The slice is a view into
// the reader's buffer, valid until the next call. A bare CR or LF is a
// *SyntaxError at the start of its line; a line longer than the limit is
// ErrLineTooLong; the end of the stream inside a line is
// io.ErrUnexpectedEOF. The client treats all of them as final.
func (lr *lineReader) readLine() ([]byte, error) {
	line, err := lr.r.ReadLine()
	switch {
	case err == nil:
		lr.line = lr.next
		lr.next += int64(len(line)) + 2
		return line, nil
	case errors.Is(err, crlf.ErrLineTooLong):
		return nil, ErrLineTooLong
	case errors.Is(err, crlf.ErrBareCR), errors.Is(err, crlf.ErrBareLF):
		return nil, &SyntaxError{Offset: lr.next, Expected: "a line ending in CRLF with no other CR or LF"}
	}
	return nil, err
}

// buffered returns how many bytes were read from the connection and not yet
// returned as a line.
func (lr *lineReader) buffered() int { return lr.r.Buffered() }

// errAt builds a *SyntaxError at byte col of the last line returned.
func (lr *lineReader) errAt(col int, expected string) error {
	return &SyntaxError{Offset: lr.line + int64(col), Expected: expected}
}
