package imapd

import (
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

func (ss *session) create(c *imapwire.Cmd) {
	name := strings.TrimSuffix(string(c.Create.Mailbox), "/")
	var use []string
	if c.Create.HasUse {
		for _, u := range c.Create.Use {
			cu := canonicalUse(string(u))
			if cu == "" {
				ss.no(c.Tag, codeOnly(imapwire.CodeUseAttr), "special-use attributes are \\Sent \\Drafts \\Trash \\Junk \\Archive")
				return
			}
			use = append(use, cu)
		}
	}
	if name == "" || imapwire.IsInbox([]byte(name)) {
		ss.no(c.Tag, codeOnly(imapwire.CodeAlreadyExists), "INBOX exists")
		return
	}
	if err := ss.acct.Create(name, use); err != nil {
		ss.folderError(c.Tag, err, "CREATE")
		return
	}
	ss.ok(c.Tag, noCode, "CREATE completed")
}

var uses = []string{`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`}

// canonicalUse spells a special-use attribute as RFC 6154 does; "" for
// others.
func canonicalUse(s string) string {
	for _, u := range uses {
		if strings.EqualFold(u, s) {
			return u
		}
	}
	return ""
}

func (ss *session) deleteCmd(c *imapwire.Cmd) {
	name := string(c.Mailbox)
	if imapwire.IsInbox(c.Mailbox) {
		ss.no(c.Tag, codeOnly(imapwire.CodeCannot), "INBOX cannot be deleted")
		return
	}
	if ss.sel != nil && ss.sel.name == name {
		ss.unselect()
	}
	if err := ss.acct.Delete(name); err != nil {
		ss.folderError(c.Tag, err, "DELETE")
		return
	}
	ss.ok(c.Tag, noCode, "DELETE completed")
}

func (ss *session) rename(c *imapwire.Cmd) {
	from, to := string(c.Rename.From), strings.TrimSuffix(string(c.Rename.To), "/")
	if imapwire.IsInbox(c.Rename.To) {
		ss.no(c.Tag, codeOnly(imapwire.CodeAlreadyExists), "INBOX exists")
		return
	}
	if imapwire.IsInbox(c.Rename.From) {
		from = "INBOX"
	}
	if err := ss.acct.Rename(from, to); err != nil {
		ss.folderError(c.Tag, err, "RENAME")
		return
	}
	ss.ok(c.Tag, noCode, "RENAME completed")
}

func (ss *session) subscribe(c *imapwire.Cmd) {
	name := string(c.Mailbox)
	if imapwire.IsInbox(c.Mailbox) {
		name = "INBOX"
	}
	on := c.ID == imapwire.CmdSubscribe
	if err := ss.acct.Subscribe(name, on); err != nil {
		ss.folderError(c.Tag, err, c.ID.String())
		return
	}
	ss.ok(c.Tag, noCode, c.ID.String()+" completed")
}

// list answers LIST (with LIST-EXTENDED selection and return options,
// LIST-STATUS, SPECIAL-USE) and LSUB.
func (ss *session) list(c *imapwire.Cmd) {
	a := &c.List
	lsub := c.ID == imapwire.CmdLsub
	word := "LIST"
	if lsub {
		word = "LSUB"
	}
	if len(a.Patterns) == 1 && len(a.Patterns[0]) == 0 && !a.HasSelect {
		// LIST "" "": the delimiter and the root.
		ss.put(ss.enc().AppendListData(ss.out, lsub, &imapwire.ListItem{Attrs: rootAttrs, Delim: '/', Mailbox: []byte{}}))
		ss.ok(c.Tag, noCode, word+" completed")
		return
	}
	folders, err := ss.acct.Folders()
	if err != nil {
		ss.folderError(c.Tag, err, word)
		return
	}
	subOnly := lsub || a.Select&imapwire.ListSelectSubscribed != 0
	useOnly := a.Select&imapwire.ListSelectSpecialUse != 0
	showSub := a.Return&imapwire.ListReturnSubscribed != 0 || a.Select&imapwire.ListSelectSubscribed != 0
	showUse := !a.HasReturn || a.Return&imapwire.ListReturnSpecialUse != 0 || useOnly
	ref := string(a.Reference)
	var attrs [][]byte
	for _, f := range folders {
		if subOnly && !f.Subscribed || useOnly && f.Use == "" {
			continue
		}
		matched := false
		for _, p := range a.Patterns {
			if match(ref+string(p), f.Name) {
				matched = true
				break
			}
		}
		if !matched {
			continue
		}
		attrs = attrs[:0]
		if f.NonExistent {
			attrs = append(attrs, attrNonExistent)
		} else if f.Noselect {
			attrs = append(attrs, attrNoselect)
		}
		if !lsub {
			if f.HasChildren {
				attrs = append(attrs, attrHasChildren)
			} else {
				attrs = append(attrs, attrHasNoChildren)
			}
		}
		if showSub && f.Subscribed {
			attrs = append(attrs, attrSubscribed)
		}
		if showUse && f.Use != "" && !lsub {
			attrs = append(attrs, []byte(f.Use))
		}
		if !ss.put(ss.enc().AppendListData(ss.out, lsub, &imapwire.ListItem{Attrs: attrs, Delim: '/', Mailbox: []byte(f.Name)})) {
			continue // a name the client's mode cannot carry: left out, logged
		}
		if a.Return&imapwire.ListReturnStatus != 0 && !f.Noselect && !f.NonExistent {
			ss.statusLine(f.Name, a.Status)
		}
	}
	ss.ok(c.Tag, noCode, word+" completed")
}

// The mailbox attributes LIST writes.
var (
	rootAttrs         = [][]byte{attrNoselect}
	attrNoselect      = []byte(`\Noselect`)
	attrNonExistent   = []byte(`\NonExistent`)
	attrHasChildren   = []byte(`\HasChildren`)
	attrHasNoChildren = []byte(`\HasNoChildren`)
	attrSubscribed    = []byte(`\Subscribed`)
)

// match reports whether name matches an IMAP LIST pattern: * matches
// anything, % anything but the delimiter; INBOX in any case.
func match(pattern, name string) bool {
	if strings.EqualFold(name, "INBOX") && len(pattern) >= 5 && strings.EqualFold(pattern[:5], "INBOX") {
		pattern, name = "INBOX"+pattern[5:], "INBOX"
	}
	return matchAt(pattern, name, 0)
}

func matchAt(p, n string, depth int) bool {
	if depth > 16 {
		return false
	}
	for len(p) > 0 {
		switch p[0] {
		case '*', '%':
			wild := p[0]
			p = p[1:]
			for i := 0; i <= len(n); i++ {
				if matchAt(p, n[i:], depth+1) {
					return true
				}
				if i < len(n) && wild == '%' && n[i] == '/' {
					return false
				}
			}
			return false
		default:
			if len(n) == 0 || n[0] != p[0] {
				return false
			}
			p, n = p[1:], n[1:]
		}
	}
	return len(n) == 0
}

func (ss *session) status(c *imapwire.Cmd) {
	name := string(c.Status.Mailbox)
	if ss.sel != nil && ss.sel.name == name {
		ss.update(false)
	}
	if !ss.statusLine(name, c.Status.Items) {
		ss.no(c.Tag, codeOnly(imapwire.CodeNonExistent), "no such mailbox")
		return
	}
	ss.ok(c.Tag, noCode, "STATUS completed")
}

// statusLine appends "* STATUS name (items)"; false if the folder is missing.
func (ss *session) statusLine(name string, items []imapwire.StatusAtt) bool {
	if imapwire.IsInbox([]byte(name)) {
		name = "INBOX"
	}
	st, err := ss.acct.Status(name)
	if err != nil {
		return false
	}
	var buf [16]imapwire.StatusValue
	vals := buf[:0]
	for _, it := range items {
		var v uint64
		switch it {
		case imapwire.StatusMessages:
			v = uint64(st.Messages)
		case imapwire.StatusRecent:
			v = uint64(st.Recent)
		case imapwire.StatusUIDNext:
			v = uint64(st.UIDNext)
		case imapwire.StatusUIDValidity:
			v = uint64(st.UIDValidity)
		case imapwire.StatusUnseen:
			v = uint64(st.Unseen)
		case imapwire.StatusDeleted:
			v = uint64(st.Deleted)
		case imapwire.StatusSize:
			v = uint64(st.Size)
		case imapwire.StatusHighestModSeq:
			v = max(st.HighestModSeq, 1)
		default:
			continue // APPENDLIMIT, MAILBOXID…: not offered
		}
		vals = append(vals, imapwire.StatusValue{Att: it, Value: v})
	}
	// A refused line (a name the client's mode cannot carry, a zero
	// UIDVALIDITY) is left out and logged; the folder exists all the same.
	ss.put(ss.enc().AppendStatusData(ss.out, []byte(name), vals))
	return true
}
