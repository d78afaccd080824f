package imapwire

import (
	"bytes"
	"io"
	"strconv"
)

// Literal is a literal header: {n} (synchronizing), {n+} (non-synchronizing,
// RFC 7888) or ~{n} (literal8, RFC 3516, binary data that may hold NUL).
type Literal struct {
	Size    uint64
	NonSync bool
	Binary  bool
}

// String returns the header as it is written, without CRLF.
func (l Literal) String() string {
	s := "{" + strconv.FormatUint(l.Size, 10)
	if l.NonSync {
		s += "+"
	}
	s += "}"
	if l.Binary {
		s = "~" + s
	}
	return s
}

// parseLiteralHeader parses "{n}", "{n+}" or "~{n}" at b[i:] (i at "~" or
// "{"); plus says whether "+" may appear.
func parseLiteralHeader(b []byte, i int, plus bool) (Literal, int, bool) {
	var lit Literal
	if i < len(b) && b[i] == '~' {
		lit.Binary = true
		i++
	}
	if i >= len(b) || b[i] != '{' {
		return lit, i, false
	}
	i++
	e := run(b, i, clDigit)
	// A number of more than 19 digits cannot be a number64.
	if e-i > 19 {
		return lit, i, false
	}
	n, ok := parseUint(b[i:e], maxNumber64)
	if !ok {
		return lit, i, false
	}
	lit.Size, i = n, e
	if plus && i < len(b) && b[i] == '+' {
		lit.NonSync = true
		i++
	}
	if i >= len(b) || b[i] != '}' {
		return lit, i, false
	}
	return lit, i + 1, true
}

// dataComing reports whether the open literal's data is on its way: always
// from a server, and from a client when the literal is non-synchronizing
// or was accepted.
func (r *Reader) dataComing() bool {
	return r.side == ClientSide || r.lit.NonSync || r.accepted
}

// openLiteral opens lit, whose header ends the current line, and checks it
// against the limits. A literal over a limit stays open for the caller to
// reject; one whose data is coming and is too large to drain is fatal.
func (r *Reader) openLiteral(lit Literal) error {
	off := r.offset(r.p)
	r.st, r.lit, r.litLeft, r.accepted, r.litErr = stLiteral, lit, lit.Size, false, nil
	r.litStart, r.p = r.next, r.end
	r.literals++
	r.litTotal += lit.Size
	if r.side == ClientSide && lit.NonSync {
		return r.fail(syntaxErr(ErrUnusable, off, "literal without +"))
	}
	if r.dataComing() && lit.Size > uint64(r.lim.MaxLiteral) {
		return r.fail(syntaxErr(ErrUnusable, off, "literal within MaxLiteral"))
	}
	if lit.NonSync && lit.Size > uint64(r.lim.MaxNonSyncLiteral) {
		return syntaxErr(ErrNonSyncTooLarge, off, "")
	}
	if lit.Size > uint64(r.lim.MaxLiteral) || r.literals > r.lim.MaxLiterals ||
		r.litTotal > uint64(r.lim.MaxLiteralTotal) {
		return syntaxErr(ErrLiteralTooLarge, off, "")
	}
	return nil
}

// Literal returns the open literal, if any.
func (r *Reader) Literal() (Literal, bool) { return r.lit, r.st == stLiteral }

// Accept records that the server has decided to take the open literal; for
// a synchronizing one the caller now writes its continuation ("+ Ready").
// A client-side Reader needs no Accept.
func (r *Reader) Accept() error {
	if r.st != stLiteral {
		return ErrNoMessage
	}
	r.accepted = true
	return nil
}

func (r *Reader) checkData() error {
	if r.st != stLiteral {
		return ErrNoMessage
	}
	if !r.dataComing() {
		return ErrNotAccepted
	}
	return nil
}

// Inline reads the open literal into the Reader's buffer and returns it as
// a view valid for the rest of the message. It fails with
// ErrLiteralTooLarge (the literal stays open) beyond
// Limits.MaxInlineLiteral or the room left in Limits.MaxMessage, and with
// ErrLiteralNUL when a literal other than literal8 holds NUL (its data is
// consumed: the message is abandoned and the reader goes on after it).
func (r *Reader) Inline() ([]byte, error) {
	if err := r.checkData(); err != nil {
		return nil, err
	}
	n := int(min(r.litLeft, uint64(r.lim.MaxMessage)+1))
	if n > r.lim.MaxInlineLiteral || r.msgBytes+n > r.lim.MaxMessage {
		return nil, syntaxErr(ErrLiteralTooLarge, r.offset(r.next), "")
	}
	for r.w-r.next < n {
		if err := r.fill(false); err != nil {
			return nil, err
		}
	}
	off := r.offset(r.next)
	v := r.buf[r.next : r.next+n]
	r.next += n
	r.scan = r.next
	r.msgBytes += n
	r.st, r.framed = stLine, false
	if !r.lit.Binary && bytes.IndexByte(v, 0) >= 0 {
		return nil, syntaxErr(ErrLiteralNUL, off+bytes.IndexByte(v, 0), nulExpected)
	}
	return v, nil
}

// nulExpected is what a literal with NUL in it should have been.
const nulExpected = "literal without NUL (only literal8 may hold NUL)"

// ReadLiteral appends the open literal to dst if it fits in dst's spare
// capacity, and fails with ErrLiteralTooLarge otherwise (the literal stays
// open). It never allocates. A literal other than literal8 that holds NUL
// is read through and refused with ErrLiteralNUL; dst is then returned
// unchanged.
func (r *Reader) ReadLiteral(dst []byte) ([]byte, error) {
	if err := r.checkData(); err != nil {
		return dst, err
	}
	if r.litLeft > uint64(cap(dst)-len(dst)) {
		return dst, syntaxErr(ErrLiteralTooLarge, r.offset(r.next), "")
	}
	n := len(dst)
	binary := r.lit.Binary
	off := r.offset(r.next)
	dst = dst[:n+int(r.litLeft)]
	for i := n; i < len(dst); {
		k, err := r.readLit(dst[i:])
		i += k
		if err != nil {
			return dst[:n], err
		}
	}
	if r.st == stLiteral {
		r.endLiteral()
	}
	if i := bytes.IndexByte(dst[n:], 0); i >= 0 && !binary {
		return dst[:n], syntaxErr(ErrLiteralNUL, off+i, nulExpected)
	}
	return dst, nil
}

// LiteralReader returns a reader of exactly the open literal's octets; at
// its end the line continues. It must not be used after the literal is
// read through. Reading an unaccepted synchronizing literal fails with
// ErrNotAccepted. A NUL in a literal other than literal8 stops it with
// ErrLiteralNUL (the octets before the NUL are returned with the error, and
// every later Read fails the same way); the caller then abandons the
// message, and the next ReadCommand or ReadResponse drains the rest of the
// literal exactly.
func (r *Reader) LiteralReader() io.Reader { return &r.lr }

// Discard reads the open literal's data and drops it.
func (r *Reader) Discard() error {
	if err := r.checkData(); err != nil {
		return err
	}
	for r.litLeft > 0 {
		if _, err := r.readLit(r.scratch[:]); err != nil {
			return err
		}
	}
	r.endLiteral()
	return nil
}

// Reject refuses the open literal. An unaccepted synchronizing literal is
// never sent, so the message ends there; otherwise its data is drained
// exactly and the rest of the message skipped, so none of it is ever read
// as a command. The server answers with [ReplyFor] of the error that made
// it reject.
func (r *Reader) Reject() error {
	if r.st != stLiteral {
		return ErrNoMessage
	}
	if !r.dataComing() {
		r.st = stIdle
		r.next = r.litStart
		return nil
	}
	if err := r.Discard(); err != nil {
		return err
	}
	return r.skip()
}

// endLiteral closes the literal and closes the gap its data left in buf,
// so a message stays contiguous. A small literal that was read whole from
// the buffer stays where it is, counted as if taken inline: moving the
// read-ahead would cost more than the octets it frees.
func (r *Reader) endLiteral() {
	n := r.next - r.litStart
	if uint64(n) == r.lit.Size && n <= r.lim.MaxInlineLiteral && r.msgBytes+n <= r.lim.MaxMessage {
		r.msgBytes += n
	} else if n > 0 {
		r.w = r.litStart + copy(r.buf[r.litStart:], r.buf[r.next:r.w])
		r.next = r.litStart
	}
	r.scan = r.next
	r.st, r.framed = stLine, false
}

// literalReader streams the open literal.
type literalReader struct{ r *Reader }

func (l *literalReader) Read(p []byte) (int, error) {
	r := l.r
	if r.litErr != nil {
		return 0, r.litErr
	}
	if r.st != stLiteral || r.litLeft == 0 {
		if r.st == stLiteral {
			r.endLiteral()
		}
		return 0, io.EOF
	}
	off := r.offset(r.litStart) + int(r.lit.Size-r.litLeft)
	binary := r.lit.Binary
	n, err := r.readLit(p)
	if !binary {
		if i := bytes.IndexByte(p[:n], 0); i >= 0 {
			r.litErr = syntaxErr(ErrLiteralNUL, off+i, nulExpected)
			return i, r.litErr
		}
	}
	return n, err
}

// readLit reads the open literal's next octets into p, unchecked: the one
// place its data is taken from the buffer or the connection.
func (r *Reader) readLit(p []byte) (int, error) {
	if r.st != stLiteral || r.litLeft == 0 {
		if r.st == stLiteral {
			r.endLiteral()
		}
		return 0, io.EOF
	}
	if !r.dataComing() {
		return 0, ErrNotAccepted
	}
	if uint64(len(p)) > r.litLeft {
		p = p[:r.litLeft]
	}
	var n int
	var err error
	if r.next < r.w {
		n = copy(p, r.buf[r.next:r.w])
		r.next += n
	} else {
		n, err = r.rd.Read(p)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		} else if err != nil {
			err = &ConnError{Err: err}
		}
	}
	r.litLeft -= uint64(n)
	if r.litLeft == 0 {
		r.endLiteral()
	}
	return n, err
}
