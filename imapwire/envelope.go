package imapwire

// Envelope is a FETCH ENVELOPE (RFC 9051 §7.5.2) as views: strings are
// NIL, quoted (escapes kept; see Token.AppendValue) or literal tokens.
type Envelope struct {
	Date, Subject                      Token
	From, Sender, ReplyTo, To, Cc, Bcc Addresses
	InReplyTo, MessageID               Token
}

// Address is one address of an envelope. A group starts with an address
// whose Host is NIL and Mailbox the group's name, and ends with one whose
// Mailbox is NIL too (RFC 9051 §7.5.2).
type Address struct {
	Name, ADL, Mailbox, Host Token
}

// Addresses is a cursor over an address list; a NIL list has none.
type Addresses struct {
	v   Values
	bad bool
}

// Next returns the next address; false at the end or at an address that
// is not four NIL-or-strings, which Err then reports.
func (a *Addresses) Next() (addr Address, ok bool) {
	ok = a.NextInto(&addr)
	return addr, ok
}

// NextInto is Next decoding into addr, which a loop can reuse: an Address
// is four Tokens, and returning one copies them.
func (a *Addresses) NextInto(addr *Address) bool {
	v := &a.v
	if a.bad || !v.More() {
		*addr = Address{}
		return false
	}
	if v.i > 0 && v.b[v.i] == ' ' {
		v.i++
	}
	i := v.i
	i = addressField(v.b, i, '(', &addr.Name)
	i = addressField(v.b, i, ' ', &addr.ADL)
	i = addressField(v.b, i, ' ', &addr.Mailbox)
	i = addressField(v.b, i, ' ', &addr.Host)
	if i < 0 || i >= len(v.b) || v.b[i] != ')' {
		a.bad = true
		*addr = Address{}
		return false
	}
	v.i = i + 1
	return true
}

// addressLine is the fast path of addresses: a list of addresses that ends
// on this line and holds no literal. It returns the list's end.
func addressLine(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '(' {
		return 0, false
	}
	i++
	for n := 0; ; n++ {
		if i < len(b) && b[i] == ')' && n > 0 {
			return i + 1, true
		}
		if n > 0 && i < len(b) && b[i] == ' ' {
			i++
		}
		i = nstringAfter(b, i, '(')
		i = nstringAfter(b, i, ' ')
		i = nstringAfter(b, i, ' ')
		i = nstringAfter(b, i, ' ')
		if i < 0 || i >= len(b) || b[i] != ')' {
			return 0, false
		}
		i++
	}
}

// nstringAfter checks sep and a quoted string or NIL at b[i] and returns
// their end, or -1 (also when i is -1 already). Literals are left to the
// general path.
func nstringAfter(b []byte, i int, sep byte) int {
	if i < 0 || i+1 >= len(b) || b[i] != sep {
		return -1
	}
	i++
	switch b[i] {
	case '"':
		if e, _, ok := lexQuotedIn(b, i, &quotedASCII); ok {
			return e + 1
		}
	case 'N', 'n':
		if i+3 <= len(b) && equalFold(b[i:i+3], "NIL") && (i+3 == len(b) || class[b[i+3]]&clList == 0) {
			return i + 3
		}
	}
	return -1
}

// addressField reads sep and an nstring at b[i] into t, and returns its
// end, or -1 (also when i is -1 already).
func addressField(b []byte, i int, sep byte, t *Token) int {
	if i < 0 || i+1 >= len(b) || b[i] != sep {
		return -1
	}
	if b[i+1] == '"' {
		e, esc, ok := lexQuoted(b, i+1)
		if !ok {
			return -1
		}
		setToken(t, KindQuoted, b[i+2:e], esc)
		return e + 1
	}
	if e := lexValue(b, i+1, t); e >= 0 && (t.Kind == KindNil || t.Kind == KindQuoted || t.Kind == KindLiteral) {
		return e
	}
	return -1
}

// Err returns the error that stopped the cursor at a malformed address,
// nil at a clean end; it matches ErrSyntax.
func (a *Addresses) Err() error {
	if a.bad {
		return errMalformedAddress
	}
	return nil
}

var errMalformedAddress error = &SyntaxError{Err: ErrSyntax, Expected: "address of four NIL-or-strings"}

// nstring reports whether t is NIL or a string.
func nstring(t Token) bool { return nstringKind(t.Kind) }

// stringKind and nstringKind are IsString and nstring by the kind alone:
// a Token is large, and copying one just written costs more than the test.
func stringKind(k Kind) bool  { return k == KindQuoted || k == KindLiteral }
func nstringKind(k Kind) bool { return k == KindNil || stringKind(k) }

// ParseEnvelope decodes an envelope captured by Reader.Capture, checking
// every field; addresses are checked as the Addresses cursors read them.
func ParseEnvelope(raw []byte) (Envelope, error) {
	var env Envelope
	if len(raw) == 0 || raw[0] != '(' {
		return env, syntaxErr(ErrSyntax, 0, "envelope")
	}
	v := ValuesOf(raw)
	strs := [...]*Token{&env.Date, &env.Subject, nil, nil, nil, nil, nil, nil, &env.InReplyTo, &env.MessageID}
	lists := [...]*Addresses{nil, nil, &env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc}
	for i := range strs {
		t, ok := v.Next()
		switch {
		case !ok:
			return env, syntaxErr(ErrSyntax, 0, "envelope field")
		case strs[i] != nil:
			if !nstring(t) {
				return env, syntaxErr(ErrSyntax, 0, "envelope string")
			}
			*strs[i] = t
		case t.Kind == KindNil:
		case t.Kind == KindListOpen:
			*lists[i] = Addresses{v: ValuesOf(t.Bytes)}
			if !lists[i].v.More() {
				return env, syntaxErr(ErrSyntax, 0, "address")
			}
		default:
			return env, syntaxErr(ErrSyntax, 0, "address list")
		}
	}
	if v.More() || v.Err() != nil {
		return env, syntaxErr(ErrSyntax, 0, "end of envelope")
	}
	return env, nil
}

// Envelope reads a FETCH ENVELOPE value in one pass, checking every field
// and address; its literals are taken inline.
func (r *Reader) Envelope() (env Envelope, err error) {
	err = r.EnvelopeInto(&env)
	return env, err
}

// EnvelopeInto is Envelope decoding into env, which a client can reuse:
// an envelope is large, and returning one copies it.
func (r *Reader) EnvelopeInto(env *Envelope) error {
	*env = Envelope{}
	if r.st == stLine && r.framed && r.lineErr == nil && r.depth < r.lim.MaxDepth {
		// The fast path: the whole envelope on this line, without literals
		// or 8-bit octets, read in place with the general path's checks.
		// Anything else, errors included, is left to the general path.
		if e, ok := envelopeLine(r.buf[:r.end], r.p, env); ok {
			r.p = e
			return nil
		}
		*env = Envelope{}
	}
	var err error
	*env, err = r.envelope()
	return err
}

// envelope is Envelope's general path: literals, 8-bit octets and errors.
func (r *Reader) envelope() (Envelope, error) {
	var env Envelope
	l := r.List()
	n := 0
	for ; l.Next(); n++ {
		var err error
		switch n {
		case 0:
			env.Date, err = r.inlineNString()
		case 1:
			env.Subject, err = r.inlineNString()
		case 2:
			env.From, err = r.addresses()
		case 3:
			env.Sender, err = r.addresses()
		case 4:
			env.ReplyTo, err = r.addresses()
		case 5:
			env.To, err = r.addresses()
		case 6:
			env.Cc, err = r.addresses()
		case 7:
			env.Bcc, err = r.addresses()
		case 8:
			env.InReplyTo, err = r.inlineNString()
		case 9:
			env.MessageID, err = r.inlineNString()
		default:
			err = r.expected("end of envelope")
		}
		if err != nil {
			return env, err
		}
	}
	if err := l.Err(); err != nil {
		return env, err
	}
	if n != 10 {
		return env, r.expected("envelope field")
	}
	return env, nil
}

// envelopeLine reads an envelope at b[i] in place: ten fields, NIL or
// ASCII quoted strings and NIL or address lists as addressLine checks
// them. It reports false for anything else.
func envelopeLine(b []byte, i int, env *Envelope) (int, bool) {
	if i >= len(b) || b[i] != '(' {
		return 0, false
	}
	i = lineNString(b, i+1, &env.Date)
	for f, list := range [...]*Addresses{nil, &env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc, nil, nil} {
		if i < 0 || i+1 >= len(b) || b[i] != ' ' {
			return 0, false
		}
		i++
		switch {
		case f == 0:
			i = lineNString(b, i, &env.Subject)
		case f == 7:
			i = lineNString(b, i, &env.InReplyTo)
		case f == 8:
			i = lineNString(b, i, &env.MessageID)
		case b[i] == '(':
			e, ok := addressLine(b, i)
			if !ok {
				return 0, false
			}
			*list = Addresses{v: ValuesOf(b[i:e])}
			i = e
		default:
			if i = lineNil(b, i); i < 0 {
				return 0, false
			}
		}
	}
	if i < 0 || i >= len(b) || b[i] != ')' {
		return 0, false
	}
	return i + 1, true
}

// lineNString reads NIL or an ASCII quoted string at b[i] into t and
// returns its end, or -1.
func lineNString(b []byte, i int, t *Token) int {
	if i < len(b) && b[i] == '"' {
		e, esc, ok := lexQuotedIn(b, i, &quotedASCII)
		if !ok {
			return -1
		}
		setToken(t, KindQuoted, b[i+1:e], esc)
		return e + 1
	}
	e := lineNil(b, i)
	if e >= 0 {
		setToken(t, KindNil, nil, false)
	}
	return e
}

// lineNil reads NIL at b[i], any case, as Reader.Nil does, and returns
// its end, or -1.
func lineNil(b []byte, i int) int {
	if i+3 > len(b) || !equalFold(b[i:i+3], "NIL") || (i+3 < len(b) && class[b[i+3]]&clAString != 0) {
		return -1
	}
	return i + 3
}

// inlineNString reads NIL or a string, taking a literal inline (responses
// only: a server's literal needs no continuation).
func (r *Reader) inlineNString() (Token, error) {
	if r.st == stLine && r.framed && r.lineErr == nil && r.p < r.end {
		// The fast path: a quoted string or NIL on this line.
		if r.buf[r.p] == '"' {
			if e, esc, ok := lexQuotedIn(r.buf[:r.end], r.p, &quotedASCII); ok {
				t := Token{Kind: KindQuoted, Bytes: r.buf[r.p+1 : e], Escaped: esc}
				r.p = e + 1
				return t, nil
			}
		}
	}
	t, err := r.NString()
	if err == nil && t.Kind == KindLiteral {
		if !r.dataComing() {
			return t, r.expected("no synchronizing literal here")
		}
		t.Bytes, err = r.Inline()
	}
	return t, err
}

// addresses reads NIL or a list of addresses, and returns a cursor over it.
func (r *Reader) addresses() (Addresses, error) {
	if r.Nil() {
		return Addresses{}, nil
	}
	if err := r.cur(); err != nil {
		return Addresses{}, err
	}
	if end, ok := addressLine(r.buf[:r.end], r.p); ok {
		a := Addresses{v: ValuesOf(r.buf[r.p:end])}
		r.p = end
		return a, nil
	}
	start := r.p - r.msg
	list := r.List()
	for list.Next() {
		addr := r.List()
		k := 0
		for ; addr.Next(); k++ {
			if _, err := r.inlineNString(); err != nil {
				return Addresses{}, err
			}
		}
		if err := addr.Err(); err != nil {
			return Addresses{}, err
		}
		if k != 4 {
			return Addresses{}, r.expected("address of four fields")
		}
	}
	if err := list.Err(); err != nil {
		return Addresses{}, err
	}
	if list.Len() == 0 {
		return Addresses{}, r.expected("address")
	}
	return Addresses{v: ValuesOf(r.buf[r.msg+start : r.p])}, nil
}
