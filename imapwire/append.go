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
	_, err := r.appendMessage(&m, true, nil)
	return m, err
}

// appendMessage is AppendMessage into m. With dst, a flag list read in one
// pass (see flagList; star says whether \* passes it) is appended to *dst
// too, and listed reports it; otherwise the caller walks m.Flags.
func (r *Reader) appendMessage(m *AppendMessage, star bool, dst *[][]byte) (listed bool, err error) {
	if err := r.SP(); err != nil {
		return false, err
	}
	if raw, ok := r.flagList(star, dst); ok {
		m.Flags, listed = ValuesOf(raw), dst != nil
		if err := r.SP(); err != nil {
			return listed, err
		}
	} else if r.Peek() == '(' {
		raw, err := r.Capture()
		if err != nil {
			return listed, err
		}
		m.Flags = ValuesOf(raw)
		for v := m.Flags; v.More(); {
			if t, ok := v.Next(); !ok || (t.Kind != KindFlag && t.Kind != KindAtom) {
				return listed, r.expected("flag")
			}
		}
		if err := r.SP(); err != nil {
			return listed, err
		}
	}
	if r.Peek() == '"' {
		t, err := r.String()
		if err != nil || t.Kind != KindQuoted || !validDateTime(t.Bytes) {
			return listed, r.expected("date-time")
		}
		m.Date = t.Bytes
		if err := r.SP(); err != nil {
			return listed, err
		}
	}
	c := r.Peek()
	if c != '{' && c != '~' {
		return listed, r.expected("literal")
	}
	t, err := r.str(true)
	m.Literal = t
	return listed, err
}

// validDateTime reports whether b is a date-time that ParseDateTime takes.
func validDateTime(b []byte) bool {
	_, _, err := ParseDateTime(b)
	return err == nil
}
