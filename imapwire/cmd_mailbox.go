package imapwire

// LOGIN, SELECT/EXAMINE, CREATE, RENAME, LIST, LSUB, STATUS, COPY/MOVE:
// the commands whose arguments are mostly names.

// login reads "SP userid SP password".
func (d *Decoder) login(a *LoginArgs) (err error) {
	if a.User, err = d.astring(); err != nil {
		return err
	}
	if a.Password, err = d.astring(); err != nil {
		return err
	}
	return d.r.End()
}

// selectArgs reads "SP mailbox [SP "(" select-param *(SP select-param) ")"]"
// with the CONDSTORE and QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5).
func (d *Decoder) selectArgs(a *SelectArgs) (err error) {
	r := d.r
	if a.Mailbox, err = d.mailbox(); err != nil {
		return err
	}
	if !d.more() {
		return r.End()
	}
	if !d.paren() {
		return r.expected("(")
	}
	for {
		switch {
		case r.Keyword("CONDSTORE"):
			if a.CondStore {
				return r.expected("one CONDSTORE")
			}
			a.CondStore = true
		case r.Keyword("QRESYNC"):
			if a.QResync {
				return r.expected("one QRESYNC")
			}
			a.QResync = true
			if err := d.qresync(a); err != nil {
				return err
			}
		default:
			return syntaxErr(ErrUnknownOption, r.offset(r.p), "CONDSTORE or QRESYNC")
		}
		more, err := d.spOrClose()
		if err != nil {
			return err
		}
		if !more {
			return r.End()
		}
	}
}

// qresync reads " (uidvalidity SP modseq [SP known-uids] [SP (seqs SP uids)])".
func (d *Decoder) qresync(a *SelectArgs) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if !d.paren() {
		return r.expected("(")
	}
	if a.UIDValidity, err = r.Number(); err != nil || a.UIDValidity == 0 {
		return r.expected("uidvalidity")
	}
	if err := r.SP(); err != nil {
		return err
	}
	if a.ModSeq, err = r.Number64(); err != nil {
		return err
	}
	more, err := d.spOrClose()
	if err != nil || !more {
		return err
	}
	if r.Peek() != '(' {
		if a.KnownUIDs, err = d.knownSet(); err != nil {
			return err
		}
		if more, err = d.spOrClose(); err != nil || !more {
			return err
		}
	}
	if !d.paren() {
		return r.expected("(")
	}
	if a.KnownSeqs, err = d.knownSet(); err != nil {
		return err
	}
	if err := r.SP(); err != nil {
		return err
	}
	if a.KnownSeqUIDs, err = d.knownSet(); err != nil {
		return err
	}
	for range 2 {
		if r.Peek() != ')' {
			return r.expected(")")
		}
		r.p++
	}
	return nil
}

// knownSet reads a sequence set of known numbers: no "*", no "$".
func (d *Decoder) knownSet() (SeqSet, error) {
	s, err := d.r.SeqSet()
	if err != nil {
		return s, err
	}
	for _, c := range s.raw {
		if c == '*' || c == '$' {
			return SeqSet{}, d.r.expected("sequence set without * or $")
		}
	}
	return s, nil
}

// create reads "SP mailbox [SP "(" "USE" SP "(" use-attrs ")" ")"]" (RFC
// 4466, RFC 6154).
func (d *Decoder) create(a *CreateArgs) (err error) {
	r := d.r
	if a.Mailbox, err = d.mailbox(); err != nil {
		return err
	}
	if !d.more() {
		return r.End()
	}
	if !d.paren() {
		return r.expected("(")
	}
	if !r.keywordBefore("USE", ' ') {
		return syntaxErr(ErrUnknownOption, r.offset(r.p), "USE")
	}
	r.p++
	raw, err := r.Capture()
	if err != nil {
		return err
	}
	if raw[0] != '(' {
		return r.expected("(")
	}
	a.HasUse = true
	if a.Use, err = d.flags(ValuesOf(raw), false); err != nil {
		return err
	}
	for _, f := range a.Use {
		if f[0] != '\\' {
			return r.expected("use-attr")
		}
	}
	if r.Peek() != ')' {
		return r.expected(")")
	}
	r.p++
	return r.End()
}

// rename reads "SP mailbox SP mailbox".
func (d *Decoder) rename(a *RenameArgs) (err error) {
	if a.From, err = d.mailbox(); err != nil {
		return err
	}
	if a.To, err = d.mailbox(); err != nil {
		return err
	}
	return d.r.End()
}

var listSelectNames = [...]string{"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"}

var listReturnNames = [...]string{"SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"}

// list reads "SP [list-select-opts SP] mailbox SP mbox-or-pat
// [SP list-return-opts]" (RFC 5258 §6, RFC 5819, RFC 6154).
func (d *Decoder) list(a *ListArgs) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if d.paren() {
		a.HasSelect = true
		if r.Peek() != ')' {
			for {
				bit, ok := d.option(listSelectNames[:])
				if !ok || a.Select&(1<<bit) != 0 {
					return syntaxErr(ErrUnknownOption, r.offset(r.p), "selection option")
				}
				a.Select |= 1 << bit
				more, err := d.spOrClose()
				if err != nil {
					return err
				}
				if !more {
					break
				}
			}
		} else {
			r.p++
		}
		if a.Select == ListSelectRecursiveMatch {
			return r.expected("RECURSIVEMATCH with another selection option")
		}
		if err := r.SP(); err != nil {
			return err
		}
	}
	v, err := d.astringValue()
	if err != nil {
		return err
	}
	if a.Reference, err = d.mailboxName(v); err != nil {
		return err
	}
	if err := r.SP(); err != nil {
		return err
	}
	n := len(d.bufs)
	if d.paren() {
		a.Multiple = true
		for {
			if err := d.pattern(); err != nil {
				return err
			}
			more, err := d.spOrClose()
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	} else if err := d.pattern(); err != nil {
		return err
	}
	a.Patterns = d.bufs[n:len(d.bufs):len(d.bufs)]
	if !d.more() {
		return r.End()
	}
	if !r.keywordBefore("RETURN", ' ') {
		return syntaxErr(ErrUnknownOption, r.offset(r.p), "RETURN")
	}
	r.p++
	if !d.paren() {
		return r.expected("(")
	}
	a.HasReturn = true
	if r.Peek() == ')' {
		r.p++
		return r.End()
	}
	for {
		bit, ok := d.option(listReturnNames[:])
		if !ok || a.Return&(1<<bit) != 0 {
			return syntaxErr(ErrUnknownOption, r.offset(r.p), "return option")
		}
		a.Return |= 1 << bit
		if ListReturn(1<<bit) == ListReturnStatus {
			if err := r.SP(); err != nil {
				return err
			}
			if a.Status, err = d.statusAtts(); err != nil {
				return err
			}
		}
		more, err := d.spOrClose()
		if err != nil {
			return err
		}
		if !more {
			return r.End()
		}
	}
}

// option reads one of the option names and returns its index.
func (d *Decoder) option(names []string) (uint, bool) {
	for i, w := range names {
		if d.r.Keyword(w) {
			return uint(i), true
		}
	}
	return 0, false
}

// pattern reads one list-mailbox into d.bufs.
func (d *Decoder) pattern() error {
	r := d.r
	if err := r.cur(); err != nil {
		return err
	}
	// list-chars or a quoted string without escapes are read here; their
	// check as mailbox names (ListMailbox's) is the decoding mailboxName
	// does, which fails where the check would.
	start := r.p
	var v []byte
	fast := true
	if e := run(r.buf[:r.end], r.p, clList); e > r.p {
		v = r.buf[r.p:e]
		r.p = e
	} else if q, esc, ok := d.quoted(); ok && !esc {
		v = q
	} else {
		fast = false
	}
	if fast {
		if name, err := d.mailboxName(v); err == nil {
			d.bufs = append(d.bufs, name)
			return nil
		}
	}
	// Anything else, and every error, as ListMailbox has it.
	r.p = start
	v, err := d.value(r.ListMailbox())
	if err != nil {
		return err
	}
	if v, err = d.mailboxName(v); err != nil {
		return err
	}
	d.bufs = append(d.bufs, v)
	return nil
}

// lsub reads "SP mailbox SP list-mailbox".
func (d *Decoder) lsub(a *ListArgs) (err error) {
	r := d.r
	if a.Reference, err = d.mailbox(); err != nil {
		return err
	}
	if err := r.SP(); err != nil {
		return err
	}
	n := len(d.bufs)
	if err := d.pattern(); err != nil {
		return err
	}
	a.Patterns = d.bufs[n:len(d.bufs):len(d.bufs)]
	return r.End()
}

// status reads "SP mailbox SP "(" status-att *(SP status-att) ")"".
func (d *Decoder) status(a *StatusArgs) (err error) {
	if a.Mailbox, err = d.mailbox(); err != nil {
		return err
	}
	if err := d.r.SP(); err != nil {
		return err
	}
	if a.Items, err = d.statusAtts(); err != nil {
		return err
	}
	return d.r.End()
}

// statusAtts reads a parenthesised list of one or more status items.
func (d *Decoder) statusAtts() ([]StatusAtt, error) {
	r := d.r
	if !d.paren() {
		return nil, r.expected("(")
	}
	n := len(d.stats)
	for {
		if r.cur() != nil {
			return nil, r.expected("status item")
		}
		p := r.p
		e := run(r.buf[:r.end], p, clAtom)
		if e == p {
			return nil, r.expected("status item")
		}
		r.p = e
		id := StatusAtt(statusIndex.lookup(r.buf, p, e-p))
		if id == 0 {
			return nil, syntaxErr(ErrUnknownOption, r.offset(p), "status item")
		}
		d.stats = append(d.stats, id)
		more, err := d.spOrClose()
		if err != nil {
			return nil, err
		}
		if !more {
			return d.stats[n:len(d.stats):len(d.stats)], nil
		}
	}
}

// copyArgs reads "SP sequence-set SP mailbox".
func (d *Decoder) copyArgs(a *CopyArgs) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if a.Set, err = r.SeqSet(); err != nil {
		return err
	}
	if a.Mailbox, err = d.mailbox(); err != nil {
		return err
	}
	return r.End()
}
