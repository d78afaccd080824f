package imapwire

import "unicode/utf8"

// Errors of the command decoder. Each unwraps to ErrSyntax, so [ReplyFor]
// answers BAD and the connection goes on; [AppendCommandError] writes the
// reply with a precise text.
var (
	// ErrUnsupportedCommand: a command this package knows but the decoder
	// does not decode (GETQUOTA, SORT, …). Its arguments are left unread:
	// a server that implements it reads them from the Reader, and the next
	// Decode skips them otherwise. Unknown names are ErrUnknownCommand.
	ErrUnsupportedCommand error = &cmdError{"command not supported", "Command not supported"}
	// ErrUnknownOption: a SELECT, CREATE, LIST, SEARCH RETURN or FETCH
	// parameter or option the decoder does not know.
	ErrUnknownOption error = &cmdError{"unknown command option", "Unknown option"}
	// ErrTooMany: more items than the grammar allows (ID takes at most 30
	// pairs, RFC 2971).
	ErrTooMany error = &cmdError{"too many items", "Too many items"}
	// ErrSyncLiteralRefused: a synchronizing literal in an argument, with
	// no [Decoder.Continue] to send the continuation request. The client
	// never sent its data; the command ends there.
	ErrSyncLiteralRefused error = &cmdError{"synchronizing literal refused", "Synchronizing literal refused"}
)

// Bounds of the decoder's storage per command: a SEARCH with more terms or
// a FETCH with more items fails with ErrTooMany. A term takes more memory
// than the octets that carry it, so the bound keeps a command's footprint
// near its size on the wire.
const (
	MaxSearchTerms = 1024
	MaxFetchItems  = 256
)

// cmdError is a sentinel of the decoder that is also an ErrSyntax.
type cmdError struct{ msg, text string }

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return ErrSyntax }

// Decoder decodes whole commands on the server side: one [Decoder.Decode]
// reads the tag, the name and every argument into a typed [Cmd] whose
// views (byte slices into the Reader's buffer or into the Decoder's
// scratch) stay valid until the next Decode. String values are unescaped,
// literals taken inline, mailbox names decoded to UTF-8 (from modified
// UTF-7 unless the Reader is in UTF-8 mode, [Reader.SetUTF8]). After the first commands have grown the
// scratch, decoding allocates nothing.
//
// Literals inside arguments (LOGIN {5}, a SEARCH string) are checked
// against Limits.MaxInlineLiteral and the room left in Limits.MaxMessage
// before anything is answered: one that cannot be held is rejected
// (ErrLiteralTooLarge, "NO [TOOBIG]"), and a synchronizing one that can is
// handed to Continue, which writes the server's "+" (or refuses it).
// APPEND's message literals are not taken inline: Decode returns with the
// first one open, for the server to accept and stream, reject or discard,
// and [Decoder.NextMessage] reads the next (MULTIAPPEND).
//
// Two commands go on past their line, on the Reader: after IDLE the
// server writes its "+" and waits for [Reader.ReadIdleDone]; after
// AUTHENTICATE it exchanges challenges with [Reader.ReadAuthLine] and
// [DecodeSASL]. A name of Options.ExtraCommands comes back with ID
// CmdUnknown and its arguments unread, for the server to read.
//
// The Decoder's storage grows with the commands it sees and is kept; it
// is bounded by the limits and by MaxSearchTerms and MaxFetchItems, past
// which a command fails with ErrTooMany.
//
// On an error the Cmd still carries the tag (when it was read), a literal
// left open by the error has been rejected (its data drained exactly if it
// was on its way), and the next Decode skips what is left of the command.
type Decoder struct {
	r *Reader

	// Continue is called for a synchronizing literal in an argument once
	// the decoder knows it can hold it, before its data is read: it writes
	// the continuation request ("+ Ready" CRLF, flushed) and returns nil,
	// or returns an error to refuse the literal, which Decode then returns.
	// A nil Continue refuses every synchronizing literal
	// (ErrSyncLiteralRefused). Non-synchronizing literals within the
	// limits are taken without a call.
	Continue func(Literal) error

	cmd     Cmd
	scratch []byte
	bufs    [][]byte
	items   []FetchItem
	terms   []SearchTerm
	stats   []StatusAtt
	ids     []IDParam
	stack   []uint8
}

// NewDecoder returns a Decoder of the commands r reads; r must be a
// ServerSide Reader.
func NewDecoder(r *Reader) *Decoder { return &Decoder{r: r} }

// Reader returns the Reader the Decoder reads, for the literal of an
// APPEND (Accept, LiteralReader, Discard, Reject) and for IDLE's DONE and
// AUTHENTICATE's answers (ReadIdleDone, ReadAuthLine).
func (d *Decoder) Reader() *Reader { return d.r }

// Pending returns the literal that is open, if any: after Decode or
// NextMessage of an APPEND, the message's literal (size, synchronizing or
// not, literal8).
func (d *Decoder) Pending() (Literal, bool) { return d.r.Literal() }

// Decode reads the next command and all its arguments. The returned Cmd
// is owned by the Decoder and valid until the next Decode; only the field
// of its ID is set (Login for LOGIN, Select for SELECT and EXAMINE …).
func (d *Decoder) Decode() (*Cmd, error) {
	d.scratch, d.bufs, d.items, d.terms = d.scratch[:0], d.bufs[:0], d.items[:0], d.terms[:0]
	d.stats, d.ids, d.stack = d.stats[:0], d.ids[:0], d.stack[:0]
	d.clear()
	d.cmd.Command = Command{}
	if err := d.r.readCommand(&d.cmd.Command); err != nil {
		return &d.cmd, d.fail(err)
	}
	if err := d.args(&d.cmd); err != nil {
		return &d.cmd, d.fail(err)
	}
	return &d.cmd, nil
}

// clear zeroes the field the previous command filled in, which is
// cheaper than zeroing the whole Cmd.
func (d *Decoder) clear() {
	c := &d.cmd
	switch c.ID {
	case CmdExpunge:
		c.Expunge = ExpungeArgs{}
	case CmdLogin:
		c.Login = LoginArgs{}
	case CmdAuthenticate:
		c.Authenticate = AuthenticateArgs{}
	case CmdSelect, CmdExamine:
		c.Select = SelectArgs{}
	case CmdCreate:
		c.Create = CreateArgs{}
	case CmdDelete, CmdSubscribe, CmdUnsubscribe:
		c.Mailbox = nil
	case CmdRename:
		c.Rename = RenameArgs{}
	case CmdList, CmdLsub:
		c.List = ListArgs{}
	case CmdStatus:
		c.Status = StatusArgs{}
	case CmdAppend:
		c.Append = AppendArgs{}
	case CmdSearch:
		c.Search = SearchArgs{}
	case CmdFetch:
		c.Fetch = FetchArgs{}
	case CmdStore:
		c.Store = StoreArgs{}
	case CmdCopy, CmdMove:
		c.Copy = CopyArgs{}
	case CmdEnable:
		c.Enable = nil
	case CmdID:
		c.IDParams = nil
	case CmdCompress:
		c.Compress = nil
	}
}

// fail rejects a literal that an error left open, so no command reads its
// data, and returns err (or the error of the rejection).
func (d *Decoder) fail(err error) error {
	if _, open := d.r.Literal(); open {
		if rerr := d.r.Reject(); rerr != nil {
			return rerr
		}
	}
	return err
}

// args decodes the arguments of c.
func (d *Decoder) args(c *Cmd) error {
	r := d.r
	switch c.ID {
	case CmdCapability, CmdNoop, CmdLogout, CmdStartTLS, CmdCheck, CmdClose, CmdUnselect, CmdIdle, CmdNamespace:
		return r.End()
	case CmdExpunge:
		if c.UID {
			if err := r.SP(); err != nil {
				return err
			}
			s, err := r.SeqSet()
			if err != nil {
				return err
			}
			c.Expunge.Set = s
		}
		return r.End()
	case CmdLogin:
		return d.login(&c.Login)
	case CmdAuthenticate:
		return d.authenticate(&c.Authenticate)
	case CmdSelect, CmdExamine:
		return d.selectArgs(&c.Select)
	case CmdCreate:
		return d.create(&c.Create)
	case CmdDelete, CmdSubscribe, CmdUnsubscribe:
		v, err := d.mailbox()
		c.Mailbox = v
		if err != nil {
			return err
		}
		return r.End()
	case CmdRename:
		return d.rename(&c.Rename)
	case CmdList:
		return d.list(&c.List)
	case CmdLsub:
		return d.lsub(&c.List)
	case CmdStatus:
		return d.status(&c.Status)
	case CmdAppend:
		return d.appendFirst(&c.Append)
	case CmdSearch:
		return d.search(&c.Search)
	case CmdFetch:
		return d.fetch(&c.Fetch)
	case CmdStore:
		return d.store(&c.Store)
	case CmdCopy, CmdMove:
		return d.copyArgs(&c.Copy)
	case CmdEnable:
		return d.enable(c)
	case CmdID:
		return d.id(c)
	case CmdCompress:
		return d.compress(c)
	}
	if c.ID == CmdUnknown {
		return nil // a name of Options.ExtraCommands: the caller reads its arguments
	}
	return syntaxErr(ErrUnsupportedCommand, r.offset(r.p), "")
}

// unquote appends the unescaped quoted content q to the scratch and
// returns it.
func (d *Decoder) unquote(q []byte) []byte {
	n := len(d.scratch)
	d.scratch = AppendUnquoted(d.scratch, q)
	return d.scratch[n:len(d.scratch):len(d.scratch)]
}

// value turns a string token into its value: a literal is taken inline
// (see Decoder), a quoted string with escapes unescaped into the scratch.
func (d *Decoder) value(t Token, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	switch t.Kind {
	case KindLiteral:
		return d.inline(t.Literal)
	case KindQuoted:
		if t.Escaped {
			return d.unquote(t.Bytes), nil
		}
	case KindNil:
		return nil, nil
	}
	return t.Bytes, nil
}

// inline takes the open literal lit into the buffer, after checking that
// it fits and, for a synchronizing one, asking Continue.
func (d *Decoder) inline(lit Literal) ([]byte, error) {
	r := d.r
	off := r.offset(r.next)
	if lit.Size > uint64(r.lim.MaxInlineLiteral) || uint64(r.msgBytes)+lit.Size > uint64(r.lim.MaxMessage) {
		return nil, syntaxErr(ErrLiteralTooLarge, off, "")
	}
	if !lit.NonSync {
		if d.Continue == nil {
			return nil, syntaxErr(ErrSyncLiteralRefused, off, "")
		}
		if err := d.Continue(lit); err != nil {
			return nil, err
		}
		if err := r.Accept(); err != nil {
			return nil, err
		}
	}
	return r.Inline()
}

// astring reads SP and an astring's value.
func (d *Decoder) astring() ([]byte, error) {
	r := d.r
	if err := r.cur(); err != nil {
		return nil, err
	}
	if r.p == r.end || r.buf[r.p] != ' ' {
		return nil, r.expected("SP")
	}
	r.p++
	return d.astringValue()
}

// astringValue reads an astring's value. Atoms and quoted strings are read
// here in one pass, by the rules of Reader.AString; a literal, and every
// error, goes through AString itself.
func (d *Decoder) astringValue() ([]byte, error) {
	r := d.r
	if err := r.cur(); err != nil {
		return nil, err
	}
	b := r.buf[:r.end]
	p := r.p
	if e := run(b, p, clAString); e > p {
		r.p = e
		return b[p:e], nil
	}
	if v, esc, ok := d.quoted(); ok {
		if esc {
			return d.unquote(v), nil
		}
		return v, nil
	}
	return d.value(r.AString())
}

// quoted reads a well-formed quoted string at the tokenizer's position, by
// the rules of Reader.String, and returns its content; ok is false, and
// nothing is consumed, for anything else.
func (d *Decoder) quoted() (v []byte, esc, ok bool) {
	r := d.r
	b := r.buf[:r.end]
	p := r.p
	if p >= len(b) || b[p] != '"' {
		return nil, false, false
	}
	plain := &quotedASCII
	if r.utf8 {
		plain = &quotedPlain
	}
	e, esc, ok := lexQuotedIn(b, p, plain)
	if !ok || r.utf8 && !utf8.Valid(b[p+1:e]) {
		return nil, false, false
	}
	r.p = e + 1
	return b[p+1 : e], esc, true
}

// mailbox reads SP and a mailbox name, decoded to UTF-8.
func (d *Decoder) mailbox() ([]byte, error) {
	v, err := d.astring()
	if err != nil {
		return nil, err
	}
	return d.mailboxName(v)
}

// mailboxName decodes a mailbox name or LIST pattern from its wire form:
// checked as UTF-8 in UTF-8 mode, else decoded from modified UTF-7 (the
// wire form itself when it holds no "&").
func (d *Decoder) mailboxName(v []byte) ([]byte, error) {
	if d.r.UTF8() {
		if !utf8.Valid(v) {
			return nil, syntaxErr(ErrInvalidUTF8, d.r.offset(d.r.p), "UTF-8 mailbox name")
		}
		return v, nil
	}
	if run(v, 0, clMbox7) == len(v) {
		return v, nil // the wire form is the name
	}
	n := len(d.scratch)
	out, err := AppendUTF7Decode(d.scratch, v)
	if err != nil {
		d.scratch = d.scratch[:n]
		return nil, syntaxErr(ErrUTF7, d.r.offset(d.r.p), "modified UTF-7 mailbox name")
	}
	d.scratch = out
	return d.scratch[n:len(d.scratch):len(d.scratch)], nil
}

// flags turns a list of flags into views in the Decoder's storage;
// `\*` is refused unless star.
func (d *Decoder) flags(v Values, star bool) ([][]byte, error) {
	n := len(d.bufs)
	for v.More() {
		t, ok := v.Next()
		if !ok || !isFlag(t, star) {
			return nil, d.r.expected("flag")
		}
		d.bufs = append(d.bufs, t.Bytes)
	}
	if v.Err() != nil {
		return nil, d.r.expected("flag")
	}
	return d.bufs[n:len(d.bufs):len(d.bufs)], nil
}

// paren consumes "(" if it comes next.
func (d *Decoder) paren() bool {
	if d.r.Peek() != '(' {
		return false
	}
	d.r.p++
	return true
}

// spOrClose consumes SP and reports true, or consumes ")" and reports
// false; anything else is an error.
func (d *Decoder) spOrClose() (bool, error) {
	r := d.r
	if err := r.cur(); err != nil {
		return false, err
	}
	if r.p < r.end {
		switch r.buf[r.p] {
		case ' ':
			r.p++
			return true, nil
		case ')':
			r.p++
			return false, nil
		}
	}
	return false, r.expected("SP or )")
}

// optional consumes SP when more arguments follow on the line.
func (d *Decoder) more() bool {
	if d.r.Peek() != ' ' {
		return false
	}
	d.r.p++
	return true
}
