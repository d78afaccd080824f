package imapwire

import "unicode/utf8"

// Untagged data responses that carry strings or mailbox names, written in
// the Encoder's mode (UTF8: names raw and quoted strings in UTF-8; else
// names in modified UTF-7 and 8-bit strings as literals): LIST, LSUB,
// STATUS, ESEARCH, ID and NAMESPACE. See the response writers' rules in
// respwrite.go.

// ListItem is one mailbox of a LIST or LSUB response (RFC 9051 §7.3.1,
// RFC 5258 LIST-EXTENDED).
type ListItem struct {
	// Attrs are the mailbox attributes, each "\" and an atom:
	// \HasNoChildren, \Noselect, \Subscribed, \Sent (RFC 6154), ….
	Attrs [][]byte
	// Delim is the hierarchy delimiter, 0 for NIL (a flat namespace). It
	// must be a 7-bit character other than NUL, CR and LF.
	Delim byte
	// Mailbox is the name in UTF-8.
	Mailbox []byte
	// ChildInfo are the selection options some child matched, written as
	// the CHILDINFO extended item (RFC 5258 §3.5): "SUBSCRIBED". Atoms.
	ChildInfo [][]byte
	// OldName, when not nil, is the name the mailbox had before a RENAME,
	// in UTF-8, written as the OLDNAME extended item (RFC 9051 §7.3.1).
	OldName []byte
}

// AppendListData appends "* LIST (attrs) delim mailbox [(extended)]"
// CRLF, or LSUB with lsub (RFC 3501; IMAP4rev2 has no LSUB and LSUB has
// no extended items: ChildInfo and OldName are refused there).
func (e Encoder) AppendListData(dst []byte, lsub bool, l *ListItem) ([]byte, error) {
	name := "LIST ("
	if lsub {
		name = "LSUB ("
	}
	w := respStartEnc(e, dst, name)
	for i, a := range l.Attrs {
		if i > 0 {
			w.sp()
		}
		if len(a) < 2 || a[0] != '\\' || !isAtom(a[1:]) {
			w.fail(ErrInjection)
		}
		w.bytes(a)
	}
	w.raw(") ")
	w.delim(l.Delim)
	w.sp()
	w.mailbox(l.Mailbox, clAString)
	if len(l.ChildInfo) > 0 || l.OldName != nil {
		if lsub {
			w.fail(ErrInjection)
		}
		w.raw(" (")
		if len(l.ChildInfo) > 0 {
			w.raw(`"CHILDINFO" (`)
			for i, o := range l.ChildInfo {
				if i > 0 {
					w.sp()
				}
				if !isAtom(o) {
					w.fail(ErrInjection)
				}
				w.byte1('"')
				w.bytes(o)
				w.byte1('"')
			}
			w.byte1(')')
			if l.OldName != nil {
				w.sp()
			}
		}
		if l.OldName != nil {
			w.raw(`"OLDNAME" (`)
			w.mailbox(l.OldName, clAString)
			w.byte1(')')
		}
		w.byte1(')')
	}
	return w.finish()
}

// StatusValue is one item of a STATUS response.
type StatusValue struct {
	Att   StatusAtt
	Value uint64
}

// AppendStatusData appends "* STATUS mailbox (name value …)" CRLF. The
// values are checked against their grammar: MESSAGES, RECENT, UNSEEN,
// DELETED and APPENDLIMIT are 32-bit numbers, UIDNEXT and UIDVALIDITY
// non-zero 32-bit ones, SIZE, DELETED-STORAGE and HIGHESTMODSEQ 63-bit
// ones. MAILBOXID, whose value is no number, is refused (ErrInjection).
func (e Encoder) AppendStatusData(dst, mailbox []byte, items []StatusValue) ([]byte, error) {
	w := respStartEnc(e, dst, "STATUS ")
	w.mailbox(mailbox, clAString)
	w.raw(" (")
	for i, it := range items {
		if i > 0 {
			w.sp()
		}
		limit, nz := uint64(maxNumber), false
		switch it.Att {
		case StatusMessages, StatusRecent, StatusUnseen, StatusDeleted, StatusAppendLimit:
		case StatusUIDNext, StatusUIDValidity:
			nz = true
		case StatusSize, StatusDeletedStorage, StatusHighestModSeq:
			limit = maxNumber64
		default:
			w.fail(ErrInjection)
			continue
		}
		if it.Value > limit || nz && it.Value == 0 {
			w.fail(ErrInjection)
		}
		w.raw(statusNames[it.Att])
		w.sp()
		w.number(it.Value)
	}
	w.byte1(')')
	return w.finish()
}

// ESearchResult is what an ESEARCH response reports (RFC 4731, RFC 9051
// §7.3.4, RFC 7162 MODSEQ).
type ESearchResult struct {
	// Tag is the tag of the command answered, nil for an unsolicited
	// response.
	Tag []byte
	// UID is set when the numbers are UIDs (UID SEARCH).
	UID bool
	// Return says which results to write: the RETURN options asked
	// (SearchReturnSave writes nothing). COUNT is written whenever asked;
	// MIN and MAX when asked and not 0, ALL when asked and not empty, so
	// that a search that matched nothing leaves them out (RFC 4731 §3.1).
	Return   SearchReturn
	Min, Max uint32
	Count    uint32
	// All are the matching numbers, written as a compact set (see
	// AppendSeqSet); pass them sorted.
	All []uint32
	// ModSeq, when not 0, is the highest mod-sequence of the matches (RFC
	// 7162 §3.1.5); leave it 0 when nothing matched.
	ModSeq uint64
}

// AppendESearchData appends "* ESEARCH [(TAG "tag")] [UID] [MIN n] [MAX n]
// [COUNT n] [ALL set] [MODSEQ n]" CRLF.
func (e Encoder) AppendESearchData(dst []byte, r *ESearchResult) ([]byte, error) {
	w := respStartEnc(e, dst, "ESEARCH")
	if r.Tag != nil {
		if len(r.Tag) == 0 || run(r.Tag, 0, clTag) != len(r.Tag) {
			w.fail(ErrInjection)
		}
		w.raw(` (TAG "`)
		w.bytes(r.Tag)
		w.raw(`")`)
	}
	if r.UID {
		w.raw(" UID")
	}
	if r.Return&SearchReturnMin != 0 && r.Min != 0 {
		w.raw(" MIN ")
		w.number(uint64(r.Min))
	}
	if r.Return&SearchReturnMax != 0 && r.Max != 0 {
		w.raw(" MAX ")
		w.number(uint64(r.Max))
	}
	if r.Return&SearchReturnCount != 0 {
		w.raw(" COUNT ")
		w.number(uint64(r.Count))
	}
	if r.Return&SearchReturnAll != 0 && len(r.All) > 0 {
		w.raw(" ALL ")
		w.seqSet(r.All)
	}
	if r.ModSeq != 0 {
		w.raw(" MODSEQ ")
		w.nzNumber(r.ModSeq, maxNumber64)
	}
	return w.finish()
}

// AppendIDData appends "* ID (field value …)" CRLF, or "* ID NIL" for no
// pairs (RFC 2971): at most 30 pairs, fields of at most 30 octets, values
// of at most 1024 (ErrInjection beyond); a value is NIL when Nil is set.
func (e Encoder) AppendIDData(dst []byte, params []IDParam) ([]byte, error) {
	w := respStartEnc(e, dst, "ID ")
	if len(params) == 0 {
		w.raw("NIL")
		return w.finish()
	}
	if len(params) > maxIDParams {
		w.fail(ErrInjection)
	}
	w.byte1('(')
	for i, p := range params {
		if i > 0 {
			w.sp()
		}
		if len(p.Field) > 30 || len(p.Value) > 1024 {
			w.fail(ErrInjection)
		}
		w.str(p.Field)
		w.sp()
		if p.Nil {
			w.raw("NIL")
		} else {
			w.str(p.Value)
		}
	}
	w.byte1(')')
	return w.finish()
}

// Namespace is one namespace of a NAMESPACE response (RFC 2342, RFC 9051
// §7.3.5): its prefix in UTF-8 ("" for the root) and hierarchy delimiter
// (0 for NIL).
type Namespace struct {
	Prefix []byte
	Delim  byte
}

// AppendNamespaceData appends "* NAMESPACE personal other shared" CRLF,
// each an empty slice for NIL or a list of ("prefix" "delim") entries;
// prefixes are encoded like mailbox names, as strings.
func (e Encoder) AppendNamespaceData(dst []byte, personal, other, shared []Namespace) ([]byte, error) {
	w := respStartEnc(e, dst, "NAMESPACE")
	for _, ns := range [3][]Namespace{personal, other, shared} {
		w.sp()
		if len(ns) == 0 {
			w.raw("NIL")
			continue
		}
		w.byte1('(')
		for _, n := range ns {
			w.byte1('(')
			w.mailboxString(n.Prefix)
			w.sp()
			w.delim(n.Delim)
			w.byte1(')')
		}
		w.byte1(')')
	}
	return w.finish()
}

// mailboxString writes a name given in UTF-8 as a string (never an atom):
// raw in UTF-8 mode, else in modified UTF-7.
func (w *writer) mailboxString(name []byte) {
	if !utf8.Valid(name) {
		w.fail(ErrUTF7)
		return
	}
	if w.e.UTF8 {
		w.str(name)
		return
	}
	n := len(w.b)
	w.b = AppendUTF7Encode(w.b, name)
	m := len(w.b)
	w.str(w.b[n:m])
	w.b = w.b[:n+copy(w.b[n:], w.b[m:])]
}

// delim writes a hierarchy delimiter: NIL for 0, else a quoted 7-bit
// character other than NUL, CR and LF.
func (w *writer) delim(c byte) {
	switch {
	case c == 0:
		w.raw("NIL")
	case c >= 0x80 || class[c]&clText == 0:
		w.fail(ErrInjection)
	case c == '"' || c == '\\':
		w.b = append(w.b, '"', '\\', c, '"')
	default:
		w.b = append(w.b, '"', c, '"')
	}
}
