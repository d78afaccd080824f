package imapd

import (
	"errors"

	"github.com/mailwire/mailwire/imapwire"
)

// copyCmd is COPY, MOVE and their UID forms, answered with [COPYUID].
func (ss *session) copyCmd(c *imapwire.Cmd) {
	a := &c.Copy
	tag := c.Tag
	move := c.ID == imapwire.CmdMove
	if move && ss.sel.readOnly {
		ss.no(tag, codeOnly(imapwire.CodeReadOnly), "mailbox is read-only")
		return
	}
	if !c.UID {
		ss.update(false)
	}
	idx, ok := ss.resolve(a.Set, c.UID)
	if !ok {
		ss.bad(tag, noCode, "invalid message sequence number")
		return
	}
	var uids []uint32
	for _, i := range idx {
		if m := ss.sel.msgs[i]; !m.gone {
			uids = append(uids, m.UID)
		}
	}
	dest := string(a.Mailbox)
	if imapwire.IsInbox(a.Mailbox) {
		dest = "INBOX"
	}
	if len(uids) == 0 {
		ss.ok(tag, noCode, c.ID.String()+" completed (no messages)")
		return
	}
	var uv uint32
	var src, dst []uint32
	var err error
	if move {
		uv, src, dst, err = ss.sel.f.Move(uids, dest)
	} else {
		uv, src, dst, err = ss.sel.f.Copy(uids, dest)
	}
	if err != nil {
		if errors.Is(err, ErrNoFolder) {
			ss.no(tag, codeOnly(imapwire.CodeTryCreate), "no such mailbox")
			return
		}
		ss.folderError(tag, err, c.ID.String())
		return
	}
	if len(src) == 0 {
		ss.ok(tag, noCode, c.ID.String()+" completed (no messages)")
		return
	}
	code := imapwire.Code{ID: imapwire.CodeCopyUID, Num: uint64(uv), UIDs: src, DstUIDs: dst}
	if move {
		ss.untagged(imapwire.CondOK, code, "moved")
		ss.update(true)
		ss.ok(tag, noCode, "MOVE completed")
		return
	}
	if ss.sel.name == dest {
		ss.update(true)
	}
	ss.ok(tag, code, "COPY completed")
}
