package smtpwire

import (
	"io"
	"strconv"
)

// LMTP (RFC 2033) is SMTP between a mail server and its local delivery
// agent, with two differences this package knows about:
//
//   - The greeting command is LHLO, which takes EHLO's argument and gets
//     EHLO's reply (ParseCapabilities reads it). There is no HELO or EHLO:
//     a CommandReader with CommandReaderOptions.LMTP reads LHLO and
//     refuses those two with ErrUnknownCommand; a client writes LHLO with
//     AppendCommand(dst, VerbLHLO, domain).
//   - After the end of DATA (and after the last BDAT chunk) the server
//     sends not one reply but one per recipient it accepted at RCPT time,
//     in RCPT order (RFC 2033 §4.2): AppendLMTPReplies writes them,
//     ReplyReader.LMTPReplies reads them. A DATA with no accepted
//     recipient gets one 503 reply instead.
//
// Everything else (MAIL, RCPT, RSET, the DATA body, BDAT, PIPELINING,
// ENHANCEDSTATUSCODES) is as in SMTP.

// RcptReply is one recipient's reply at the end of an LMTP DATA or BDAT.
type RcptReply struct {
	// Mailbox is the recipient as it came in RCPT TO, without the angle
	// brackets; when not empty it is written as "<Mailbox> " before Text,
	// as Dovecot and Cyrus do, so that a log line names the recipient.
	Mailbox  string
	Code     int
	Enhanced EnhancedCode
	Text     string
}

// AppendLMTPReplies appends the replies that end an LMTP DATA or last
// BDAT: one single-line reply per recipient accepted at RCPT time, in RCPT
// order, which is the order of rcpts. Each must pass AppendReply's checks
// and the mailbox validText's; on error dst is returned unchanged. It
// allocates only when dst lacks the capacity.
func AppendLMTPReplies(dst []byte, rcpts []RcptReply) ([]byte, error) {
	start := len(dst)
	if len(rcpts) == 0 {
		return dst, errInjection("one reply per accepted recipient (none: reply 503 to DATA)")
	}
	for _, r := range rcpts {
		if err := checkReplyCode(r.Code, r.Enhanced); err != nil {
			return dst[:start], err
		}
		if !validText(r.Text) || !validText(r.Mailbox) {
			return dst[:start], errInjection("reply text without control characters")
		}
		lineStart := len(dst)
		dst = strconv.AppendInt(dst, int64(r.Code), 10)
		dst = append(dst, ' ')
		if !r.Enhanced.IsZero() {
			dst = append(r.Enhanced.Append(dst), ' ')
		}
		if r.Mailbox != "" {
			dst = append(append(append(dst, '<'), r.Mailbox...), '>')
			if r.Text != "" {
				dst = append(dst, ' ')
			}
		}
		dst = append(append(dst, r.Text...), '\r', '\n')
		if len(dst)-lineStart > DefaultMaxReplyLine {
			return dst[:start], errInjection("a reply line of at most 512 octets")
		}
	}
	return dst, nil
}

// LMTPReplies reads the replies an LMTP server sends at the end of DATA or
// after the last BDAT chunk: exactly one per recipient it accepted at RCPT
// time, in RCPT order. It is owned by the ReplyReader that made it and
// reads through it.
type LMTPReplies struct {
	rr   *ReplyReader
	n    int
	next int
}

// LMTPReplies starts reading the replies for accepted recipients, the
// number of RCPT commands that got a 2xx reply. Nothing is allocated; the
// value is rr's own and valid until the next call to LMTPReplies.
func (rr *ReplyReader) LMTPReplies(accepted int) *LMTPReplies {
	rr.lmtp = LMTPReplies{rr: rr, n: max(accepted, 0)}
	return &rr.lmtp
}

// Next reads the next recipient's reply. i is that recipient's position
// among the accepted ones (0 for the first RCPT that got 2xx, and so on):
// the reply is that recipient's outcome. After the last one Next returns
// io.EOF without reading; a stream that ends sooner gives
// io.ErrUnexpectedEOF. Other errors are ReadReply's, and leave the session
// out of step. The Reply is valid until the next read on the ReplyReader.
func (l *LMTPReplies) Next() (i int, r *Reply, err error) {
	if l.next >= l.n {
		return l.n, nil, io.EOF
	}
	r, err = l.rr.ReadReply()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return l.next, nil, err
	}
	l.next++
	return l.next - 1, r, nil
}

// Remaining reports how many replies are still to come.
func (l *LMTPReplies) Remaining() int { return l.n - l.next }

// Buffered reports what the ReplyReader has read ahead and not consumed;
// after the last reply it is what the server sent unasked.
func (l *LMTPReplies) Buffered() int { return l.rr.Buffered() }

// ReadAhead returns the octets Buffered counts, without consuming them;
// valid until the next read.
func (l *LMTPReplies) ReadAhead() []byte { return l.rr.ReadAhead() }
