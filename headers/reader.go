package headers

import (
	"errors"
	"io"
)

// maxEmptyReads bounds the reads that return neither data nor an error.
const maxEmptyReads = 100

// ReadBlock reads a message's header block from r into buf, the caller's
// bounded buffer, and returns the block (through its empty line) and any
// bytes read past it (the start of the body), both views into buf, valid
// until buf is reused. r may have more of the body to read.
//
// A block that does not fit in buf is ErrHeaderTooLarge. Input that ends
// after a complete line without an empty line is a block with no body; one
// that ends inside a line is ErrTruncated. ReadBlock only finds the end: a
// [Scanner] or [Sanitizer] over the block checks the rest. Both it and they
// take a lone LF as a line end here, so they agree on where the block ends.
func ReadBlock(r io.Reader, buf []byte) (block, extra []byte, err error) {
	n, from, empty := 0, 0, 0
	for {
		end, ok := blockEnd(buf[:n], from)
		if ok {
			return buf[:end], buf[end:n], nil
		}
		from = end
		if n == len(buf) {
			return nil, nil, &SyntaxError{Err: ErrHeaderTooLarge, Offset: n}
		}
		m, rerr := r.Read(buf[n:])
		n += m
		switch {
		case m > 0:
			empty = 0
		case rerr == nil:
			if empty++; empty == maxEmptyReads {
				return nil, nil, io.ErrNoProgress
			}
		}
		if rerr == nil {
			continue
		}
		if end, ok := blockEnd(buf[:n], from); ok {
			return buf[:end], buf[end:n], nil
		}
		if !errors.Is(rerr, io.EOF) {
			return nil, nil, rerr
		}
		if n == 0 || buf[n-1] == '\n' {
			return buf[:n], nil, nil
		}
		return nil, nil, &SyntaxError{Err: ErrTruncated, Offset: n}
	}
}

// blockEnd looks in b, from the line that starts at from, for the empty
// line that ends a header block. It returns the offset after that line and
// true, or the start of the first line it could not decide about and false.
func blockEnd(b []byte, from int) (int, bool) {
	for i := from; i < len(b); {
		switch {
		case b[i] == '\n':
			return i + 1, true
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			return i + 2, true
		case b[i] == '\r' && i+1 == len(b):
			return i, false
		}
		lf := indexLF(b[i:])
		if lf < 0 {
			return i, false
		}
		i += lf + 1
	}
	return len(b), false
}
