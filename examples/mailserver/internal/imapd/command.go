package imapd

import (
	"github.com/mailwire/mailwire/imapwire"
)

// greeting is the untagged OK with the capabilities.
func (ss *session) greeting() {
	ss.out = append(ss.out, "* OK [CAPABILITY "...)
	ss.out = ss.appendCaps(ss.out)
	ss.out = append(ss.out, "] "...)
	ss.out = append(ss.out, ss.srv.cfg.Hostname...)
	ss.out = append(ss.out, " IMAP ready\r\n"...)
}

// appendCaps appends the capability list for the session's state: true
// only of what the session implements.
func (ss *session) appendCaps(dst []byte) []byte {
	dst = append(dst, "IMAP4rev1 IMAP4rev2"...)
	plainOK := ss.secure || !ss.srv.cfg.RequireTLS
	if ss.tls != nil && ss.tls.Advertise() {
		dst = append(dst, " STARTTLS"...)
	}
	if ss.state == stateNotAuth {
		if plainOK {
			dst = append(dst, " AUTH=PLAIN SASL-IR"...)
		} else {
			dst = append(dst, " LOGINDISABLED"...)
		}
	}
	dst = append(dst, " LITERAL+ ENABLE ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN CREATE-SPECIAL-USE"...)
	dst = append(dst, " LIST-EXTENDED LIST-STATUS SPECIAL-USE ESEARCH MULTIAPPEND BINARY SEARCHRES CONDSTORE QRESYNC UTF8=ACCEPT"...)
	return dst
}

// command runs one decoded command; done ends the session.
func (ss *session) command(c *imapwire.Cmd) (done bool, why string) {
	tag := c.Tag
	// Any state.
	switch c.ID {
	case imapwire.CmdCapability:
		ss.out = append(ss.out, "* CAPABILITY "...)
		ss.out = ss.appendCaps(ss.out)
		ss.out = append(ss.out, "\r\n"...)
		ss.ok(tag, "", "CAPABILITY completed")
		return false, ""
	case imapwire.CmdNoop:
		if ss.sel != nil {
			ss.update(true)
		}
		ss.ok(tag, "", "NOOP completed")
		return false, ""
	case imapwire.CmdLogout:
		ss.untaggedStatus("BYE", "", "logging out")
		ss.ok(tag, "", "LOGOUT completed")
		return true, "logout"
	case imapwire.CmdID:
		ss.out = append(ss.out, `* ID ("name" "mailwire")`+"\r\n"...)
		ss.ok(tag, "", "ID completed")
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
			ss.bad(tag, "", "command not valid before login")
		}
		return false, ""
	}
	switch c.ID {
	case imapwire.CmdStartTLS, imapwire.CmdLogin, imapwire.CmdAuthenticate:
		ss.bad(tag, "", "already authenticated")
	case imapwire.CmdEnable:
		ss.enable(c)
	case imapwire.CmdNamespace:
		ss.out = append(ss.out, `* NAMESPACE (("" "/")) NIL NIL`+"\r\n"...)
		ss.ok(tag, "", "NAMESPACE completed")
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
			ss.bad(tag, "", "no mailbox selected")
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
		ss.ok(tag, "", "CHECK completed")
	case imapwire.CmdClose:
		if !ss.sel.readOnly {
			ss.expungeDeleted(nil, false)
		}
		ss.unselect()
		ss.ok(tag, "", "CLOSE completed")
	case imapwire.CmdUnselect:
		ss.unselect()
		ss.ok(tag, "", "UNSELECT completed")
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
		ss.bad(tag, "", "command not supported")
	}
}

// enable turns on the extensions RFC 5161 lets a client enable.
func (ss *session) enable(c *imapwire.Cmd) {
	ss.tmp = append(ss.tmp[:0], "* ENABLED"...)
	for _, name := range c.Enable {
		switch {
		case eqFold(name, "UTF8=ACCEPT"):
			if !ss.utf8 {
				ss.utf8 = true
				ss.r.SetUTF8(true)
				ss.tmp = append(ss.tmp, " UTF8=ACCEPT"...)
			}
		case eqFold(name, "IMAP4rev2"):
			if !ss.rev2 {
				ss.rev2 = true
				ss.utf8 = true // mailbox names in UTF-8 (RFC 9051 §5.1)
				ss.r.SetUTF8(true)
				ss.tmp = append(ss.tmp, " IMAP4rev2"...)
			}
		case eqFold(name, "CONDSTORE"):
			if !ss.condstore {
				ss.condstore = true
				ss.tmp = append(ss.tmp, " CONDSTORE"...)
			}
		case eqFold(name, "QRESYNC"):
			if !ss.qresync {
				ss.qresync, ss.condstore = true, true
				ss.tmp = append(ss.tmp, " QRESYNC"...)
			}
		}
	}
	ss.out = append(ss.out, ss.tmp...)
	ss.out = append(ss.out, "\r\n"...)
	ss.ok(c.Tag, "", "ENABLE completed")
}

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
