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
	var s Store
	err := r.store(&s, nil)
	return s, err
}

// store is Store into s; with dst, the flags are appended to *dst as well.
func (r *Reader) store(s *Store, dst *[][]byte) error {
	s.Op = '='
	if err := r.cur(); err != nil {
		return err
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
		return r.expected("FLAGS or FLAGS.SILENT")
	}
	r.p++
	if r.Peek() == '(' {
		if raw, ok := r.flagList(false, dst); ok {
			s.Flags = ValuesOf(raw)
			return nil
		}
		raw, err := r.Capture()
		if err != nil {
			return err
		}
		s.Flags = ValuesOf(raw)
	} else {
		start := r.p
		for {
			if _, err := r.Flag(); err != nil {
				return err
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
		if !ok || !isFlag(t, false) {
			return r.expected("flag")
		}
		if dst != nil {
			*dst = append(*dst, t.Bytes)
		}
	}
	return nil
}

// isFlag reports whether t, a token of a flag list as Values reads it, is
// a flag (RFC 9051 flag): a backslash and an atom, "\*" only when star, or
// a keyword, which is an atom. Values takes any list-chars as KindAtom, and
// "%", "*" and "]" are not atom-chars.
func isFlag(t Token, star bool) bool {
	switch t.Kind {
	case KindFlag:
		return star || string(t.Bytes) != `\*`
	case KindAtom:
		return isAtom(t.Bytes)
	}
	return false
}

// flagList is the one-pass reading of a flag list on this line, "("
// [flag *(SP flag)] ")", each flag a backslash and an atom (or "*" when
// star), or a keyword: an atom, not NIL (which Values would take as
// KindNil). It returns the list and appends its flags to
// *dst (when dst is not nil), or reports false, with r and *dst as they
// were, for anything else: the caller then takes the general path, which
// gives the error.
func (r *Reader) flagList(star bool, dst *[][]byte) ([]byte, bool) {
	b := r.buf[:r.end]
	i := r.p
	if i >= len(b) || b[i] != '(' || r.lim.MaxDepth < 1 {
		return nil, false
	}
	n := 0
	if dst != nil {
		n = len(*dst)
	}
	i++
	for i < len(b) && b[i] != ')' {
		var e int
		if b[i] == '\\' {
			if i+1 < len(b) && b[i+1] == '*' {
				if !star {
					break
				}
				e = i + 2
			} else if e = run(b, i+1, clAtom); e == i+1 {
				break
			}
		} else {
			e = run(b, i, clAtom)
			if e == i || e-i == 3 && b[i]|0x20 == 'n' && b[i+1]|0x20 == 'i' && b[i+2]|0x20 == 'l' {
				break
			}
		}
		if dst != nil {
			*dst = append(*dst, b[i:e])
		}
		i = e
		if i+1 < len(b) && b[i] == ' ' && b[i+1] != ')' {
			i++
		} else if i >= len(b) || b[i] != ')' {
			break
		}
	}
	if i >= len(b) || b[i] != ')' || b[i-1] == ' ' {
		if dst != nil {
			*dst = (*dst)[:n]
		}
		return nil, false
	}
	raw := b[r.p : i+1]
	r.p = i + 1
	return raw, true
}
