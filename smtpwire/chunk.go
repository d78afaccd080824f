package smtpwire

import (
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// ChunkReader is the content of one BDAT chunk (RFC 3030): exactly the
// announced number of octets, with no dot-stuffing and no line rules.
type ChunkReader struct {
	lr   *crlf.Reader
	left uint64
}

// Chunk returns the reader of a BDAT chunk of size octets (from ParseBDAT).
// The chunk must be consumed, by Read or Discard, even when the server
// rejects the command: it is on the wire either way. Nothing is allocated
// from size. The reader is owned by c and valid until the next call on c.
func (c *CommandReader) Chunk(size uint64) *ChunkReader {
	c.chunk = ChunkReader{lr: c.lr, left: size}
	return &c.chunk
}

// Remaining reports how many octets of the chunk are still unread.
func (r *ChunkReader) Remaining() uint64 { return r.left }

// Read reads chunk octets; io.EOF at the chunk's end, io.ErrUnexpectedEOF
// when the source ends before it.
func (r *ChunkReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if uint64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.lr.Read(p)
	r.left -= uint64(n)
	if err == io.EOF && r.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Discard consumes the rest of the chunk without handing it out.
func (r *ChunkReader) Discard() error {
	for r.left > 0 {
		if r.lr.Buffered() == 0 {
			if err := r.lr.Fill(); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
		n := uint64(r.lr.Buffered())
		n = min(n, r.left)
		r.lr.Discard(int(n))
		r.left -= n
	}
	return nil
}

// Buffered reports the octets read from the source and not yet consumed,
// as CommandReader.Buffered (it is the same buffer); some may belong to
// the chunk (see Remaining).
func (r *ChunkReader) Buffered() int { return r.lr.Buffered() }

// ReadAhead returns the octets Buffered counts, without consuming them;
// valid until the next read.
func (r *ChunkReader) ReadAhead() []byte { return r.lr.Peek() }
