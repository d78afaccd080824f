package imapwire

// Store is a STORE command's action and flags (RFC 9051 §6.4.6).
type Store struct {
	Op     byte   // '+' to add, '-' to remove, '=' to replace
	Silent bool   // .SILENT: no untagged FETCH in reply
	Flags  Values // the flags: KindFlag (\Seen) or KindAtom (keywords)
}

// Store reads "[+|-]FLAGS[.SILENT] SP flags", the flags as a list or
// separated by spaces. \* is refused: it is no flag of a message.
func (r *Reader) Store() (Store, error) {
	s := Store{Op: '='}
	if err := r.cur(); err != nil {
		return s, err
	}
	if c := r.Peek(); c == '+' || c == '-' {
		s.Op = c
		r.p++
	}
	switch {
	case r.keywordBefore("FLAGS.SILENT", ' '):
		s.Silent = true
	case r.keywordBefore("FLAGS", ' '):
	default:
		return s, r.expected("FLAGS or FLAGS.SILENT")
	}
	r.p++
	if r.Peek() == '(' {
		raw, err := r.Capture()
		if err != nil {
			return s, err
		}
		s.Flags = ValuesOf(raw)
	} else {
		start := r.p
		for {
			if _, err := r.Flag(); err != nil {
				return s, err
			}
			if r.Peek() != ' ' {
				break
			}
			r.p++
		}
		s.Flags = Values{b: r.buf[start:r.p]}
	}
	for v := s.Flags; v.More(); {
		t, ok := v.Next()
		if !ok || (t.Kind != KindFlag && t.Kind != KindAtom) || string(t.Bytes) == `\*` {
			return s, r.expected("flag")
		}
	}
	return s, nil
}
