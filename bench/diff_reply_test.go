package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/smtpwire"
)

// SMTP replies: smtpwire's ReplyReader against net/textproto's
// ReadResponse(0), reply after reply on one stream.
//
// Normalisation: textproto joins a reply's text lines with "\n"; mailwire's
// lines are compared joined the same way. After every reply both must have
// consumed the same octets.

// replyRegion returns the lines of the reply at the start of b as RFC 5321
// delimits it: up to the first line that is not "NNN-…", line ends kept.
func replyRegion(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		n := len(b)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			n = i + 1
		}
		line := b[:n]
		lines = append(lines, line)
		b = b[n:]
		if len(line) < 4 || line[3] != '-' {
			break
		}
	}
	return lines
}

// validReplyCode is RFC 5321 §4.2's Reply-code: %x32-35 %x30-35 %x30-39.
func validReplyCode(l []byte) bool {
	return len(l) >= 3 && l[0] >= '2' && l[0] <= '5' && l[1] >= '0' && l[1] <= '5' && l[2] >= '0' && l[2] <= '9'
}

// codeOnly reports a line that is a reply code and its line end alone.
func codeOnly(l []byte) bool {
	l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
	return len(l) == 3 && validReplyCode(l)
}

// classifyReply names the row explaining a disagreement on the reply at
// the start of b; mwErr is mailwire's error (nil when it was textproto
// that refused or read differently).
func classifyReply(b []byte, mwErr error) string {
	region := replyRegion(b)
	joined := bytes.Join(region, nil)
	anyLine := func(f func([]byte) bool) bool {
		for _, l := range region {
			if f(l) {
				return true
			}
		}
		return false
	}
	if mwErr == nil {
		// mailwire read a reply that textproto refused or read otherwise:
		// RFC 5321 allows a line of only the code, textproto wants "NNN ".
		if anyLine(codeOnly) {
			return rowReplyCodeOnly
		}
		return ""
	}
	switch {
	case errors.Is(mwErr, io.ErrUnexpectedEOF) && !bytes.HasSuffix(joined, []byte("\n")):
		return rowNoLineEnd
	case errors.Is(mwErr, smtpwire.ErrBareLF) && hasBareLF(joined):
		return rowBareLFLine
	case errors.Is(mwErr, smtpwire.ErrBareCR) && hasBareCR(joined):
		return rowBareCRLine
	case errors.Is(mwErr, smtpwire.ErrLineTooLong) && longestLine(joined) > smtpwire.DefaultMaxReplyLine:
		return rowLongLine
	case errors.Is(mwErr, smtpwire.ErrReplyTooLarge) &&
		(len(region) > smtpwire.DefaultMaxReplyLines || len(joined) > smtpwire.DefaultMaxReplySize):
		return rowReplyTooLarge
	case errors.Is(mwErr, smtpwire.ErrReply) && !validReplyCode(region[0]):
		return rowReplyCode
	case errors.Is(mwErr, smtpwire.ErrReplyCodeMismatch) || errors.Is(mwErr, smtpwire.ErrReply):
		// textproto folds a line with another code, or none, into the
		// reply's text instead of failing.
		for _, l := range region[1:] {
			t := bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
			if !validReplyCode(t) || !bytes.Equal(t[:3], region[0][:3]) || len(t) > 3 && t[3] != ' ' && t[3] != '-' {
				return rowReplyMixed
			}
		}
		if !validReplyCode(region[len(region)-1]) {
			return rowReplyCode
		}
	}
	return ""
}

func FuzzDiffSMTPReply(f *testing.F) {
	f.Add(clip(smtpReplyStream, 2048))
	for _, s := range sessions(f, "smtp-") {
		f.Add(clip(s.server, 2048))
	}
	for _, s := range []string{
		"250 ok\r\n", "250\r\n", "250-a\r\n250\r\n", "250-a\r\n251 b\r\n", "250-a\r\nxyz\r\n250 b\r\n",
		"250 ok\n", "250 a\rb\r\n", "199 x\r\n", "600 x\r\n", "260 x\r\n", "250-\r\n250 \r\n", "25\r\n",
		"250 a\x00b\r\n", "250 \xff\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		msrc := bytes.NewReader(in)
		rr := smtpwire.NewReplyReader(msrc, smtpwire.ReplyReaderOptions{})
		tsrc := bytes.NewReader(in)
		br := bufio.NewReader(tsrc)
		tr := textproto.NewReader(br)
		pos := 0 // where the current reply starts; both agree up to here
		for range 20 {
			r, mwErr := rr.ReadReply()
			code, msg, tpErr := tr.ReadResponse(0)
			if mwErr != nil && tpErr != nil {
				return
			}
			if mwErr == nil && tpErr == nil {
				lines := make([]string, 0, r.Len())
				for l := range r.Lines() {
					lines = append(lines, string(l))
				}
				mwPos := len(in) - rr.Buffered() - msrc.Len()
				tpPos := len(in) - br.Buffered() - tsrc.Len()
				if r.Code == code && strings.Join(lines, "\n") == msg && mwPos == tpPos {
					pos = mwPos
					continue
				}
				if row := classifyReply(in[pos:], nil); row != "" {
					return
				}
				t.Fatalf("reply at %d of %q read differently:\nmailwire  %d %q up to %d\ntextproto %d %q up to %d",
					pos, in, r.Code, lines, mwPos, code, msg, tpPos)
			}
			if row := classifyReply(in[pos:], mwErr); row == "" {
				t.Fatalf("reply at %d of %q: mailwire %v, textproto %v (%d %q), and no FUZZING.md row explains it",
					pos, in, mwErr, tpErr, code, msg)
			}
			return
		}
	})
}
