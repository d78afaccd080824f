package imapwire

// Words reads "*(SP atom)" to the end of the message, as CAPABILITY and
// ENABLED carry, and returns a cursor over the atoms. A trailing SP is
// accepted under the TrailingSpace quirk.
func (r *Reader) Words() (Words, error) {
	if err := r.cur(); err != nil {
		return Words{}, err
	}
	s := r.p
	for r.p < r.end {
		if r.buf[r.p] != ' ' {
			return Words{}, r.expected("SP")
		}
		r.p++
		if r.p == r.end && r.q.TrailingSpace {
			break
		}
		if _, err := r.Atom(); err != nil {
			return Words{}, err
		}
	}
	w := WordsOf(r.buf[s:r.p])
	return w, r.End()
}

// ListData is a LIST or LSUB response (RFC 9051 §7.3.1).
type ListData struct {
	Attrs     Values // the mailbox attributes, flags such as \HasNoChildren
	Delim     byte   // the hierarchy delimiter; 0 for NIL
	Mailbox   Token  // the name; decode and check it with Reader.AppendMailboxName
	Extension []byte // RFC 5258 extended data, a raw list, or nil
}

// ReadListData reads the rest of a LIST or LSUB response.
func (r *Reader) ReadListData() (ListData, error) {
	var d ListData
	if err := r.SP(); err != nil {
		return d, err
	}
	attrs, err := r.Capture()
	if err != nil {
		return d, err
	}
	if len(attrs) == 0 || attrs[0] != '(' {
		return d, r.expected("mailbox attributes")
	}
	d.Attrs = ValuesOf(attrs)
	if err := r.SP(); err != nil {
		return d, err
	}
	if !r.Nil() {
		t, err := r.String()
		one := (len(t.Bytes) == 1 && !t.Escaped) || (len(t.Bytes) == 2 && t.Escaped)
		if err != nil || t.Kind != KindQuoted || !one {
			return d, r.expected("delimiter")
		}
		d.Delim = t.Bytes[len(t.Bytes)-1]
	}
	if err := r.SP(); err != nil {
		return d, err
	}
	if d.Mailbox, err = r.clientMailbox(); err != nil {
		return d, err
	}
	if r.Peek() == ' ' {
		r.p++
		if d.Extension, err = r.Capture(); err != nil {
			return d, err
		}
	}
	return d, r.End()
}

// clientMailbox reads a mailbox name of a response, taking a literal
// inline. Its encoding is not checked here but by AppendMailboxName, so
// that one name a server got wrong (Yandex sends invalid modified UTF-7
// for names with "&", modern-email/defects #46) costs the caller that
// name, not the response.
func (r *Reader) clientMailbox() (Token, error) {
	t, err := r.AString()
	if err == nil && t.Kind == KindLiteral {
		t.Bytes, err = r.Inline()
	}
	return t, err
}

// StatusItems is a cursor over the "name number" pairs of a STATUS
// response.
type StatusItems struct{ v Values }

// Next returns the next item: MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN,
// DELETED, SIZE, HIGHESTMODSEQ, … and its value.
func (s *StatusItems) Next() (name []byte, value uint64, ok bool) {
	n, ok1 := s.v.Next()
	v, ok2 := s.v.Next()
	num, ok3 := v.Uint64()
	if !ok1 || !ok2 || !ok3 || n.Kind != KindAtom {
		return nil, 0, false
	}
	return n.Bytes, num, true
}

// ReadStatusData reads the rest of a STATUS response: the mailbox and its
// items, checked to be pairs of atom and number.
func (r *Reader) ReadStatusData() (Token, StatusItems, error) {
	if err := r.SP(); err != nil {
		return Token{}, StatusItems{}, err
	}
	mbox, err := r.clientMailbox()
	if err != nil {
		return mbox, StatusItems{}, err
	}
	if err := r.SP(); err != nil {
		return mbox, StatusItems{}, err
	}
	raw, err := r.Capture()
	if err != nil {
		return mbox, StatusItems{}, err
	}
	items := StatusItems{ValuesOf(raw)}
	for check := items; check.v.More(); {
		if _, _, ok := check.Next(); !ok || raw[0] != '(' {
			return mbox, items, r.expected("status items")
		}
	}
	return mbox, items, r.trailingEnd()
}

// Numbers is a cursor over numbers separated by single spaces.
type Numbers struct{ w Words }

// Next returns the next number.
func (n *Numbers) Next() (uint32, bool) {
	b, ok := n.w.Next()
	if !ok {
		return 0, false
	}
	v, _ := parseUint(b, maxNumber)
	return uint32(v), true
}

// ReadSearchData reads the rest of a SEARCH response: the numbers, checked,
// and the "(MODSEQ n)" that CONDSTORE adds (0 without one).
func (r *Reader) ReadSearchData() (Numbers, uint64, error) {
	if err := r.cur(); err != nil {
		return Numbers{}, 0, err
	}
	s := r.p
	e := r.p
	var modseq uint64
	for r.p < r.end {
		if err := r.SP(); err != nil {
			return Numbers{}, 0, err
		}
		if r.p == r.end && r.q.TrailingSpace {
			break
		}
		if r.Peek() == '(' {
			l := r.List()
			if !l.Next() || !r.Keyword("MODSEQ") || r.SP() != nil {
				return Numbers{}, 0, r.expected("(MODSEQ n)")
			}
			v, err := r.Number64()
			if err != nil || l.Next() || l.Err() != nil {
				return Numbers{}, 0, r.expected("(MODSEQ n)")
			}
			modseq = v
			break
		}
		if _, err := r.Number(); err != nil {
			return Numbers{}, 0, err
		}
		e = r.p
	}
	return Numbers{WordsOf(r.buf[s:e])}, modseq, r.End()
}

// ESearchData is an ESEARCH response (RFC 4731, RFC 9051 §7.3.4).
type ESearchData struct {
	Tag   Token // the correlator's tag string; zero Kind without one
	UID   bool
	Items Values // "name value" pairs: MIN n, MAX n, COUNT n, ALL set, MODSEQ n, …
}

// ReadESearchData reads the rest of an ESEARCH response.
func (r *Reader) ReadESearchData() (ESearchData, error) {
	var d ESearchData
	if err := r.cur(); err != nil {
		return d, err
	}
	if r.p+1 < r.end && r.buf[r.p] == ' ' && r.buf[r.p+1] == '(' {
		r.p++
		l := r.List()
		if !l.Next() || !r.Keyword("TAG") || r.SP() != nil {
			return d, r.expected("(TAG string)")
		}
		t, err := r.String()
		if err != nil || t.Kind != KindQuoted || l.Next() || l.Err() != nil {
			return d, r.expected("(TAG string)")
		}
		d.Tag = t
	}
	if r.p+4 <= r.end && r.buf[r.p] == ' ' && equalFold(r.buf[r.p+1:r.p+4], "UID") &&
		(r.p+4 == r.end || r.buf[r.p+4] == ' ') {
		r.p += 4
		d.UID = true
	}
	// s is kept from the start of the message: a literal that Capture
	// takes inline may grow the buffer, which moves the message.
	s := -1
	for r.p < r.end {
		if err := r.SP(); err != nil {
			return d, err
		}
		if s < 0 {
			s = r.p - r.msg
		}
		if _, err := r.Atom(); err != nil {
			return d, err
		}
		if err := r.SP(); err != nil {
			return d, err
		}
		if _, err := r.Capture(); err != nil {
			return d, err
		}
	}
	if s < 0 {
		s = r.p - r.msg
	}
	d.Items = Values{b: r.buf[r.msg+s : r.p]}
	return d, r.End()
}

// ReadNamespaceData reads the rest of a NAMESPACE response: the personal,
// other users' and shared namespaces, each nil (NIL) or a raw list of
// ("prefix" "delimiter" …) entries to take apart with ValuesOf.
func (r *Reader) ReadNamespaceData() (personal, other, shared []byte, err error) {
	var ns [3][]byte
	for i := range ns {
		if err := r.SP(); err != nil {
			return nil, nil, nil, err
		}
		if r.Nil() {
			continue
		}
		if r.Peek() != '(' {
			return nil, nil, nil, r.expected("namespace list or NIL")
		}
		if ns[i], err = r.Capture(); err != nil {
			return nil, nil, nil, err
		}
	}
	return ns[0], ns[1], ns[2], r.End()
}
