package imapd

import (
	"github.com/mailwire/mailwire/imapwire"
)

// greeting is the untagged OK with the capabilities.
func (ss *session) greeting() {
	code := imapwire.Code{ID: imapwire.CodeCapability, Words: ss.appendCaps(ss.caps[:0])}
	if !ss.untagged(imapwire.CondOK, code, ss.srv.cfg.Hostname+" IMAP ready") {
		ss.untagged(imapwire.CondOK, code, "IMAP ready") // a hostname resp-text cannot carry
	}
}

// The capability names, in the order the session announces them.
var (
	capsBase    = words("IMAP4rev1", "IMAP4rev2")
	capStartTLS = []byte("STARTTLS")
	capsPlain   = words("AUTH=PLAIN", "SASL-IR")
	capDisabled = []byte("LOGINDISABLED")
	capsRest    = words("LITERAL+", "ENABLE", "ID", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "CREATE-SPECIAL-USE",
		"LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "ESEARCH", "MULTIAPPEND", "BINARY", "SEARCHRES", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT")
)

func words(s ...string) [][]byte {
	w := make([][]byte, len(s))
	for i := range s {
		w[i] = []byte(s[i])
	}
	return w
}

// appendCaps appends the capability list for the session's state: true
// only of what the session implements.
func (ss *session) appendCaps(dst [][]byte) [][]byte {
	dst = append(dst, capsBase...)
	plainOK := ss.secure || !ss.srv.cfg.RequireTLS
	if ss.tls != nil && ss.tls.Advertise() {
		dst = append(dst, capStartTLS)
	}
	if ss.state == stateNotAuth {
		if plainOK {
			dst = append(dst, capsPlain...)
		} else {
			dst = append(dst, capDisabled)
		}
	}
	dst = append(dst, capsRest...)
	ss.caps = dst
	return dst
}

// idData is the server's ID (RFC 2971); namespaces its one personal
// namespace, the root with "/".
var (
	idData     = []imapwire.IDParam{{Field: []byte("name"), Value: []byte("mailwire")}}
	namespaces = []imapwire.Namespace{{Prefix: []byte{}, Delim: '/'}}
)

// command runs one decoded command; done ends the session.
func (ss *session) command(c *imapwire.Cmd) (done bool, why string) {
	tag := c.Tag
	// Any state.
	switch c.ID {
	case imapwire.CmdCapability:
		ss.put(imapwire.AppendCapabilityData(ss.out, ss.appendCaps(ss.caps[:0])))
		ss.ok(tag, noCode, "CAPABILITY completed")
		return false, ""
	case imapwire.CmdNoop:
		if ss.sel != nil {
			ss.update(true)
		}
		ss.ok(tag, noCode, "NOOP completed")
		return false, ""
	case imapwire.CmdLogout:
		ss.untagged(imapwire.CondBye, noCode, "logging out")
		ss.ok(tag, noCode, "LOGOUT completed")
		return true, "logout"
	case imapwire.CmdID:
		ss.put(ss.enc().AppendIDData(ss.out, idData))
		ss.ok(tag, noCode, "ID completed")
		return false, ""
	}
	if ss.state == stateNotAuth {
		switch c.ID {
		case imapwire.CmdStartTLS:
			return ss.starttls(tag)
		case imapwire.CmdLogin:
			ss.loginCmd(c)
		case imapwire.CmdAuthenticate:
			return ss.authenticate(c)
		default:
			ss.bad(tag, noCode, "command not valid before login")
		}
		return false, ""
	}
	switch c.ID {
	case imapwire.CmdStartTLS, imapwire.CmdLogin, imapwire.CmdAuthenticate:
		ss.bad(tag, noCode, "already authenticated")
	case imapwire.CmdEnable:
		ss.enable(c)
	case imapwire.CmdNamespace:
		ss.put(ss.enc().AppendNamespaceData(ss.out, namespaces, nil, nil))
		ss.ok(tag, noCode, "NAMESPACE completed")
	case imapwire.CmdSelect, imapwire.CmdExamine:
		ss.selectCmd(c)
	case imapwire.CmdCreate:
		ss.create(c)
	case imapwire.CmdDelete:
		ss.deleteCmd(c)
	case imapwire.CmdRename:
		ss.rename(c)
	case imapwire.CmdSubscribe, imapwire.CmdUnsubscribe:
		ss.subscribe(c)
	case imapwire.CmdList, imapwire.CmdLsub:
		ss.list(c)
	case imapwire.CmdStatus:
		ss.status(c)
	case imapwire.CmdAppend:
		return ss.appendCmd(c)
	case imapwire.CmdIdle:
		return ss.idle(tag)
	default:
		if ss.sel == nil {
			ss.bad(tag, noCode, "no mailbox selected")
			return false, ""
		}
		ss.selectedCommand(c)
	}
	return false, ""
}

// selectedCommand runs the commands of the SELECTED state.
func (ss *session) selectedCommand(c *imapwire.Cmd) {
	tag := c.Tag
	switch c.ID {
	case imapwire.CmdCheck:
		ss.update(true)
		ss.ok(tag, noCode, "CHECK completed")
	case imapwire.CmdClose:
		if !ss.sel.readOnly {
			ss.expungeDeleted(nil, false)
		}
		ss.unselect()
		ss.ok(tag, noCode, "CLOSE completed")
	case imapwire.CmdUnselect:
		ss.unselect()
		ss.ok(tag, noCode, "UNSELECT completed")
	case imapwire.CmdExpunge:
		ss.expungeCmd(c)
	case imapwire.CmdSearch:
		ss.search(c)
	case imapwire.CmdFetch:
		ss.fetch(c)
	case imapwire.CmdStore:
		ss.storeCmd(c)
	case imapwire.CmdCopy, imapwire.CmdMove:
		ss.copyCmd(c)
	default:
		ss.bad(tag, noCode, "command not supported")
	}
}

// enable turns on the extensions RFC 5161 lets a client enable.
func (ss *session) enable(c *imapwire.Cmd) {
	on := ss.caps[:0]
	for _, name := range c.Enable {
		switch {
		case eqFold(name, "UTF8=ACCEPT"):
			if !ss.utf8 {
				ss.utf8 = true
				ss.r.SetUTF8(true)
				on = append(on, capUTF8ACCEPT)
			}
		case eqFold(name, "IMAP4rev2"):
			if !ss.rev2 {
				ss.rev2 = true
				ss.utf8 = true // mailbox names in UTF-8 (RFC 9051 §5.1)
				ss.r.SetUTF8(true)
				on = append(on, capIMAP4rev2)
			}
		case eqFold(name, "CONDSTORE"):
			if !ss.condstore {
				ss.condstore = true
				on = append(on, capCONDSTORE)
			}
		case eqFold(name, "QRESYNC"):
			if !ss.qresync {
				ss.qresync, ss.condstore = true, true
				on = append(on, capQRESYNC)
			}
		}
	}
	ss.caps = on
	ss.put(imapwire.AppendEnabledData(ss.out, on))
	ss.ok(c.Tag, noCode, "ENABLE completed")
}

// The capabilities ENABLE turns on.
var (
	capUTF8ACCEPT = []byte("UTF8=ACCEPT")
	capIMAP4rev2  = []byte("IMAP4rev2")
	capCONDSTORE  = []byte("CONDSTORE")
	capQRESYNC    = []byte("QRESYNC")
)

// eqFold compares an ASCII name ignoring case.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
