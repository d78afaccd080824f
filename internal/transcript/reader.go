package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// DefaultMaxChunk is the chunk size limit when Options.MaxChunk is 0. The
// recorder reads at most 32 KiB at a time, so real chunks stay far below it.
const DefaultMaxChunk = 1 << 20

// maxLine bounds a header or chunk line, LF included.
const maxLine = 1024

// Options configure a Reader.
type Options struct {
	// MaxChunk is the largest chunk accepted, in bytes. 0 means
	// DefaultMaxChunk. The Reader's buffer grows to the largest chunk seen.
	MaxChunk int
}

// Reader reads one transcript chunk by chunk through one reusable buffer.
type Reader struct {
	br       *bufio.Reader
	header   Header
	buf      []byte
	off      int64 // bytes consumed from the source
	maxChunk int
	err      error // sticky: every error is fatal
}

// NewReader reads the header of the transcript in r and returns a Reader
// positioned at the first chunk.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, maxLine), maxChunk: opts.MaxChunk}
	if rd.maxChunk <= 0 {
		rd.maxChunk = DefaultMaxChunk
	}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Header returns the header read by NewReader.
func (r *Reader) Header() Header { return r.header }

// Next returns the next chunk. The data is a view into the Reader's buffer,
// valid until the next call to Next. At the end of the transcript it returns
// io.EOF; a transcript cut short gives io.ErrUnexpectedEOF. Every error is
// returned again by later calls.
func (r *Reader) Next() (Dir, []byte, error) {
	if r.err != nil {
		return 0, nil, r.err
	}
	d, data, err := r.next()
	if err != nil {
		r.err = err
	}
	return d, data, err
}

func (r *Reader) next() (Dir, []byte, error) {
	start := r.off
	line, err := r.line()
	if err == io.EOF && len(line) == 0 {
		return 0, nil, io.EOF
	}
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 3 || !Dir(line[0]).Valid() || line[1] != ' ' {
		return 0, nil, &SyntaxError{Offset: start, Expected: `"C n" or "S n"`}
	}
	d := Dir(line[0]) // line is a view that reading the data overwrites
	n, ok := parseSize(line[2:], r.maxChunk)
	if !ok {
		if n > 0 {
			return 0, nil, fmt.Errorf("%w: offset %d", ErrChunkTooLarge, start)
		}
		return 0, nil, &SyntaxError{Offset: start, Expected: "a chunk size from 1 without leading zeros"}
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	data := r.buf[:n]
	if _, err := io.ReadFull(r.br, data); err != nil {
		return 0, nil, unexpected(err)
	}
	r.off += int64(n)
	end, err := r.br.ReadByte()
	if err != nil {
		return 0, nil, unexpected(err)
	}
	if end != '\n' {
		return 0, nil, &SyntaxError{Offset: r.off, Expected: "LF after the chunk data"}
	}
	r.off++
	return d, data, nil
}

// parseSize parses a decimal size in 1..limit. When the digits are well
// formed but over limit it returns a positive n and false.
func parseSize(b []byte, limit int) (int, bool) {
	if len(b) == 0 || b[0] == '0' || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= limit
}

func (r *Reader) readHeader() error {
	line, err := r.line()
	if err != nil || string(line) != magic {
		return r.headerError(err, 0, fmt.Sprintf("%q", magic))
	}
	values := [len(headerKeys)]string{}
	dateOff := int64(0)
	for i, key := range headerKeys {
		start := r.off
		if key == "date" {
			dateOff = start
		}
		line, err := r.line()
		value, ok := bytes.CutPrefix(line, []byte(key+": "))
		if err != nil || !ok || !validValue(string(value)) {
			return r.headerError(err, start, fmt.Sprintf("header line %q", key+": value"))
		}
		values[i] = string(value)
	}
	start := r.off
	line, err = r.line()
	if err != nil || len(line) != 0 {
		return r.headerError(err, start, "a blank line after the header")
	}
	date, err := time.Parse(dateLayout, values[3])
	if err != nil || date.Format(dateLayout) != values[3] {
		return &SyntaxError{Offset: dateOff, Expected: "a date in the form " + dateLayout}
	}
	r.header = Header{Protocol: values[0], Server: values[1], Client: values[2],
		Date: date, Recorder: values[4], Note: values[5]}
	return nil
}

// headerError prefers an I/O error over the syntax error it caused.
func (r *Reader) headerError(err error, off int64, expected string) error {
	if err != nil && !errors.Is(err, ErrFormat) {
		return unexpected(err)
	}
	return &SyntaxError{Offset: off, Expected: expected}
}

// line returns the next line without its LF, as a view into the bufio
// buffer. A line longer than maxLine is a SyntaxError.
func (r *Reader) line() ([]byte, error) {
	start := r.off
	line, err := r.br.ReadSlice('\n')
	r.off += int64(len(line))
	switch {
	case err == bufio.ErrBufferFull:
		return nil, &SyntaxError{Offset: start, Expected: fmt.Sprintf("a line of at most %d bytes", maxLine)}
	case err == io.EOF && len(line) > 0:
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return line, err
	}
	return line[:len(line)-1], nil
}

// unexpected turns an io.EOF in the middle of a transcript into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
