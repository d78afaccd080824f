package imapd

import (
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

// storeCmd changes flags (STORE, UID STORE; +/-FLAGS, .SILENT,
// UNCHANGEDSINCE).
func (ss *session) storeCmd(c *imapwire.Cmd) {
	a := &c.Store
	tag := c.Tag
	if ss.sel.readOnly {
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
	var flags []string
	for _, f := range a.Flags {
		s := string(f)
		if strings.HasPrefix(s, `\`) {
			if s = canonicalFlag(s); s == "" {
				continue // \Recent and unknown system flags cannot be stored
			}
		}
		flags = append(flags, s)
	}
	if a.HasUnchangedSince {
		ss.condstore = true
	}
	uids := make([]uint32, 0, len(idx))
	stored := map[uint32]bool{}
	for _, i := range idx {
		if m := ss.sel.msgs[i]; !m.gone {
			uids = append(uids, m.UID)
			stored[m.UID] = true
		}
	}
	var unchanged uint64
	if a.HasUnchangedSince {
		unchanged = a.UnchangedSince
		if unchanged == 0 {
			unchanged = 1<<63 - 1 // UNCHANGEDSINCE 0 fails every message with a MODSEQ; ours all have one
		}
	}
	modified, err := ss.sel.f.Store(uids, a.Op, flags, unchanged)
	if a.HasUnchangedSince && a.UnchangedSince == 0 {
		modified = uids
	}
	if err != nil {
		ss.folderError(tag, err, "STORE")
		return
	}
	for _, u := range modified {
		delete(stored, u)
	}
	ss.updateWith(c.UID, stored, a.Silent)
	if len(modified) > 0 {
		var nums []uint32
		for i, m := range ss.sel.msgs {
			for _, u := range modified {
				if m.UID == u {
					if c.UID {
						nums = append(nums, u)
					} else {
						nums = append(nums, uint32(i+1))
					}
				}
			}
		}
		if len(nums) > 0 { // else none is in the view any more
			ss.ok(tag, imapwire.Code{ID: imapwire.CodeModified, UIDs: nums}, "conditional STORE failed for some messages")
			return
		}
	}
	ss.ok(tag, noCode, "STORE completed")
}

var systemFlagNames = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}

// canonicalFlag spells a system flag as RFC 3501 does; "" for \Recent and
// unknown ones.
func canonicalFlag(s string) string {
	for _, f := range systemFlagNames {
		if strings.EqualFold(f, s) {
			return f
		}
	}
	return ""
}

// expungeCmd is EXPUNGE and UID EXPUNGE set.
func (ss *session) expungeCmd(c *imapwire.Cmd) {
	if ss.sel.readOnly {
		ss.no(c.Tag, codeOnly(imapwire.CodeReadOnly), "mailbox is read-only")
		return
	}
	var set *imapwire.SeqSet
	if c.UID {
		set = &c.Expunge.Set
	}
	if err := ss.expungeDeleted(set, true); err != nil {
		ss.folderError(c.Tag, err, "EXPUNGE")
		return
	}
	ss.ok(c.Tag, noCode, "EXPUNGE completed")
}

// expungeDeleted removes the messages with \Deleted (within the UID set
// when given); announce sends EXPUNGE/VANISHED (CLOSE does not).
func (ss *session) expungeDeleted(set *imapwire.SeqSet, announce bool) error {
	ss.update(false)
	var uids []uint32
	var star uint32
	if n := len(ss.sel.msgs); n > 0 {
		star = ss.sel.msgs[n-1].UID
	}
	for _, m := range ss.sel.msgs {
		if m.gone || !hasFlag(m.Flags, `\Deleted`) {
			continue
		}
		if set != nil && !inSet(*set, m.UID, star) {
			continue
		}
		uids = append(uids, m.UID)
	}
	if len(uids) > 0 {
		if err := ss.sel.f.Expunge(uids); err != nil {
			return err
		}
	}
	if announce {
		ss.update(true)
	}
	return nil
}
