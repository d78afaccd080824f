package imapwire

// Envelope is a FETCH ENVELOPE (RFC 9051 §7.5.2) as views: strings are
// NIL, quoted (escapes kept; see Token.Value) or literal tokens.
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
func (a *Addresses) Next() (Address, bool) {
	if a.bad {
		return Address{}, false
	}
	t, ok := a.v.Next()
	if !ok {
		a.bad = a.v.Err()
		return Address{}, false
	}
	var addr Address
	v := ValuesOf(t.Bytes)
	var ok1, ok2, ok3, ok4 bool
	addr.Name, ok1 = v.Next()
	addr.ADL, ok2 = v.Next()
	addr.Mailbox, ok3 = v.Next()
	addr.Host, ok4 = v.Next()
	if t.Kind != KindListOpen || !ok1 || !ok2 || !ok3 || !ok4 || v.More() ||
		!nstring(addr.Name) || !nstring(addr.ADL) || !nstring(addr.Mailbox) || !nstring(addr.Host) {
		a.bad = true
		return Address{}, false
	}
	return addr, true
}

// Err reports whether the cursor stopped at a malformed address.
func (a *Addresses) Err() bool { return a.bad }

// nstring reports whether t is NIL or a string.
func nstring(t Token) bool { return t.Kind == KindNil || t.IsString() }

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
	if v.More() || v.Err() {
		return env, syntaxErr(ErrSyntax, 0, "end of envelope")
	}
	return env, nil
}

// Envelope reads a FETCH ENVELOPE value; its literals are taken inline.
func (r *Reader) Envelope() (Envelope, error) {
	raw, err := r.Capture()
	if err != nil {
		return Envelope{}, err
	}
	env, err := ParseEnvelope(raw)
	if err != nil {
		return env, r.expected("envelope")
	}
	return env, nil
}
