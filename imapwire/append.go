package imapwire

// AppendMessage is one message of an APPEND command (RFC 9051 §6.3.12;
// several with MULTIAPPEND, RFC 3502).
type AppendMessage struct {
	Flags   Values // the flag list; empty without one
	Date    []byte // the date-time, "17-Jul-1996 02:44:25 -0700", checked; nil without one; see ParseDateTime
	Literal Token  // the message literal, open: accept and stream it
}

// AppendMessage reads "SP [flag-list SP] [date-time SP] literal" after the
// mailbox (or after the previous message's literal under MULTIAPPEND) and
// opens the literal; literal8 (~{n}, RFC 3516) is allowed. After the
// literal's data, End ends the command, or AppendMessage reads the next
// message.
func (r *Reader) AppendMessage() (AppendMessage, error) {
	var m AppendMessage
	if err := r.SP(); err != nil {
		return m, err
	}
	if r.Peek() == '(' {
		raw, err := r.Capture()
		if err != nil {
			return m, err
		}
		m.Flags = ValuesOf(raw)
		for v := m.Flags; v.More(); {
			if t, ok := v.Next(); !ok || (t.Kind != KindFlag && t.Kind != KindAtom) {
				return m, r.expected("flag")
			}
		}
		if err := r.SP(); err != nil {
			return m, err
		}
	}
	if r.Peek() == '"' {
		t, err := r.String()
		if err != nil || t.Kind != KindQuoted || !validDateTime(t.Bytes) {
			return m, r.expected("date-time")
		}
		m.Date = t.Bytes
		if err := r.SP(); err != nil {
			return m, err
		}
	}
	c := r.Peek()
	if c != '{' && c != '~' {
		return m, r.expected("literal")
	}
	t, err := r.str(true)
	m.Literal = t
	return m, err
}

// validDateTime reports whether b is a date-time that ParseDateTime takes.
func validDateTime(b []byte) bool {
	_, _, err := ParseDateTime(b)
	return err == nil
}
