package imapwire

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// Command writers: one Append…Command method of Encoder per command a
// client sends, each appending the whole command with its CRLF to dst.
// They take the values the [Decoder] produces ([Cmd]'s argument types),
// plain values, never wire forms: each string is written as an atom where
// the grammar takes one and it is one, else a quoted string, else a
// literal; mailbox names are encoded in modified UTF-7, or raw when UTF8 is
// set. A literal is non-synchronizing when the server's NonSync covers it
// (LITERAL+, or LITERAL- up to 4096 octets) and synchronizing otherwise:
// send such a command in the parts [CommandParts] gives, waiting for the
// server's "+" after each. A value the grammar cannot carry (a tag with
// SP, an empty set, a flag that is no atom, NUL outside literal8) fails
// with ErrInjection and dst is returned as it was. They write commands
// whatever the Encoder's Side. With room in dst they allocate nothing
// (a mailbox name is encoded in place).

// writer accumulates one command; the first error sticks.
type writer struct {
	e   Encoder
	b   []byte
	n   int // len(dst) at the start, to undo on error
	err error
}

func (e Encoder) start(dst, tag []byte, name string) writer {
	w := writer{e: e, b: dst, n: len(dst)}
	if len(tag) == 0 || run(tag, 0, clTag) != len(tag) {
		w.err = ErrInjection
		return w
	}
	w.b = append(append(append(w.b, tag...), ' '), name...)
	return w
}

// finish ends the command with CRLF, or undoes it on error.
func (w *writer) finish() ([]byte, error) {
	if w.err != nil {
		return w.b[:w.n], w.err
	}
	return append(w.b, '\r', '\n'), nil
}

func (w *writer) sp()             { w.b = append(w.b, ' ') }
func (w *writer) raw(s string)    { w.b = append(w.b, s...) }
func (w *writer) number(n uint64) { w.b = strconv.AppendUint(w.b, n, 10) }
func (w *writer) fail(err error)  { w.err = err }
func (w *writer) failed() bool    { return w.err != nil }
func (w *writer) bytes(s []byte)  { w.b = append(w.b, s...) }
func (w *writer) byte1(c byte)    { w.b = append(w.b, c) }

// uid writes "UID " for the UID form of a command.
func (w *writer) uid(uid bool) {
	if uid {
		w.raw("UID ")
	}
}

// atom writes an atom.
func (w *writer) atom(a []byte) {
	if !isAtom(a) {
		w.fail(ErrInjection)
		return
	}
	w.bytes(a)
}

// set writes a sequence set.
func (w *writer) set(s SeqSet) {
	if _, ok := ParseSeqSet(s.raw); !ok {
		w.fail(ErrInjection)
		return
	}
	w.bytes(s.raw)
}

// flag writes a flag; `\*` only when star.
func (w *writer) flag(f []byte, star bool) {
	if !star && string(f) == `\*` {
		w.fail(ErrInjection)
		return
	}
	b, err := AppendFlag(w.b, f)
	if err != nil {
		w.fail(err)
		return
	}
	w.b = b
}

// flagList writes "(" flags ")".
func (w *writer) flagList(flags [][]byte) {
	w.byte1('(')
	for i, f := range flags {
		if i > 0 {
			w.sp()
		}
		w.flag(f, false)
	}
	w.byte1(')')
}

// literal writes a literal header and data: non-synchronizing when NonSync
// covers it, literal8 when binary (NUL allowed only then).
func (w *writer) literal(s []byte, binary bool) {
	if !binary {
		for _, c := range s {
			if c == 0 {
				w.fail(ErrInjection)
				return
			}
		}
	}
	l := Literal{Size: uint64(len(s)), Binary: binary}
	l.NonSync = w.e.NonSync == LiteralPlus || (w.e.NonSync == LiteralMinus && len(s) <= 4096)
	w.b = append(AppendLiteralHeader(w.b, l), s...)
}

// str writes a string: quoted when it can be, else a literal.
func (w *writer) str(s []byte) {
	if w.e.quotable(s) {
		w.b, _ = w.e.AppendQuoted(w.b, s)
		return
	}
	w.literal(s, false)
}

// astring writes an atom when s is one (and not NIL), else a string.
func (w *writer) astring(s []byte, k uint16) {
	if len(s) > 0 && run(s, 0, k) == len(s) && !equalFold(s, "NIL") {
		w.bytes(s)
		return
	}
	w.str(s)
}

// mailbox writes a mailbox name (k clAString) or a LIST pattern (clList),
// given in UTF-8: raw in UTF-8 mode, else encoded in modified UTF-7 at the
// end of the buffer and then moved into its written form.
func (w *writer) mailbox(name []byte, k uint16) {
	if w.e.UTF8 {
		if !utf8.Valid(name) {
			w.fail(ErrUTF7)
			return
		}
		w.astring(name, k)
		return
	}
	if !utf8.Valid(name) {
		w.fail(ErrUTF7)
		return
	}
	n := len(w.b)
	w.b = AppendUTF7Encode(w.b, name)
	enc := w.b[n:]
	if len(enc) > 0 && run(enc, 0, k) == len(enc) && !equalFold(enc, "NIL") {
		return
	}
	m := len(w.b)
	w.str(w.b[n:m])
	w.b = w.b[:n+copy(w.b[n:], w.b[m:])]
}

// AppendSimpleCommand appends a command without arguments: CAPABILITY,
// NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, IDLE, NAMESPACE or
// EXPUNGE.
func (e Encoder) AppendSimpleCommand(dst, tag []byte, id CommandID) ([]byte, error) {
	switch id {
	case CmdCapability, CmdNoop, CmdLogout, CmdStartTLS, CmdCheck, CmdClose, CmdUnselect, CmdIdle, CmdNamespace, CmdExpunge:
	default:
		return dst, ErrInjection
	}
	w := e.start(dst, tag, id.String())
	return w.finish()
}

// AppendIdleDone appends "DONE" CRLF, the end of IDLE (RFC 2177).
func AppendIdleDone(dst []byte) []byte { return append(dst, "DONE\r\n"...) }

// AppendAuthResponse appends a client's answer to an AUTHENTICATE
// challenge: data in base64 and CRLF ("" CRLF for empty data).
func AppendAuthResponse(dst, data []byte) []byte {
	return append(base64.StdEncoding.AppendEncode(dst, data), '\r', '\n')
}

// AppendAuthCancel appends "*" CRLF, which cancels an AUTHENTICATE.
func AppendAuthCancel(dst []byte) []byte { return append(dst, "*\r\n"...) }

// AppendLoginCommand appends LOGIN user password.
func (e Encoder) AppendLoginCommand(dst, tag, user, password []byte) ([]byte, error) {
	w := e.start(dst, tag, "LOGIN")
	w.sp()
	w.astring(user, clAString)
	w.sp()
	w.astring(password, clAString)
	return w.finish()
}

// AppendAuthenticateCommand appends AUTHENTICATE mechanism, with the
// initial response in base64 (SASL-IR, RFC 4959; "=" when it is empty)
// when HasInitial.
func (e Encoder) AppendAuthenticateCommand(dst, tag []byte, a *AuthenticateArgs) ([]byte, error) {
	w := e.start(dst, tag, "AUTHENTICATE")
	w.sp()
	w.atom(a.Mechanism)
	if a.HasInitial {
		w.sp()
		if len(a.Initial) == 0 {
			w.byte1('=')
		} else {
			w.b = base64.StdEncoding.AppendEncode(w.b, a.Initial)
		}
	}
	return w.finish()
}

// AppendSelectCommand appends SELECT, or EXAMINE when examine, with the
// CONDSTORE and QRESYNC parameters.
func (e Encoder) AppendSelectCommand(dst, tag []byte, examine bool, a *SelectArgs) ([]byte, error) {
	name := "SELECT"
	if examine {
		name = "EXAMINE"
	}
	w := e.start(dst, tag, name)
	w.sp()
	w.mailbox(a.Mailbox, clAString)
	if !a.CondStore && !a.QResync {
		return w.finish()
	}
	w.raw(" (")
	if a.CondStore {
		w.raw("CONDSTORE")
		if a.QResync {
			w.sp()
		}
	}
	if a.QResync {
		if a.UIDValidity == 0 {
			w.fail(ErrInjection)
		}
		w.raw("QRESYNC (")
		w.number(uint64(a.UIDValidity))
		w.sp()
		w.number(a.ModSeq)
		if a.KnownUIDs.raw != nil {
			w.sp()
			w.set(a.KnownUIDs)
		}
		if a.KnownSeqs.raw != nil || a.KnownSeqUIDs.raw != nil {
			w.raw(" (")
			w.set(a.KnownSeqs)
			w.sp()
			w.set(a.KnownSeqUIDs)
			w.byte1(')')
		}
		w.byte1(')')
	}
	w.byte1(')')
	return w.finish()
}

// AppendCreateCommand appends CREATE, with USE (…) when HasUse (RFC 6154).
func (e Encoder) AppendCreateCommand(dst, tag []byte, a *CreateArgs) ([]byte, error) {
	w := e.start(dst, tag, "CREATE")
	w.sp()
	w.mailbox(a.Mailbox, clAString)
	if a.HasUse {
		w.raw(" (USE ")
		w.flagList(a.Use)
		w.byte1(')')
	}
	return w.finish()
}

// AppendMailboxCommand appends DELETE, SUBSCRIBE or UNSUBSCRIBE (or
// CREATE without parameters) and a mailbox name.
func (e Encoder) AppendMailboxCommand(dst, tag []byte, id CommandID, mailbox []byte) ([]byte, error) {
	switch id {
	case CmdDelete, CmdSubscribe, CmdUnsubscribe, CmdCreate:
	default:
		return dst, ErrInjection
	}
	w := e.start(dst, tag, id.String())
	w.sp()
	w.mailbox(mailbox, clAString)
	return w.finish()
}

// AppendRenameCommand appends RENAME from to.
func (e Encoder) AppendRenameCommand(dst, tag, from, to []byte) ([]byte, error) {
	w := e.start(dst, tag, "RENAME")
	w.sp()
	w.mailbox(from, clAString)
	w.sp()
	w.mailbox(to, clAString)
	return w.finish()
}

// AppendListCommand appends LIST with its LIST-EXTENDED options (RFC
// 5258): the selection options when HasSelect or any is set, the patterns
// in parentheses when Multiple or there is more than one, the return
// options when HasReturn or any is set.
func (e Encoder) AppendListCommand(dst, tag []byte, a *ListArgs) ([]byte, error) {
	w := e.start(dst, tag, "LIST")
	if a.HasSelect || a.Select != 0 {
		w.raw(" (")
		w.options(uint8(a.Select), listSelectNames[:])
		w.byte1(')')
	}
	w.sp()
	w.mailbox(a.Reference, clAString)
	w.sp()
	switch {
	case len(a.Patterns) == 0:
		w.fail(ErrInjection)
	case len(a.Patterns) == 1 && !a.Multiple:
		w.mailbox(a.Patterns[0], clList)
	default:
		w.byte1('(')
		for i, p := range a.Patterns {
			if i > 0 {
				w.sp()
			}
			w.mailbox(p, clList)
		}
		w.byte1(')')
	}
	if a.HasReturn || a.Return != 0 {
		w.raw(" RETURN (")
		w.options(uint8(a.Return), listReturnNames[:])
		if a.Return&ListReturnStatus != 0 {
			w.sp()
			w.statusAtts(a.Status)
		}
		w.byte1(')')
	}
	return w.finish()
}

// options writes the names of the bits set in bits, separated by SP.
func (w *writer) options(bits uint8, names []string) {
	if bits>>len(names) != 0 {
		w.fail(ErrInjection)
	}
	first := true
	for i, name := range names {
		if bits&(1<<i) != 0 {
			if !first {
				w.sp()
			}
			w.raw(name)
			first = false
		}
	}
}

// AppendLsubCommand appends LSUB reference pattern.
func (e Encoder) AppendLsubCommand(dst, tag, reference, pattern []byte) ([]byte, error) {
	w := e.start(dst, tag, "LSUB")
	w.sp()
	w.mailbox(reference, clAString)
	w.sp()
	w.mailbox(pattern, clList)
	return w.finish()
}

// statusAtts writes "(" items ")"; at least one.
func (w *writer) statusAtts(items []StatusAtt) {
	if len(items) == 0 {
		w.fail(ErrInjection)
	}
	w.byte1('(')
	for i, a := range items {
		if i > 0 {
			w.sp()
		}
		if a == 0 || int(a) >= len(statusNames) {
			w.fail(ErrInjection)
			continue
		}
		w.raw(statusNames[a])
	}
	w.byte1(')')
}

// AppendStatusCommand appends STATUS mailbox (items).
func (e Encoder) AppendStatusCommand(dst, tag []byte, a *StatusArgs) ([]byte, error) {
	w := e.start(dst, tag, "STATUS")
	w.sp()
	w.mailbox(a.Mailbox, clAString)
	w.sp()
	w.statusAtts(a.Items)
	return w.finish()
}

// AppendAppendCommand appends APPEND with one message or several
// (MULTIAPPEND, RFC 3502), each with its flags, date-time and data as a
// literal (literal8 when Binary, RFC 3516).
func (e Encoder) AppendAppendCommand(dst, tag, mailbox []byte, msgs ...AppendData) ([]byte, error) {
	w := e.start(dst, tag, "APPEND")
	w.sp()
	w.mailbox(mailbox, clAString)
	if len(msgs) == 0 {
		w.fail(ErrInjection)
	}
	for _, m := range msgs {
		w.sp()
		if len(m.Flags) > 0 {
			w.flagList(m.Flags)
			w.sp()
		}
		if m.Date != nil {
			if !validDateTime(m.Date) {
				w.fail(ErrInjection)
			}
			w.byte1('"')
			w.bytes(m.Date)
			w.raw(`" `)
		}
		w.literal(m.Data, m.Binary)
	}
	return w.finish()
}

// AppendSearchCommand appends SEARCH, or UID SEARCH, with its RETURN
// options (when HasReturn or any is set), CHARSET (when not nil) and
// terms, which must form whole keys in prefix order (see SearchArgs).
func (e Encoder) AppendSearchCommand(dst, tag []byte, uid bool, a *SearchArgs) ([]byte, error) {
	w := e.start(dst, tag, "")
	w.uid(uid)
	w.raw("SEARCH")
	if a.HasReturn || a.Return != 0 {
		w.raw(" RETURN (")
		w.options(uint8(a.Return), searchReturnNames[:])
		w.byte1(')')
	}
	if a.Charset != nil {
		w.raw(" CHARSET ")
		w.astring(a.Charset, clAString)
	}
	w.terms(a.Terms)
	return w.finish()
}

// maxWriteDepth bounds the nesting the search writer follows.
const maxWriteDepth = 128

// terms writes search terms, checking that they form whole keys.
func (w *writer) terms(terms []SearchTerm) {
	var stack [maxWriteDepth]uint8
	n := 0
	complete := func() {
		for n > 0 {
			switch stack[n-1] {
			case needOne:
				n--
				continue
			case needTwo:
				stack[n-1] = needOne
			}
			return
		}
	}
	open := false // the previous term was "("
	for _, t := range terms {
		if t.Key == SearchClose {
			if open || n == 0 || stack[n-1] != needOpen {
				w.fail(ErrInjection)
				return
			}
			w.byte1(')')
			n--
			complete()
			continue
		}
		if !open {
			w.sp()
		}
		open = false
		if !w.term(&t) {
			return
		}
		need := uint8(0)
		switch t.Key {
		case SearchNot:
			need = needOne
		case SearchOr:
			need = needTwo
		case SearchOpen:
			need, open = needOpen, true
		default:
			complete()
			continue
		}
		if n == len(stack) {
			w.fail(ErrInjection)
			return
		}
		stack[n] = need
		n++
	}
	if n != 0 || len(terms) == 0 {
		w.fail(ErrInjection)
	}
}

// term writes one key with its arguments.
func (w *writer) term(t *SearchTerm) bool {
	switch t.Key {
	case SearchSeqSet:
		w.set(t.Set)
		return !w.failed()
	case SearchOpen:
		w.byte1('(')
		return true
	}
	if int(t.Key) >= len(searchKeys) || searchKeys[t.Key].name == "" {
		w.fail(ErrInjection)
		return false
	}
	spec := searchKeys[t.Key]
	w.raw(spec.name)
	switch spec.arg {
	case 's':
		for i := range int(spec.n) {
			w.sp()
			w.astring(t.Str[i], clAString)
		}
	case 'd':
		if !validDate(t.Date) {
			w.fail(ErrInjection)
		}
		w.sp()
		w.bytes(t.Date)
	case 'n':
		w.sp()
		w.number(t.Num)
	case 'k':
		w.sp()
		w.atom(t.Atom)
	case 'u':
		w.sp()
		w.set(t.Set)
	case 'm':
		w.sp()
		if t.Atom != nil {
			if !w.e.quotable(t.Atom) {
				w.fail(ErrInjection)
			}
			w.b, _ = w.e.AppendQuoted(w.b, t.Atom)
			w.sp()
			switch {
			case equalFold(t.Type, "PRIV"), equalFold(t.Type, "SHARED"), equalFold(t.Type, "ALL"):
				w.bytes(t.Type)
			default:
				w.fail(ErrInjection)
			}
			w.sp()
		}
		w.number(t.Num)
	}
	return !w.failed()
}

// AppendFetchCommand appends FETCH, or UID FETCH, with its items (in
// parentheses when List or there are several) and the CHANGEDSINCE and
// VANISHED modifiers.
func (e Encoder) AppendFetchCommand(dst, tag []byte, uid bool, a *FetchArgs) ([]byte, error) {
	w := e.start(dst, tag, "")
	w.uid(uid)
	w.raw("FETCH ")
	w.set(a.Set)
	w.sp()
	list := a.List || len(a.Items) != 1
	if list {
		w.byte1('(')
	}
	for i := range a.Items {
		if i > 0 {
			w.sp()
		}
		w.fetchItem(&a.Items[i])
	}
	if list {
		w.byte1(')')
	}
	if a.HasChangedSince || a.Vanished {
		w.raw(" (")
		if a.HasChangedSince {
			w.raw("CHANGEDSINCE ")
			w.number(a.ChangedSince)
			if a.Vanished {
				w.sp()
			}
		}
		if a.Vanished {
			w.raw("VANISHED")
		}
		w.byte1(')')
	}
	return w.finish()
}

// fetchItem writes one data item with its section and partial.
func (w *writer) fetchItem(it *FetchItem) {
	switch it.Att {
	case FetchUnknown:
		for _, c := range it.Name {
			if c == '[' {
				w.fail(ErrInjection)
			}
		}
		w.atom(it.Name)
		return
	case FetchBodySection:
		w.raw("BODY")
	case FetchBinary, FetchBinarySize:
		w.raw(fetchNames[it.Att])
	default:
		if int(it.Att) >= len(fetchNames) {
			w.fail(ErrInjection)
			return
		}
		w.raw(fetchNames[it.Att])
		return
	}
	if it.Peek {
		if it.Att == FetchBinarySize {
			w.fail(ErrInjection)
		}
		w.raw(".PEEK")
	}
	w.byte1('[')
	s := &it.Section
	if s.Part != nil {
		if !validPart(s.Part) {
			w.fail(ErrInjection)
		}
		w.bytes(s.Part)
	}
	if s.Text != SectionAll {
		if it.Att != FetchBodySection || (s.Text == SectionMIME && s.Part == nil) {
			w.fail(ErrInjection)
		}
		if s.Part != nil {
			w.byte1('.')
		}
		w.raw(sectionTextNames[min(int(s.Text), len(sectionTextNames)-1)])
		if s.Text == SectionHeaderFields || s.Text == SectionHeaderFieldsNot {
			w.raw(" (")
			n := 0
			for v := s.Fields; v.More(); n++ {
				t, ok := v.Next()
				if !ok {
					w.fail(ErrInjection)
					break
				}
				if n > 0 {
					w.sp()
				}
				w.valueToken(t)
			}
			if n == 0 {
				w.fail(ErrInjection)
			}
			w.byte1(')')
		}
	}
	w.byte1(']')
	if it.Partial && it.Att != FetchBinarySize {
		w.byte1('<')
		w.number(uint64(it.Offset))
		if it.Count > 0 {
			w.byte1('.')
			w.number(uint64(it.Count))
		}
		w.byte1('>')
	}
}

var sectionTextNames = [...]string{"", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"}

// validPart checks a section part: nz-numbers joined by ".".
func validPart(p []byte) bool {
	i := 0
	for {
		e := run(p, i, clDigit)
		if v, ok := parseUint(p[i:e], maxNumber); !ok || v == 0 {
			return false
		}
		if e == len(p) {
			return true
		}
		if p[e] != '.' {
			return false
		}
		i = e + 1
	}
}

// valueToken writes a header field name as the Values cursor gave it: an
// atom or a quoted string as they were, a literal's data as a string.
func (w *writer) valueToken(t Token) {
	switch t.Kind {
	case KindAtom:
		w.astring(t.Bytes, clAString)
	case KindQuoted:
		w.byte1('"')
		w.bytes(t.Bytes)
		w.byte1('"')
	case KindLiteral:
		w.str(t.Bytes)
	default:
		w.fail(ErrInjection)
	}
}

// AppendStoreCommand appends STORE, or UID STORE, with UNCHANGEDSINCE when
// HasUnchangedSince; the flags in parentheses when List or there are none.
func (e Encoder) AppendStoreCommand(dst, tag []byte, uid bool, a *StoreArgs) ([]byte, error) {
	w := e.start(dst, tag, "")
	w.uid(uid)
	w.raw("STORE ")
	w.set(a.Set)
	w.sp()
	if a.HasUnchangedSince {
		w.raw("(UNCHANGEDSINCE ")
		w.number(a.UnchangedSince)
		w.raw(") ")
	}
	switch a.Op {
	case '+', '-':
		w.byte1(a.Op)
	case '=', 0:
	default:
		w.fail(ErrInjection)
	}
	w.raw("FLAGS")
	if a.Silent {
		w.raw(".SILENT")
	}
	w.sp()
	if a.List || len(a.Flags) == 0 {
		w.flagList(a.Flags)
	} else {
		for i, f := range a.Flags {
			if i > 0 {
				w.sp()
			}
			w.flag(f, false)
		}
	}
	return w.finish()
}

// AppendCopyCommand appends COPY or MOVE (id CmdCopy or CmdMove), or their
// UID forms.
func (e Encoder) AppendCopyCommand(dst, tag []byte, id CommandID, uid bool, a *CopyArgs) ([]byte, error) {
	if id != CmdCopy && id != CmdMove {
		return dst, ErrInjection
	}
	w := e.start(dst, tag, "")
	w.uid(uid)
	w.raw(id.String())
	w.sp()
	w.set(a.Set)
	w.sp()
	w.mailbox(a.Mailbox, clAString)
	return w.finish()
}

// AppendUIDExpungeCommand appends UID EXPUNGE set (RFC 4315).
func (e Encoder) AppendUIDExpungeCommand(dst, tag []byte, set SeqSet) ([]byte, error) {
	w := e.start(dst, tag, "UID EXPUNGE ")
	w.set(set)
	return w.finish()
}

// AppendEnableCommand appends ENABLE and one or more capability names.
func (e Encoder) AppendEnableCommand(dst, tag []byte, caps ...[]byte) ([]byte, error) {
	w := e.start(dst, tag, "ENABLE")
	if len(caps) == 0 {
		w.fail(ErrInjection)
	}
	for _, c := range caps {
		w.sp()
		w.atom(c)
	}
	return w.finish()
}

// AppendIDCommand appends ID with its field-value pairs, NIL for none
// (RFC 2971, at most 30).
func (e Encoder) AppendIDCommand(dst, tag []byte, params []IDParam) ([]byte, error) {
	w := e.start(dst, tag, "ID ")
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

// AppendCompressCommand appends COMPRESS mechanism (RFC 4978).
func (e Encoder) AppendCompressCommand(dst, tag, mechanism []byte) ([]byte, error) {
	w := e.start(dst, tag, "COMPRESS ")
	w.atom(mechanism)
	return w.finish()
}

// AppendCommand appends the command c describes, as a Decoder gave it or
// as a client filled it in: it dispatches to the writer of c.ID. APPEND
// carries message data the Cmd does not hold: use AppendAppendCommand.
func (e Encoder) AppendCommand(dst []byte, c *Cmd) ([]byte, error) {
	switch c.ID {
	case CmdCapability, CmdNoop, CmdLogout, CmdStartTLS, CmdCheck, CmdClose, CmdUnselect, CmdIdle, CmdNamespace:
		return e.AppendSimpleCommand(dst, c.Tag, c.ID)
	case CmdExpunge:
		if c.UID {
			return e.AppendUIDExpungeCommand(dst, c.Tag, c.Expunge.Set)
		}
		return e.AppendSimpleCommand(dst, c.Tag, c.ID)
	case CmdLogin:
		return e.AppendLoginCommand(dst, c.Tag, c.Login.User, c.Login.Password)
	case CmdAuthenticate:
		return e.AppendAuthenticateCommand(dst, c.Tag, &c.Authenticate)
	case CmdSelect, CmdExamine:
		return e.AppendSelectCommand(dst, c.Tag, c.ID == CmdExamine, &c.Select)
	case CmdCreate:
		return e.AppendCreateCommand(dst, c.Tag, &c.Create)
	case CmdDelete, CmdSubscribe, CmdUnsubscribe:
		return e.AppendMailboxCommand(dst, c.Tag, c.ID, c.Mailbox)
	case CmdRename:
		return e.AppendRenameCommand(dst, c.Tag, c.Rename.From, c.Rename.To)
	case CmdList:
		return e.AppendListCommand(dst, c.Tag, &c.List)
	case CmdLsub:
		if len(c.List.Patterns) != 1 {
			return dst, ErrInjection
		}
		return e.AppendLsubCommand(dst, c.Tag, c.List.Reference, c.List.Patterns[0])
	case CmdStatus:
		return e.AppendStatusCommand(dst, c.Tag, &c.Status)
	case CmdSearch:
		return e.AppendSearchCommand(dst, c.Tag, c.UID, &c.Search)
	case CmdFetch:
		return e.AppendFetchCommand(dst, c.Tag, c.UID, &c.Fetch)
	case CmdStore:
		return e.AppendStoreCommand(dst, c.Tag, c.UID, &c.Store)
	case CmdCopy, CmdMove:
		return e.AppendCopyCommand(dst, c.Tag, c.ID, c.UID, &c.Copy)
	case CmdEnable:
		return e.AppendEnableCommand(dst, c.Tag, c.Enable...)
	case CmdID:
		return e.AppendIDCommand(dst, c.Tag, c.IDParams)
	case CmdCompress:
		return e.AppendCompressCommand(dst, c.Tag, c.Compress)
	}
	return dst, ErrInjection
}
