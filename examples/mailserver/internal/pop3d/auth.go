package pop3d

import (
	"bytes"

	"github.com/mailwire/mailwire/pop3"
)

// maxPlain is the longest valid PLAIN message (RFC 4616: three fields of
// at most 255 octets and two NULs), and maxAuthLine its base64 line with
// CRLF: PLAIN is the only mechanism, so a longer AUTH line is refused by
// the reader (-ERR, line too long) before anything is decoded.
const (
	maxPlain    = 3*255 + 2
	maxAuthLine = (maxPlain+2)/3*4 + 2
)

// auth runs AUTH PLAIN, with or without an initial response.
func (ss *session) auth(cmd pop3.Command) {
	if len(cmd.Arg) == 0 {
		ss.ok("mechanisms follow")
		ss.out = append(ss.out, "PLAIN\r\n"...)
		ss.out = pop3.AppendEnd(ss.out)
		return
	}
	if !bytes.EqualFold(cmd.Arg, []byte("PLAIN")) {
		ss.errc("", "unsupported mechanism")
		return
	}
	// dec holds the decoded data without allocating: at most 3/4 of the
	// line limit (maxAuthLine, or the command line's for an initial
	// response).
	var dec [(maxAuthLine - 2) / 4 * 3]byte
	var msg []byte
	var err error
	if len(cmd.Arg2) > 0 {
		msg, err = pop3.DecodeSASL(dec[:0], cmd.Arg2)
	} else {
		ss.out = pop3.AppendChallenge(ss.out, nil)
		if err := ss.flush(true); err != nil {
			return
		}
		msg, err = ss.r.ReadAuthResponse(dec[:0])
	}
	defer clear(dec[:])
	if err != nil {
		ss.out = pop3.AppendReply(ss.out, pop3.ReplyOf(err))
		return
	}
	p, err := pop3.ParsePlain(msg)
	if err != nil {
		ss.out = pop3.AppendReply(ss.out, pop3.ReplyOf(err))
		return
	}
	authc := string(p.Authcid)
	if len(p.Authzid) > 0 && string(p.Authzid) != authc {
		ss.fail(authc)
		return
	}
	ss.login(authc, string(p.Password))
}
