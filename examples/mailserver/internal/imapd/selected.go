package imapd

import (
	"errors"
	"slices"

	"github.com/mailwire/mailwire/imapwire"
)

// selected is the session's view of its selected folder: the messages in
// sequence order as the client knows them. Messages expunged elsewhere
// stay in the view (gone) until an EXPUNGE may be sent.
type selected struct {
	f        Folder
	name     string
	readOnly bool
	st       FolderState
	msgs     []Msg
	recent   map[uint32]bool
}

// systemFlagWords are the mailbox's FLAGS; permanentFlagWords what STORE
// keeps: those and any keyword (\*).
var (
	systemFlagWords    = [][]byte{[]byte(`\Answered`), []byte(`\Flagged`), []byte(`\Deleted`), []byte(`\Seen`), []byte(`\Draft`)}
	permanentFlagWords = append(systemFlagWords[:len(systemFlagWords):len(systemFlagWords)], []byte(`\*`))
)

func (ss *session) unselect() {
	ss.saved = nil
	if ss.sel != nil {
		ss.sel.f.Close()
		ss.sel = nil
	}
	if ss.state == stateSelected {
		ss.state = stateAuth
	}
}

// folderError answers a store error with its response code.
func (ss *session) folderError(tag []byte, err error, what string) {
	switch {
	case errors.Is(err, ErrNoFolder):
		ss.no(tag, codeOnly(imapwire.CodeNonExistent), "no such mailbox")
	case errors.Is(err, ErrExists):
		ss.no(tag, codeOnly(imapwire.CodeAlreadyExists), "mailbox already exists")
	case errors.Is(err, ErrUseAttr):
		ss.no(tag, codeOnly(imapwire.CodeUseAttr), "special-use attribute not allowed here")
	case errors.Is(err, ErrCannot):
		ss.no(tag, codeOnly(imapwire.CodeCannot), what+" not allowed")
	default:
		ss.no(tag, codeOnly(imapwire.CodeServerBug), what+" failed")
		ss.log.Error(what, "user", ss.user, "err", err)
	}
}

func (ss *session) selectCmd(c *imapwire.Cmd) {
	tag := c.Tag
	a := &c.Select
	hadSel := ss.sel != nil
	ss.unselect()
	if hadSel && (ss.qresync || ss.rev2) {
		ss.untagged(imapwire.CondOK, codeOnly(imapwire.CodeClosed), "previous mailbox closed")
	}
	if a.QResync && !ss.qresync {
		ss.bad(tag, noCode, "QRESYNC not enabled")
		return
	}
	if a.CondStore {
		ss.condstore = true
	}
	name := string(a.Mailbox)
	f, err := ss.acct.Open(name, c.ID == imapwire.CmdExamine)
	if err != nil {
		ss.folderError(tag, err, "SELECT")
		return
	}
	st, msgs, err := f.Snapshot()
	if err != nil {
		f.Close()
		ss.folderError(tag, err, "SELECT")
		return
	}
	sel := &selected{f: f, name: name, readOnly: c.ID == imapwire.CmdExamine, st: st, recent: map[uint32]bool{}}
	sel.msgs = msgs // the snapshot becomes the view, not copied
	nrecent := 0
	var firstUnseen uint32
	for i, m := range msgs {
		if m.Recent {
			sel.recent[m.UID] = true
			nrecent++
		}
		if firstUnseen == 0 && !hasFlag(m.Flags, `\Seen`) {
			firstUnseen = uint32(i + 1)
		}
	}
	ss.sel, ss.state = sel, stateSelected
	ss.put(imapwire.AppendFlagsData(ss.out, systemFlagWords))
	ss.out = imapwire.AppendExistsData(ss.out, uint32(len(msgs)))
	if !ss.rev2 {
		ss.out = imapwire.AppendRecentData(ss.out, uint32(nrecent))
	}
	if firstUnseen > 0 {
		ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUnseen, Num: uint64(firstUnseen)}, "first unseen")
	}
	ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDValidity, Num: uint64(st.UIDValidity)}, "UIDs valid")
	ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDNext, Num: uint64(st.UIDNext)}, "predicted next UID")
	if sel.readOnly {
		ss.untagged(imapwire.CondOK, codeOnly(imapwire.CodePermanentFlags), "read-only")
	} else {
		ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodePermanentFlags, Words: permanentFlagWords}, "flags kept")
	}
	ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeHighestModSeq, Num: max(st.HighestModSeq, 1)}, "highest mod-sequence")
	if a.QResync && a.UIDValidity == st.UIDValidity {
		ss.qresyncSelect(a)
	}
	code := codeOnly(imapwire.CodeReadWrite)
	if sel.readOnly {
		code = codeOnly(imapwire.CodeReadOnly)
	}
	ss.ok(tag, code, c.ID.String()+" completed")
}

// qresyncSelect sends what changed since the client's HIGHESTMODSEQ
// (RFC 7162 §3.2.5): VANISHED (EARLIER) and FETCH of changed messages.
func (ss *session) qresyncSelect(a *imapwire.SelectArgs) {
	known := func(uid uint32) bool { return true }
	if a.KnownUIDs.Bytes() != nil {
		known = func(uid uint32) bool { return inSet(a.KnownUIDs, uid, ^uint32(0)) }
	}
	if v, ok, err := ss.sel.f.Vanished(a.ModSeq); err == nil {
		if !ok {
			v = v[:0] // store forgot: every known UID not present is vanished
			present := map[uint32]bool{}
			for _, m := range ss.sel.msgs {
				present[m.UID] = true
			}
			if a.KnownUIDs.Bytes() != nil {
				for it := a.KnownUIDs.Ranges(); it.Next(); {
					lo, hi := it.Lo, it.Hi
					if lo > hi {
						lo, hi = hi, lo
					}
					for u := lo; u <= hi && u < ss.sel.st.UIDNext && u-lo < 100000; u++ {
						if !present[u] {
							v = append(v, u)
						}
					}
				}
			}
		}
		var keep []uint32
		for _, u := range v {
			if known(u) {
				keep = append(keep, u)
			}
		}
		if len(keep) > 0 {
			ss.put(imapwire.AppendVanishedData(ss.out, true, keep))
		}
	}
	for i, m := range ss.sel.msgs {
		if m.ModSeq > a.ModSeq && known(m.UID) {
			ss.fetchFlags(uint32(i+1), &m, true)
		}
	}
}

// update brings the client's view up to date with the store: new
// messages (EXISTS, RECENT), flag changes (FETCH) and, when expunges may
// be announced, EXPUNGE or VANISHED.
func (ss *session) update(allowExpunge bool) { ss.updateWith(allowExpunge, nil, false) }

// updateWith is update that also answers a STORE: the messages in stored
// get their FETCH even if their flags did not change, unless silent,
// when they get none.
func (ss *session) updateWith(allowExpunge bool, stored map[uint32]bool, silent bool) {
	sel := ss.sel
	st, msgs, err := sel.f.Snapshot()
	if err != nil {
		ss.log.Error("snapshot", "err", err)
		return
	}
	sel.st = st
	// Merge: msgs and the view are both sorted by UID.
	j := 0
	for i := range sel.msgs {
		v := &sel.msgs[i]
		for j < len(msgs) && msgs[j].UID < v.UID {
			j++ // a UID below one we know: cannot happen in a sane store; skip
		}
		if j < len(msgs) && msgs[j].UID == v.UID {
			n := msgs[j]
			j++
			if n.Recent {
				sel.recent[n.UID] = true
			}
			changed := !slices.Equal(n.Flags, v.Flags)
			*v = n
			if stored[n.UID] {
				if !silent && !v.gone {
					ss.fetchFlags(uint32(i+1), v, ss.condstore)
				}
			} else if changed && !v.gone {
				ss.fetchFlags(uint32(i+1), v, ss.condstore)
			}
			continue
		}
		v.gone = true
	}
	if allowExpunge {
		ss.announceExpunges()
	}
	var maxUID uint32
	if n := len(sel.msgs); n > 0 {
		maxUID = sel.msgs[n-1].UID
	}
	added := 0
	for _, n := range msgs {
		if n.UID <= maxUID {
			continue
		}
		sel.msgs = append(sel.msgs, n)
		if n.Recent {
			sel.recent[n.UID] = true
		}
		added++
	}
	if added > 0 {
		ss.out = imapwire.AppendExistsData(ss.out, uint32(len(sel.msgs)))
		if !ss.rev2 {
			ss.out = imapwire.AppendRecentData(ss.out, uint32(len(sel.recent)))
		}
	}
}

// announceExpunges removes the gone messages from the view, telling the
// client: EXPUNGE per message (highest first, so the numbers of the others
// hold), or one VANISHED under QRESYNC.
func (ss *session) announceExpunges() {
	sel := ss.sel
	var uids []uint32
	for i := len(sel.msgs) - 1; i >= 0; i-- {
		if !sel.msgs[i].gone {
			continue
		}
		if ss.qresync {
			uids = append(uids, sel.msgs[i].UID)
		} else {
			ss.put(imapwire.AppendExpungeData(ss.out, uint32(i+1)))
		}
		delete(sel.recent, sel.msgs[i].UID)
	}
	sel.msgs = slices.DeleteFunc(sel.msgs, func(m Msg) bool { return m.gone })
	if len(uids) > 0 {
		slices.Sort(uids)
		ss.put(imapwire.AppendVanishedData(ss.out, false, uids))
	}
}

// fetchFlags appends "* seq FETCH (FLAGS (…) UID u [MODSEQ (m)])".
func (ss *session) fetchFlags(seq uint32, m *Msg, modseq bool) {
	ss.out = imapwire.AppendFetchStart(ss.out, seq)
	ss.out = ss.appendFlagsItem(ss.out, m)
	ss.out = imapwire.AppendFetchUID(ss.out, m.UID)
	if modseq {
		ss.out = imapwire.AppendFetchModSeq(ss.out, max(m.ModSeq, 1))
	}
	ss.out = imapwire.AppendFetchEnd(ss.out)
}

// appendFlagsItem appends "FLAGS (…)" with \Recent when the session has
// it. A stored flag the writer refuses (no atom) is left out and logged,
// so the item is always whole. The flags are copied into the session's
// scratch (flagBytes, flagViews), which steady state reuses.
func (ss *session) appendFlagsItem(dst []byte, m *Msg) []byte {
	recent := ss.sel != nil && ss.sel.recent[m.UID] && !ss.rev2
	views := ss.flagViews(m.Flags, recent, false)
	out, err := imapwire.AppendFetchFlags(dst, views)
	if err == nil {
		return out
	}
	ss.log.Error("stored flag refused", "uid", m.UID, "err", err)
	out, _ = imapwire.AppendFetchFlags(dst, ss.flagViews(m.Flags, recent, true))
	return out
}

var flagRecent = []byte(`\Recent`)

// flagViews returns flags (and \Recent) as byte slices into ss.flagBuf,
// valid until the next call; with check, only the flags AppendFlag takes.
func (ss *session) flagViews(flags []string, recent, check bool) [][]byte {
	b := ss.flagBuf[:0]
	for _, f := range flags {
		b = append(b, f...)
	}
	ss.flagBuf = b
	v := ss.flagList[:0]
	off := 0
	for _, f := range flags {
		w := b[off : off+len(f) : off+len(f)]
		off += len(f)
		if check {
			if _, err := imapwire.AppendFlag(nil, w); err != nil || f == `\*` {
				continue
			}
		}
		v = append(v, w)
	}
	if recent {
		v = append(v, flagRecent)
	}
	ss.flagList = v
	return v
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if eqFold([]byte(x), f) {
			return true
		}
	}
	return false
}

// resolve returns the view indices a set names, in ascending order: by
// sequence number, or by UID. ok false for a sequence number past the end.
// The slice is the session's scratch, valid until the next resolve.
func (ss *session) resolve(set imapwire.SeqSet, uid bool) ([]int, bool) {
	out, ok := ss.resolveInto(ss.idx[:0], set, uid)
	ss.idx = out[:0]
	return out, ok
}

func (ss *session) resolveInto(out []int, set imapwire.SeqSet, uid bool) ([]int, bool) {
	sel := ss.sel
	n := len(sel.msgs)
	if set.Saved() { // "$": the saved UIDs still here, whatever uid says
		for i, m := range sel.msgs {
			if _, ok := slices.BinarySearch(ss.saved, m.UID); ok {
				out = append(out, i)
			}
		}
		return out, true
	}
	if n == 0 {
		return out, uid
	}
	if uid {
		maxUID := sel.msgs[n-1].UID
		for i, m := range sel.msgs {
			if inSet(set, m.UID, maxUID) {
				out = append(out, i)
			}
		}
		return out, true
	}
	if cap(ss.mark) < n {
		ss.mark = make([]bool, n)
	}
	mark := ss.mark[:n]
	clear(mark)
	for it := set.Ranges(); it.Next(); {
		lo, hi := it.Lo, it.Hi
		if lo == 0 {
			lo = uint32(n)
		}
		if hi == 0 {
			hi = uint32(n)
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if hi > uint32(n) {
			return out, false
		}
		for s := lo; s <= hi; s++ {
			mark[s-1] = true
		}
	}
	for i, m := range mark {
		if m {
			out = append(out, i)
		}
	}
	return out, true
}

// inSet reports whether v is in set, "*" standing for star.
func inSet(set imapwire.SeqSet, v, star uint32) bool {
	for it := set.Ranges(); it.Next(); {
		lo, hi := it.Lo, it.Hi
		if lo == 0 {
			lo = star
		}
		if hi == 0 {
			hi = star
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo <= v && v <= hi {
			return true
		}
	}
	return false
}
