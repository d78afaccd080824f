package imapwire

import "bytes"

// Values is a cursor over values held in bytes, typically a list returned
// by Reader.Capture: atoms, flags, quoted strings, literals written inline
// ("{n}" CRLF data), NIL and nested lists (returned whole, as KindListOpen
// tokens whose Bytes include the parentheses; take them apart with
// ValuesOf). Tokens alias the bytes. Malformed bytes stop the cursor and
// Err reports it.
type Values struct {
	b   []byte
	i   int
	bad bool
}

// ValuesOf returns a cursor over the elements of the list raw, or over raw
// itself when it is not a parenthesised list.
func ValuesOf(raw []byte) Values {
	if n := len(raw); n >= 2 && raw[0] == '(' && raw[n-1] == ')' {
		return Values{b: raw[1 : n-1]}
	}
	return Values{b: raw}
}

// Err returns the error that stopped the cursor at malformed bytes, nil at
// a clean end. Like every cursor's Err in this package it is an error; it
// matches ErrSyntax.
func (v *Values) Err() error {
	if v.bad {
		return errMalformedValue
	}
	return nil
}

// errMalformedValue is the error of a cursor over captured bytes; its
// Offset is 0 as the bytes are not the message.
var errMalformedValue error = &SyntaxError{Err: ErrSyntax, Expected: "well-formed value"}

// More reports whether another value follows.
func (v *Values) More() bool {
	return !v.bad && v.i < len(v.b) && (v.i == 0 || v.i < len(v.b)-1 || v.b[v.i] != ' ')
}

// Next returns the next value; false at the end or at malformed bytes.
func (v *Values) Next() (t Token, ok bool) {
	ok = v.next(&t)
	return t, ok
}

// next reads the next value into t.
func (v *Values) next(t *Token) bool {
	if !v.sep() {
		return false
	}
	if v.b[v.i] == '"' { // the commonest value, without lexValue's switch
		e, esc, ok := lexQuoted(v.b, v.i)
		if !ok {
			v.bad = true
			return false
		}
		setToken(t, KindQuoted, v.b[v.i+1:e], esc)
		v.i = e + 1
		return true
	}
	end := lexValue(v.b, v.i, t)
	if end < 0 {
		v.bad = true
		return false
	}
	v.i = end
	return true
}

// sep moves past the SP before the next value and reports whether there
// is one.
func (v *Values) sep() bool {
	if v.bad || v.i >= len(v.b) {
		return false
	}
	if v.i > 0 && !(v.b[v.i] == '(' && v.b[v.i-1] == ')') { // multipart bodies stand side by side
		if v.b[v.i] != ' ' {
			v.bad = true
			return false
		}
		if v.i++; v.i == len(v.b) { // a trailing SP the TrailingSpace quirk let through
			return false
		}
	}
	return true
}

// lexValue reads one value at b[i] into t; it returns the value's end, or
// -1 if it is malformed.
func lexValue(b []byte, i int, t *Token) int {
	if i < 0 || i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		e, esc, ok := lexQuoted(b, i)
		if !ok {
			return -1
		}
		setToken(t, KindQuoted, b[i+1:e], esc)
		return e + 1
	case c == '(':
		e := skipList(b, i)
		if e < 0 {
			return -1
		}
		setToken(t, KindListOpen, b[i:e], false)
		return e
	case c == '{' || c == '~' && i+1 < len(b) && b[i+1] == '{':
		lit, data, end := lexLiteral(b, i)
		if end < 0 {
			return -1
		}
		setToken(t, KindLiteral, b[data:end], false)
		t.Literal = lit
		return end
	case c == '\\':
		e := lexFlag(b, i)
		if e < 0 {
			return -1
		}
		setToken(t, KindFlag, b[i:e], false)
		return e
	}
	e := run(b, i, clList)
	if e == i {
		return -1
	}
	setToken(t, KindAtom, b[i:e], false)
	if e-i == 3 && b[i]|0x20 == 'n' && b[i+1]|0x20 == 'i' && b[i+2]|0x20 == 'l' {
		t.Kind = KindNil
	}
	return e
}

// lexFlag returns the end of the flag starting with the backslash at
// b[i]: "\\*" or a backslash and an atom; -1 when nothing follows it.
func lexFlag(b []byte, i int) int {
	e := i + 1
	if e < len(b) && b[e] == '*' {
		return e + 1
	}
	if e = run(b, e, clAtom); e == i+1 {
		return -1
	}
	return e
}

// lexLiteral reads a literal written inline at b[i]: its header, CRLF and
// data; data and end bound the data, end is -1 if it is malformed (NUL
// outside literal8 included).
func lexLiteral(b []byte, i int) (lit Literal, data, end int) {
	lit, e, ok := parseLiteralHeader(b, i, true)
	if !ok || e+2 > len(b) || b[e] != '\r' || b[e+1] != '\n' || lit.Size > uint64(len(b)-e-2) {
		return lit, 0, -1
	}
	data, end = e+2, e+2+int(lit.Size)
	if !lit.Binary && bytes.IndexByte(b[data:end], 0) >= 0 {
		return lit, 0, -1
	}
	return lit, data, end
}

// skipList returns the end of the balanced list that starts at b[i], or -1.
func skipList(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '(':
			depth++
			i++
		case ')':
			depth--
			i++
			if depth == 0 {
				return i
			}
		case '"':
			e, _, ok := lexQuoted(b, i)
			if !ok {
				return -1
			}
			i = e + 1
		case '{':
			if _, _, i = lexLiteral(b, i); i < 0 {
				return -1
			}
		default:
			i = run(b, i+1, clPlain)
		}
	}
	return -1
}

// Words is a cursor over atoms separated by single spaces, as in
// CAPABILITY, ENABLED and response codes.
type Words struct {
	b []byte
	i int
}

// WordsOf returns a cursor over the words of b.
func WordsOf(b []byte) Words { return Words{b: b} }

// Next returns the next word.
func (w *Words) Next() ([]byte, bool) {
	for w.i < len(w.b) && w.b[w.i] == ' ' {
		w.i++
	}
	if w.i >= len(w.b) {
		return nil, false
	}
	s := w.i
	for w.i < len(w.b) && w.b[w.i] != ' ' {
		w.i++
	}
	return w.b[s:w.i], true
}

// Has reports whether one of the words equals the upper-case word name,
// ignoring case.
func (w Words) Has(name string) bool {
	for {
		x, ok := w.Next()
		if !ok {
			return false
		}
		if equalFold(x, name) {
			return true
		}
	}
}
