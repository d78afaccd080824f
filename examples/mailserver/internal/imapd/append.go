package imapd

import (
	"errors"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imapwire"
)

// appendCmd is APPEND with MULTIAPPEND: each message's literal is
// streamed into the store's tmp/ file (never held in memory), flags and
// date kept, and all are committed at once or none; the answer carries
// [APPENDUID].
func (ss *session) appendCmd(c *imapwire.Cmd) (bool, string) {
	tag := c.Tag
	name := string(c.Append.Mailbox)
	if imapwire.IsInbox(c.Append.Mailbox) {
		name = "INBOX"
	}
	r := ss.r
	ap, err := ss.acct.NewAppender(name)
	if err != nil {
		r.Reject()
		if errors.Is(err, ErrNoFolder) {
			ss.no(tag, codeOnly(imapwire.CodeTryCreate), "no such mailbox")
		} else {
			ss.folderError(tag, err, "APPEND")
		}
		return false, ""
	}
	defer ap.Abort()
	for more := true; more; {
		a := &c.Append
		var flags []string
		for _, fl := range a.Flags {
			s := string(fl)
			if strings.HasPrefix(s, `\`) {
				if s = canonicalFlag(s); s == "" {
					continue
				}
			}
			flags = append(flags, s)
		}
		date := time.Now()
		if a.Date != nil {
			t, zone, err := imapwire.ParseDateTime(a.Date)
			if err != nil {
				r.Reject()
				ss.bad(tag, noCode, "invalid date-time")
				return false, ""
			}
			date = t.In(time.FixedZone("", zone))
		}
		if int64(a.Literal.Size) > ss.srv.cfg.MaxMessage {
			r.Reject()
			ss.no(tag, codeOnly(imapwire.CodeTooBig), "message too large")
			return false, ""
		}
		if err := r.Accept(); err != nil {
			return ss.appendFailed(tag, err)
		}
		if !a.Literal.NonSync {
			ss.put(imapwire.AppendContinuation(ss.out, readyText))
			if err := ss.flush(true); err != nil {
				return true, "write: " + err.Error()
			}
		}
		if err := ap.Add(r.LiteralReader(), flags, date); err != nil {
			return ss.appendFailed(tag, err)
		}
		if more, err = ss.d.NextMessage(); err != nil {
			return ss.appendFailed(tag, err)
		}
	}
	uv, uids, err := ap.Commit()
	if err != nil {
		ss.folderError(tag, err, "APPEND")
		return false, ""
	}
	if ss.sel != nil && ss.sel.name == name {
		ss.update(true)
	}
	ss.ok(tag, imapwire.Code{ID: imapwire.CodeAppendUID, Num: uint64(uv), UIDs: uids}, "APPEND completed")
	return false, ""
}

// appendFailed answers an APPEND that failed mid-way: a reader error is
// the connection's or the client's (its reply), a store error NO.
func (ss *session) appendFailed(tag []byte, err error) (bool, string) {
	rep := imapwire.ReplyFor(err)
	if rep.Cond == "" {
		return true, "read: " + err.Error()
	}
	if rep.Code == "SERVERBUG" {
		ss.log.Error("append", "err", err)
		ss.no(tag, codeOnly(imapwire.CodeServerBug), "APPEND failed")
		// The literal may be partly read: the next Decode drains it.
		return false, ""
	}
	var fatal bool
	ss.out, fatal = imapwire.AppendCommandError(ss.out, tag, err)
	return fatal, ""
}
