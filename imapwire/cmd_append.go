package imapwire

// APPEND with MULTIAPPEND (RFC 3502), literal8 (RFC 3516), LITERAL+ and
// LITERAL- (RFC 7888).

// appendFirst reads "SP mailbox" and the first message, whose literal it
// leaves open.
func (d *Decoder) appendFirst(a *AppendArgs) (err error) {
	if a.Mailbox, err = d.mailbox(); err != nil {
		return err
	}
	return d.message(a)
}

// message reads "SP [flag-list SP] [date-time SP] literal" and opens the
// literal.
func (d *Decoder) message(a *AppendArgs) error {
	var m AppendMessage
	n := len(d.bufs)
	listed, err := d.r.appendMessage(&m, false, &d.bufs)
	if err != nil {
		return err
	}
	if listed {
		a.Flags = d.bufs[n:len(d.bufs):len(d.bufs)]
	} else if a.Flags, err = d.flags(m.Flags, false); err != nil {
		return err
	}
	a.Date, a.Literal = m.Date, m.Literal.Literal
	return nil
}

// NextMessage moves an APPEND to its next message once the current
// message's literal has been read through (streamed, inlined or
// discarded): it reports false at the end of the command, which it then
// ends, and otherwise fills Cmd.Append with the next message (MULTIAPPEND)
// and leaves its literal open. It fails with ErrLiteralOpen while the
// literal is still open.
func (d *Decoder) NextMessage() (bool, error) {
	r := d.r
	if _, open := r.Literal(); open {
		return false, ErrLiteralOpen
	}
	if d.cmd.ID != CmdAppend {
		return false, ErrNoMessage
	}
	if err := r.cur(); err != nil {
		return false, err
	}
	if r.p == r.end {
		return false, r.End()
	}
	a := &d.cmd.Append
	a.Flags, a.Date, a.Literal = nil, nil, Literal{}
	a.Index++
	if err := d.message(a); err != nil {
		return false, d.fail(err)
	}
	return true, nil
}
