package imapwire

import "unicode/utf8"

// cur makes sure a complete line is under the tokenizer.
func (r *Reader) cur() error {
	if r.st == stLine && r.framed && r.lineErr == nil {
		return nil
	}
	return r.curSlow()
}

func (r *Reader) curSlow() error {
	switch r.st {
	case stLine:
		if !r.framed {
			return r.frame()
		}
		return r.lineErr
	case stLiteral:
		return ErrLiteralOpen
	}
	if r.err != nil {
		return r.err
	}
	return ErrNoMessage
}

// expected returns a syntax error at the tokenizer's position; an 8-bit
// octet there makes it ErrEightBit.
func (r *Reader) expected(what string) error {
	if r.p < r.end && r.buf[r.p] >= 0x80 {
		return syntaxErr(ErrEightBit, r.offset(r.p), what)
	}
	return syntaxErr(ErrSyntax, r.offset(r.p), what)
}

// line returns the current line up to its end, for the lexers.
func (r *Reader) line() []byte { return r.buf[:r.end] }

// Peek returns the next octet of the line, or 0 at its end or when no line
// is under the tokenizer.
func (r *Reader) Peek() byte {
	if r.st == stLine && r.framed && r.lineErr == nil && r.p < r.end {
		return r.buf[r.p]
	}
	return r.peekSlow()
}

func (r *Reader) peekSlow() byte {
	if r.cur() != nil || r.p == r.end {
		return 0
	}
	return r.buf[r.p]
}

// AtEnd reports whether the line has no more tokens (it may still end in
// a literal header that a string method would open).
func (r *Reader) AtEnd() bool { return r.cur() == nil && r.p == r.end }

// SP consumes one space.
func (r *Reader) SP() error {
	if r.st == stLine && r.framed && r.lineErr == nil && r.p < r.end && r.buf[r.p] == ' ' {
		r.p++
		return nil
	}
	return r.spSlow()
}

func (r *Reader) spSlow() error {
	if err := r.cur(); err != nil {
		return err
	}
	if r.p == r.end || r.buf[r.p] != ' ' {
		return r.expected("SP")
	}
	r.p++
	return nil
}

// End consumes the end of the message: the line must have nothing left.
func (r *Reader) End() error {
	if r.st == stLine && r.framed && r.lineErr == nil && r.p == r.end {
		r.st = stIdle
		return nil
	}
	return r.endSlow()
}

func (r *Reader) endSlow() error {
	if err := r.cur(); err != nil {
		return err
	}
	if r.p != r.end {
		return r.expected("CRLF")
	}
	r.st = stIdle
	return nil
}

// Atom reads an atom (1*ATOM-CHAR).
func (r *Reader) Atom() ([]byte, error) {
	if err := r.cur(); err != nil {
		return nil, err
	}
	e := run(r.line(), r.p, clAtom)
	if e == r.p {
		return nil, r.expected("atom")
	}
	v := r.buf[r.p:e]
	r.p = e
	return v, nil
}

// Number reads a number (RFC 3501: 32 bits), rejecting overflow.
func (r *Reader) Number() (uint32, error) {
	v, err := r.number(maxNumber)
	return uint32(v), err
}

// Number64 reads a number64 (RFC 9051: 63 bits), rejecting overflow.
func (r *Reader) Number64() (uint64, error) { return r.number(maxNumber64) }

func (r *Reader) number(limit uint64) (uint64, error) {
	if err := r.cur(); err != nil {
		return 0, err
	}
	e := run(r.line(), r.p, clDigit)
	v, ok := parseUint(r.buf[r.p:e], limit)
	if !ok {
		return 0, r.expected("number")
	}
	r.p = e
	return v, nil
}

// Keyword consumes the word w (upper-case ASCII) if it comes next, ignoring
// case, followed by something that cannot continue an atom.
func (r *Reader) Keyword(w string) bool {
	if r.cur() != nil {
		return false
	}
	e := r.p + len(w)
	if e > r.end || !equalFold(r.buf[r.p:e], w) || (e < r.end && class[r.buf[e]]&clAString != 0) {
		return false
	}
	r.p = e
	return true
}

// Nil consumes NIL if it comes next.
func (r *Reader) Nil() bool { return r.Keyword("NIL") }

// String reads a string: quoted, or a literal that it opens (see [Reader]).
func (r *Reader) String() (Token, error) {
	var t Token
	err := r.strTo(&t, false)
	return t, err
}

// str reads a quoted string or opens a literal; binary allows literal8.
func (r *Reader) str(binary bool) (Token, error) {
	var t Token
	err := r.strTo(&t, binary)
	return t, err
}

// strTo is str into t, which must be zero.
func (r *Reader) strTo(t *Token, binary bool) error {
	if err := r.cur(); err != nil {
		return err
	}
	if r.p == r.end {
		return r.expected("string")
	}
	switch c := r.buf[r.p]; {
	case c == '"':
		plain := &quotedASCII
		if r.utf8 {
			plain = &quotedPlain
		}
		e, esc, ok := lexQuotedIn(r.line(), r.p, plain)
		if !ok {
			r.p = e
			return r.expected("quoted string without CR, LF or NUL")
		}
		if r.utf8 && !utf8.Valid(r.buf[r.p+1:e]) {
			return syntaxErr(ErrInvalidUTF8, r.offset(r.p), "UTF-8")
		}
		t.Kind, t.Bytes, t.Escaped = KindQuoted, r.buf[r.p+1:e], esc
		r.p = e + 1
		return nil
	case c == '{' || (binary && c == '~'):
		lit, e, ok := parseLiteralHeader(r.line(), r.p, true)
		if !ok || e != r.end {
			return r.expected("literal header at the end of the line")
		}
		t.Kind, t.Literal = KindLiteral, lit
		return r.openLiteral(lit)
	}
	return r.expected("string")
}

// AString reads an astring: an atom (with "]" allowed) or a string.
func (r *Reader) AString() (Token, error) {
	var t Token
	err := r.astringTo(&t)
	return t, err
}

// astringTo is AString into t, which must be zero.
func (r *Reader) astringTo(t *Token) error {
	if err := r.cur(); err != nil {
		return err
	}
	if e := run(r.line(), r.p, clAString); e > r.p {
		t.Kind, t.Bytes = KindAtom, r.buf[r.p:e]
		r.p = e
		return nil
	}
	return r.strTo(t, false)
}

// NString reads NIL or a string.
func (r *Reader) NString() (Token, error) {
	if r.Nil() {
		return Token{Kind: KindNil}, nil
	}
	return r.String()
}

// Flag reads a flag: \Word, \* or a keyword atom.
func (r *Reader) Flag() (Token, error) {
	if err := r.cur(); err != nil {
		return Token{}, err
	}
	i := r.p
	if i < r.end && r.buf[i] == '\\' {
		i++
		if i < r.end && r.buf[i] == '*' {
			i++
		} else {
			i = run(r.line(), i, clAtom)
		}
		if i == r.p+1 {
			return Token{}, r.expected("flag")
		}
		t := Token{Kind: KindFlag, Bytes: r.buf[r.p:i]}
		r.p = i
		return t, nil
	}
	a, err := r.Atom()
	if err != nil {
		return Token{}, r.expected("flag")
	}
	return Token{Kind: KindAtom, Bytes: a}, nil
}

// Text reads the rest of the line as text (resp-text): a "{5}" at its end
// is text, not a literal. NUL and CR are refused.
func (r *Reader) Text() ([]byte, error) {
	if err := r.cur(); err != nil {
		return nil, err
	}
	e := run(r.line(), r.p, clText)
	if e != r.end {
		r.p = e
		return nil, r.expected("text without NUL or CR")
	}
	v := r.buf[r.p:e]
	r.p, r.text = e, true
	return v, nil
}

// List is a cursor over a parenthesised list. Next consumes the "(" on
// its first call, the SP between elements, and the ")"; the caller reads
// each element between calls.
//
//	l := r.List()
//	for l.Next() {
//		flag, err := r.Flag()
//		…
//	}
//	if err := l.Err(); err != nil { … }
type List struct {
	r    *Reader
	n    int
	done bool
	err  error
}

// List returns a cursor over the list that comes next.
func (r *Reader) List() List { return List{r: r} }

// Next moves to the next element; false at the ")" or on error.
func (l *List) Next() bool {
	if l.done || l.err != nil {
		return false
	}
	r := l.r
	if l.err = r.cur(); l.err != nil {
		return false
	}
	if l.n == 0 {
		if r.p == r.end || r.buf[r.p] != '(' {
			l.err = r.expected("(")
			return false
		}
		r.p++
		if r.depth++; r.depth > r.lim.MaxDepth {
			l.err = syntaxErr(ErrTooDeep, r.offset(r.p), "")
			return false
		}
	} else if r.p < r.end && r.buf[r.p] == ' ' {
		r.p++
		if r.p < r.end && r.buf[r.p] == ')' && !r.q.TrailingSpace {
			l.err = r.expected("list element")
			return false
		}
	} else if r.p < r.end && r.buf[r.p] == '(' && r.buf[r.p-1] == ')' {
		// Addresses (1*address) and multipart bodies (1*body) stand side
		// by side without SP.
	} else if r.p == r.end || r.buf[r.p] != ')' {
		l.err = r.expected("SP or )")
		return false
	}
	if r.p < r.end && r.buf[r.p] == ')' {
		r.p++
		r.depth--
		l.done = true
		return false
	}
	l.n++
	return true
}

// Len is the number of elements seen so far.
func (l *List) Len() int { return l.n }

// Err returns the error that stopped the cursor, if any.
func (l *List) Err() error { return l.err }
