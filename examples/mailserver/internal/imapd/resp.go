package imapd

import (
	"github.com/mailwire/mailwire/imapwire"
)

// The session's status responses, on imapwire's writers. A response the
// writer refuses (ErrInjection: text with CR or LF, a zero number in a
// code) is never sent in part: a tagged one becomes NO [SERVERBUG] (BAD
// stays BAD), an untagged one is left out, and the refusal is logged.

// noCode is a status response without a code.
var noCode imapwire.Code

// codeOnly is a code without an argument.
func codeOnly(id imapwire.CodeID) imapwire.Code { return imapwire.Code{ID: id} }

// tagged appends "tag cond [code] text".
func (ss *session) tagged(tag []byte, cond imapwire.Cond, code imapwire.Code, text string) {
	out, err := imapwire.AppendTagged(ss.out, tag, cond, code, text)
	if err != nil {
		ss.log.Error("response refused", "cond", cond.String(), "code", code.ID.String(), "err", err)
		switch {
		case cond == imapwire.CondOK && code.ID != imapwire.CodeNone:
			// The command succeeded: say so without the code rather than NO.
			out, err = imapwire.AppendTagged(ss.out, tag, imapwire.CondOK, noCode, text)
		case cond == imapwire.CondBad:
			out, err = imapwire.AppendTagged(ss.out, tag, imapwire.CondBad, noCode, "command refused")
		default:
			out, err = imapwire.AppendTagged(ss.out, tag, imapwire.CondNo, codeOnly(imapwire.CodeServerBug), "internal error")
		}
		if err != nil && cond == imapwire.CondOK {
			out, err = imapwire.AppendTagged(ss.out, tag, imapwire.CondNo, codeOnly(imapwire.CodeServerBug), "internal error")
		}
		if err != nil { // the tag itself: the decoder accepted it, so never
			return
		}
	}
	ss.out = out
}

func (ss *session) ok(tag []byte, code imapwire.Code, text string) {
	ss.tagged(tag, imapwire.CondOK, code, text)
}

func (ss *session) no(tag []byte, code imapwire.Code, text string) {
	ss.tagged(tag, imapwire.CondNo, code, text)
}

func (ss *session) bad(tag []byte, code imapwire.Code, text string) {
	ss.tagged(tag, imapwire.CondBad, code, text)
}

// untagged appends "* cond [code] text"; false (and nothing appended)
// when the writer refused it.
func (ss *session) untagged(cond imapwire.Cond, code imapwire.Code, text string) bool {
	return ss.put(imapwire.AppendUntagged(ss.out, cond, code, text))
}

// put keeps the output of a data writer that may refuse its values:
// on error ss.out is unchanged (the writers return dst as it was), the
// refusal is logged and put reports false.
func (ss *session) put(out []byte, err error) bool {
	if err != nil {
		ss.log.Error("response refused", "err", err)
		return false
	}
	ss.out = out
	return true
}

// enc is the encoder of strings and mailbox names for the client's mode:
// UTF-8 under UTF8=ACCEPT or IMAP4rev2, else modified UTF-7.
func (ss *session) enc() imapwire.Encoder { return imapwire.Encoder{UTF8: ss.utf8} }

// replyOf is the condition a server answers err with, "" for an error of
// the connection.
func replyOf(err error) string { return imapwire.ReplyFor(err).Cond }

// The continuation texts.
var (
	readyText  = []byte("Ready")
	idlingText = []byte("idling")
)
