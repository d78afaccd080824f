package imapd

import (
	"errors"
	"strconv"

	"github.com/mailwire/mailwire/imapwire"
)

// copyCmd is COPY, MOVE and their UID forms, answered with [COPYUID].
func (ss *session) copyCmd(c *imapwire.Cmd) {
	a := &c.Copy
	tag := c.Tag
	move := c.ID == imapwire.CmdMove
	if move && ss.sel.readOnly {
		ss.no(tag, "READ-ONLY", "mailbox is read-only")
		return
	}
	if !c.UID {
		ss.update(false)
	}
	idx, ok := ss.resolve(a.Set, c.UID)
	if !ok {
		ss.bad(tag, "", "invalid message sequence number")
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
		ss.ok(tag, "", c.ID.String()+" completed (no messages)")
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
			ss.no(tag, "TRYCREATE", "no such mailbox")
			return
		}
		ss.folderError(tag, err, c.ID.String())
		return
	}
	if len(src) == 0 {
		ss.ok(tag, "", c.ID.String()+" completed (no messages)")
		return
	}
	code := "COPYUID " + strconv.FormatUint(uint64(uv), 10) + " " + string(appendSet(nil, src)) + " " + string(appendSet(nil, dst))
	if move {
		ss.untaggedStatus("OK", code, "moved")
		ss.update(true)
		ss.ok(tag, "", "MOVE completed")
		return
	}
	if ss.sel.name == dest {
		ss.update(true)
	}
	ss.ok(tag, code, "COPY completed")
}
