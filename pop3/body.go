package pop3

import (
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// BodyReader is a multi-line body (RETR, TOP): dot-unstuffed, CRLF line
// ends kept, read through internal/dot, which hands out runs of clean lines
// in one copy straight from the reader's buffer.
type BodyReader struct {
	owner *ResponseReader
	dr    dot.Reader
}

func (b *BodyReader) reset(owner *ResponseReader) {
	b.owner = owner
	b.dr.Reset(owner.lr, dot.Options{MaxSize: owner.opt.MaxBodySize, AllowBareLF: owner.opt.AllowBareLF})
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
	b.owner.state = stateIdle
	return n, err
}
