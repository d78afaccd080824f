package imapwire

// Next reads the next token of the message with the generic lexer, which
// knows no grammar: atoms (ATOM-CHAR and list-wildcards, "[" excluded),
// flags, quoted strings, literals (opened, see [Reader]), NIL, "(", ")",
// "[", "]" and SP. At the end of the message it returns KindEnd and the
// message is complete. It suits skipping, tracing and generic tools; the
// typed methods are stricter.
func (r *Reader) Next() (Token, error) {
	if err := r.cur(); err != nil {
		return Token{}, err
	}
	if r.p == r.end {
		r.st = stIdle
		return Token{Kind: KindEnd}, nil
	}
	i := r.p
	var k Kind
	switch c := r.buf[i]; c {
	case ' ':
		k = KindSP
	case '(':
		k = KindListOpen
	case ')':
		k = KindListClose
	case '[':
		k = KindOpenBracket
	case ']':
		k = KindCloseBracket
	case '"', '{':
		return r.str(false)
	case '\\':
		return r.Flag()
	case '~':
		if i+1 < r.end && r.buf[i+1] == '{' {
			return r.str(true)
		}
	}
	if k != KindEnd {
		r.p++
		return Token{Kind: k, Bytes: r.buf[i : i+1]}, nil
	}
	e := run(r.line(), i, clLex)
	if e == i {
		return Token{}, r.expected("token")
	}
	r.p = e
	t := Token{Kind: KindAtom, Bytes: r.buf[i:e]}
	if equalFold(t.Bytes, "NIL") {
		t.Kind = KindNil
	}
	return t, nil
}

// Capture reads one value, an atom, flag, string, NIL or a parenthesised
// list nested at most Limits.MaxDepth deep, and returns its raw bytes.
// Literal8 (~{n}) is not a value here: SectionData and AppendMessage read
// it where the grammar allows it.
// Literals, inside a list or alone, are taken inline (within
// Limits.MaxInlineLiteral, else ErrLiteralTooLarge with the literal left
// open), so the view spans lines: "{n}" CRLF and the data stay in it, and
// the cursors of this package ([ValuesOf], [Envelope], [BodyStructure])
// read it; ValuesOf of a captured bare literal yields its data as one
// KindLiteral token. On the server side an unaccepted synchronizing literal
// is refused.
func (r *Reader) Capture() ([]byte, error) {
	if err := r.cur(); err != nil {
		return nil, err
	}
	if end, ok := captureLine(r.buf[:r.end], r.p, r.lim.MaxDepth); ok {
		v := r.buf[r.p:end]
		r.p = end
		return v, nil
	}
	start := r.p - r.msg
	depth := 0
	for {
		if err := r.cur(); err != nil {
			return nil, err
		}
		if r.p == r.end {
			return nil, r.expected("value")
		}
		switch c := r.buf[r.p]; c {
		case '(':
			r.p++
			if depth++; depth > r.lim.MaxDepth {
				return nil, syntaxErr(ErrTooDeep, r.offset(r.p), "")
			}
			continue
		case ')':
			if depth == 0 {
				return nil, r.expected("value")
			}
			r.p++
			depth--
		default:
			if err := r.captureAtom(); err != nil {
				return nil, err
			}
		}
		if depth == 0 {
			if !r.framed {
				// A bare literal: the value is its header, CRLF and data,
				// and the line goes on after the data.
				return r.buf[r.msg+start : r.next], nil
			}
			return r.buf[r.msg+start : r.p], nil
		}
		if err := r.cur(); err != nil {
			return nil, err
		}
		switch {
		case r.p < r.end && r.buf[r.p] == ')':
		case r.p < r.end && r.buf[r.p] == '(' && r.buf[r.p-1] == ')':
			// body-type-mpart: "1*body" puts parts side by side
		case r.p < r.end && r.buf[r.p] == ' ' && r.p+1 < r.end && r.buf[r.p+1] != ')':
			r.p++
		case r.q.TrailingSpace && r.p+1 < r.end && r.buf[r.p] == ' ':
			r.p++
		default:
			return nil, r.expected("SP or )")
		}
	}
}

// captureAtom consumes one element that is not a list, for Capture.
func (r *Reader) captureAtom() error {
	if r.p == r.end {
		return r.expected("value")
	}
	switch c := r.buf[r.p]; {
	case c == '"' || c == '{':
		t, err := r.str(false)
		if err != nil || t.Kind != KindLiteral {
			return err
		}
		if !r.dataComing() {
			return r.expected("no synchronizing literal here")
		}
		_, err = r.Inline()
		return err
	case c == '\\':
		_, err := r.Flag()
		return err
	}
	e := run(r.line(), r.p, clList)
	if e == r.p {
		return r.expected("value")
	}
	r.p = e
	return nil
}

// captureLine is Capture's fast path: a value that ends on this line and
// holds no literal, checked by the same rules. It reports false for
// anything else, and Capture then takes the general path.
func captureLine(b []byte, i, maxDepth int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; {
		case c == '(':
			if depth++; depth > maxDepth {
				return 0, false
			}
			i++
			continue
		case c == ')':
			if depth == 0 {
				return 0, false
			}
			depth--
			i++
		case c == '"':
			e, _, ok := lexQuotedIn(b, i, &quotedASCII)
			if !ok {
				return 0, false
			}
			i = e + 1
		case c == '{' || c == '~':
			return 0, false
		case c == '\\':
			e := lexFlag(b, i)
			if e < 0 {
				return 0, false
			}
			i = e
		default:
			e := run(b, i, clList)
			if e == i {
				return 0, false
			}
			i = e
		}
		if depth == 0 {
			return i, true
		}
		switch {
		case i < len(b) && b[i] == ')':
		case i < len(b) && b[i] == '(' && b[i-1] == ')':
		case i+1 < len(b) && b[i] == ' ' && b[i+1] != ')':
			i++
		default:
			return 0, false
		}
	}
	return 0, false
}
