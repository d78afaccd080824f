package imapwire

// CommandID names a command. The names come from RFC 9051, RFC 3501 and
// the common extensions; anything else is CmdUnknown with its Name kept
// (and ErrUnknownCommand, unless Options.ExtraCommands names it).
type CommandID uint8

// Commands.
const (
	CmdUnknown      CommandID = iota
	CmdAppend                 // RFC 9051
	CmdAuthenticate           // RFC 9051 (SASL-IR, RFC 4959)
	CmdCapability             // RFC 9051
	CmdCheck                  // RFC 3501
	CmdClose                  // RFC 9051
	CmdCompress               // RFC 4978
	CmdCopy                   // RFC 9051
	CmdCreate                 // RFC 9051
	CmdDelete                 // RFC 9051
	CmdEnable                 // RFC 5161
	CmdExamine                // RFC 9051
	CmdExpunge                // RFC 9051; UID EXPUNGE: RFC 4315
	CmdFetch                  // RFC 9051
	CmdGetMetadata            // RFC 5464
	CmdGetQuota               // RFC 9208
	CmdGetQuotaRoot           // RFC 9208
	CmdID                     // RFC 2971
	CmdIdle                   // RFC 2177
	CmdList                   // RFC 9051, RFC 5258
	CmdLogin                  // RFC 9051
	CmdLogout                 // RFC 9051
	CmdLsub                   // RFC 3501
	CmdMove                   // RFC 6851
	CmdNamespace              // RFC 2342
	CmdNoop                   // RFC 9051
	CmdRename                 // RFC 9051
	CmdSearch                 // RFC 9051
	CmdSelect                 // RFC 9051
	CmdSetMetadata            // RFC 5464
	CmdSetQuota               // RFC 9208
	CmdSort                   // RFC 5256
	CmdStartTLS               // RFC 9051
	CmdStatus                 // RFC 9051
	CmdStore                  // RFC 9051
	CmdSubscribe              // RFC 9051
	CmdThread                 // RFC 5256
	CmdUnselect               // RFC 3691
	CmdUnsubscribe            // RFC 9051
)

var commandNames = [...]string{
	CmdUnknown: "", CmdAppend: "APPEND", CmdAuthenticate: "AUTHENTICATE", CmdCapability: "CAPABILITY",
	CmdCheck: "CHECK", CmdClose: "CLOSE", CmdCompress: "COMPRESS", CmdCopy: "COPY", CmdCreate: "CREATE",
	CmdDelete: "DELETE", CmdEnable: "ENABLE", CmdExamine: "EXAMINE", CmdExpunge: "EXPUNGE",
	CmdFetch: "FETCH", CmdGetMetadata: "GETMETADATA", CmdGetQuota: "GETQUOTA",
	CmdGetQuotaRoot: "GETQUOTAROOT", CmdID: "ID", CmdIdle: "IDLE", CmdList: "LIST", CmdLogin: "LOGIN",
	CmdLogout: "LOGOUT", CmdLsub: "LSUB", CmdMove: "MOVE", CmdNamespace: "NAMESPACE", CmdNoop: "NOOP",
	CmdRename: "RENAME", CmdSearch: "SEARCH", CmdSelect: "SELECT", CmdSetMetadata: "SETMETADATA",
	CmdSetQuota: "SETQUOTA", CmdSort: "SORT", CmdStartTLS: "STARTTLS", CmdStatus: "STATUS",
	CmdStore: "STORE", CmdSubscribe: "SUBSCRIBE", CmdThread: "THREAD", CmdUnselect: "UNSELECT",
	CmdUnsubscribe: "UNSUBSCRIBE",
}

// String returns the command's name in upper case.
func (c CommandID) String() string {
	if int(c) < len(commandNames) && c != CmdUnknown {
		return commandNames[c]
	}
	return "UNKNOWN"
}

// commandIndex finds commands by name.
var commandIndex = newFoldIndex(uint8(CmdAppend), uint8(len(commandNames)-1), func(id uint8) string { return commandNames[id] })

// lookupCommand finds the command named name, ignoring case.
func lookupCommand(name []byte) CommandID {
	if !isAtom(name) {
		return CmdUnknown
	}
	return CommandID(commandIndex.lookup(name, 0, len(name)))
}

// keyUID is the folded key of "UID".
const keyUID = 'u' | 'i'<<8 | 'd'<<16

// uidCommand reports whether UID may prefix c (RFC 9051, RFC 4315, RFC
// 6851, RFC 5256).
func uidCommand(c CommandID) bool {
	switch c {
	case CmdCopy, CmdMove, CmdFetch, CmdSearch, CmdStore, CmdExpunge, CmdSort, CmdThread:
		return true
	}
	return false
}

// Command is a command's tag and name; its arguments follow on the Reader,
// each after an SP, and End closes it. Views are valid for the message.
type Command struct {
	Tag  []byte
	Name []byte // the name as sent; for UID commands the name after UID
	ID   CommandID
	UID  bool // the command was prefixed with UID
}

// ReadCommand starts the next command (server side) and reads its tag and
// name. On a syntax error Tag is set when it could be read, so the server
// can answer "tag BAD" (or "* BAD" without one).
//
// A name this package does not know, and Options.ExtraCommands does not
// name, is an error matching ErrUnknownCommand (ReplyFor: "tag BAD Unknown
// command", not fatal): Tag and Name say what came, ID is CmdUnknown, and
// the rest of the command, a non-synchronizing literal's data included,
// has been consumed, so the next ReadCommand reads the next command. A name
// in ExtraCommands comes back as CmdUnknown without error, its arguments
// left for the caller.
func (r *Reader) ReadCommand() (Command, error) {
	var c Command
	err := r.readCommand(&c)
	return c, err
}

// readCommand is ReadCommand into c, which must be zero.
func (r *Reader) readCommand(c *Command) error {
	if err := r.begin(); err != nil {
		return err
	}
	b := r.buf[:r.end]
	p := r.p
	e := run(b, p, clTag)
	if e == p {
		return r.expected("tag")
	}
	if e-p > r.lim.MaxTagLen {
		return syntaxErr(ErrTagTooLong, 0, "")
	}
	c.Tag = b[p:e]
	if e == len(b) || b[e] != ' ' {
		r.p = e
		return r.expected("SP")
	}
	p = e + 1
	e = run(b, p, clAtom)
	r.p = p
	if e == p {
		return r.expected("command name")
	}
	c.Name = b[p:e]
	r.p = e
	if k1, k2 := foldKey(r.buf, p, e-p); e-p != 3 || k1 != keyUID {
		if e-p <= 16 {
			c.ID = CommandID(commandIndex.lookupKey(k1, k2, e-p))
		}
	} else {
		if e == len(b) || b[e] != ' ' {
			return r.expected("SP")
		}
		p = e + 1
		e = run(b, p, clAtom)
		r.p = p
		if e == p {
			return r.expected("command name")
		}
		r.p = e
		c.Name, c.ID, c.UID = b[p:e], CommandID(commandIndex.lookup(r.buf, p, e-p)), true
		if c.ID != CmdUnknown && !uidCommand(c.ID) {
			return r.expected("command that takes UID")
		}
	}
	if c.ID == CmdUnknown && (c.UID || !r.extraCommand(c.Name)) {
		off := r.offset(r.p - len(c.Name))
		if err := r.skip(); err != nil {
			return err
		}
		return syntaxErr(ErrUnknownCommand, off, "a known command")
	}
	return nil
}

// extraCommand reports whether Options.ExtraCommands names name.
func (r *Reader) extraCommand(name []byte) bool {
	for _, x := range r.extra {
		if len(x) == len(name) && equalFoldBoth(name, x) {
			return true
		}
	}
	return false
}

// equalFoldBoth compares s and w, both of the same length, ignoring the
// ASCII case of both.
func equalFoldBoth(s []byte, w string) bool {
	for i := range len(w) {
		a, b := s[i], w[i]
		if a >= 'a' && a <= 'z' {
			a -= 'a' - 'A'
		}
		if b >= 'a' && b <= 'z' {
			b -= 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// Mailbox reads a mailbox name (an astring; a literal is opened) and checks
// it in the Reader's UTF-8 mode ([Reader.SetUTF8]): modified UTF-7 (else
// ErrUTF7) when it is off, UTF-8 when it is on. Decode it with
// [Reader.AppendMailboxName], which checks an inlined literal too; IsInbox
// tells INBOX in any case.
func (r *Reader) Mailbox() (Token, error) {
	off := r.offset(r.p)
	var t Token
	if err := r.astringTo(&t); err != nil {
		return t, err
	}
	return t, r.checkMailbox(&t, off)
}

// ListMailbox reads a LIST pattern, list-char atoms (with % and *) or a
// string, checked as Mailbox checks a name.
func (r *Reader) ListMailbox() (Token, error) {
	if err := r.cur(); err != nil {
		return Token{}, err
	}
	off := r.offset(r.p)
	if e := run(r.line(), r.p, clList); e > r.p {
		t := Token{Kind: KindAtom, Bytes: r.buf[r.p:e]}
		r.p = e
		return t, r.checkMailbox(&t, off)
	}
	var t Token
	if err := r.strTo(&t, false); err != nil {
		return t, err
	}
	return t, r.checkMailbox(&t, off)
}

// ReadIdleDone reads the line that ends IDLE: DONE, in any case, and
// nothing else (RFC 2177).
func (r *Reader) ReadIdleDone() error {
	if err := r.begin(); err != nil {
		return err
	}
	if !r.Keyword("DONE") {
		return r.expected("DONE")
	}
	return r.End()
}

// ReadAuthLine reads a client's answer to an AUTHENTICATE challenge: base64
// text, returned undecoded (decode it with encoding/base64), or "*", which
// cancels (ErrAuthCanceled). The line is never taken for a literal.
func (r *Reader) ReadAuthLine() ([]byte, error) {
	if err := r.begin(); err != nil {
		return nil, err
	}
	b := r.buf[r.p:r.end]
	r.p, r.text = r.end, true
	r.st = stIdle
	if len(b) == 1 && b[0] == '*' {
		return nil, ErrAuthCanceled
	}
	if !isBase64(b) {
		return nil, syntaxErr(ErrSyntax, 0, "base64")
	}
	return b, nil
}

// isBase64 reports whether b is base64 text with padding only at its end.
func isBase64(b []byte) bool {
	if len(b)%4 != 0 {
		return false
	}
	pad := 0
	for i, c := range b {
		switch {
		case c == '=':
			if i < len(b)-2 {
				return false
			}
			pad++
		case pad > 0:
			return false
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
