package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/smtpwire"
)

// EOD is a non-standard end-of-data sequence.
type EOD struct {
	Name string
	Seq  string
}

// EODs are the sequences of the SMTP smuggling research (smtpsmug and
// SMTP-Smuggling-Tools): bare LF and bare CR around the dot, and NUL next
// to it.
var EODs = []EOD{
	{"lf.lf", "\n.\n"},
	{"lf.crlf", "\n.\r\n"},
	{"crlf.lf", "\r\n.\n"},
	{"cr.cr", "\r.\r"},
	{"cr.lf", "\r.\n"},
	{"lf.cr", "\n.\r"},
	{"cr.crlf", "\r.\r\n"},
	{"crlf.cr", "\r\n.\r"},
	{"crlf-nul.crlf", "\r\n\x00.\r\n"},
	{"crlf.nul-crlf", "\r\n.\x00\r\n"},
}

// leftover is the text behind the sequence: a line that is no SMTP
// command, so a server that took the sequence as the end answers it with
// a 500-series reply and nothing else happens.
const leftover = "MAILPROBE-LEFTOVER this line is message text, not a command\r\n"

// probeBody is the one message of a trial: harmless text, the sequence,
// the leftover line, then the real end of data; QUIT follows at once, so
// the replies up to 221 tell the two readings apart.
func probeBody(e *Env, seq EOD, now time.Time) []byte {
	var b strings.Builder
	from := e.From
	if from == "" {
		from = "mailprobe@invalid"
	}
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: mailprobe SMTP smuggling probe (%s)\r\n", from, e.To, seq.Name)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <mailprobe.%d.%s@invalid>\r\n\r\n", now.UTC().Format(time.RFC1123Z), now.UnixNano(), seq.Name)
	b.WriteString("This is a harmless test message sent by mailprobe. It checks whether\r\n")
	fmt.Fprintf(&b, "the sequence %s ends the message early. Delete it.\r\n", record.Quote([]byte(seq.Seq)))
	b.WriteString("probe text")
	b.WriteString(seq.Seq)
	b.WriteString(leftover)
	b.WriteString(".\r\n")
	b.WriteString("QUIT\r\n")
	return []byte(b.String())
}

// trial is what one sequence did.
type trial struct {
	eod      EOD
	outcome  string // "end", "data", "rejected", "error"
	refused  bool   // MAIL, RCPT or DATA was refused: no probe was sent
	replies  []string
	evidence []string
}

// Smuggling sends, for each sequence in EODs, one probe message on a
// connection of its own (TLS as the policy says), and reads the replies
// up to QUIT's 221: one reply to the data means the sequence was message
// text (or the message was refused); a 2xx followed by replies to the
// leftover text means the server took the sequence as the end of data, so
// that text behind it would have been read as commands: a second, smuggled
// message. No trial sends a second message.
func Smuggling(ctx context.Context, e *Env) Result {
	if e.Target.Proto != session.SMTP && e.Target.Proto != session.LMTP {
		return skip("SMTP and LMTP only")
	}
	if e.To == "" {
		return skip("needs -to: the recipient of the probe messages")
	}
	var trials []trial
	for _, eod := range EODs {
		tr := e.smuggleTrial(ctx, eod)
		if tr.refused && len(trials) == 0 && e.Auth == "" {
			return Result{Verdict: Skip, Summary: "not run: the server takes no mail for -to from this client (give -auth if it needs authentication): " + strings.Join(tr.replies, " | "),
				Evidence: tr.evidence}
		}
		if tr.outcome == "error" && len(trials) == 0 {
			return Result{Verdict: Error, Summary: "could not send a probe message: " + strings.Join(tr.replies, " | "), Evidence: tr.evidence}
		}
		trials = append(trials, tr)
	}
	var ends, details, evidence []string
	for _, tr := range trials {
		desc := map[string]string{
			"end":      "ENDS the message (text behind it was read as commands)",
			"data":     "is message text (the message ended at the real <CRLF>.<CRLF>)",
			"rejected": "makes the server refuse the message",
			"error":    "could not be tested",
		}[tr.outcome]
		details = append(details, fmt.Sprintf("%-14s %-14s %s: %s", tr.eod.Name, record.Quote([]byte(tr.eod.Seq)), desc, strings.Join(tr.replies, " | ")))
		if tr.outcome == "end" {
			ends = append(ends, tr.eod.Name)
			if len(evidence) == 0 {
				evidence = tr.evidence
			}
		}
	}
	if len(ends) > 0 {
		return Result{Verdict: Fail, Summary: fmt.Sprintf("the server takes %s as the end of data (SMTP smuggling)", strings.Join(ends, ", ")),
			Details: details, Evidence: evidence}
	}
	for _, tr := range trials {
		if tr.outcome == "error" {
			return Result{Verdict: Error, Summary: "some sequences could not be tested", Details: details}
		}
	}
	return Result{Verdict: Pass, Summary: "no non-standard sequence ends the data", Details: details, Evidence: trials[0].evidence}
}

// authPlain authenticates with AUTH PLAIN (RFC 4616), only over TLS; the
// log shows the command without the credentials.
func (c *conn) authPlain(auth string) error {
	if !c.Secure() {
		return errors.New("-auth: credentials are sent only over TLS, and this session has none")
	}
	user, pass, ok := strings.Cut(auth, ":")
	if !ok {
		return errors.New("-auth: want NAME:PASSWORD")
	}
	line, err := smtpwire.AppendAuth(nil, "PLAIN", []byte("\x00"+user+"\x00"+pass), true)
	if err != nil {
		return fmt.Errorf("-auth: %w", err)
	}
	if err := c.WriteRedacted(line, "AUTH PLAIN <credentials of -auth, not shown>\r\n"); err != nil {
		return err
	}
	rep, err := c.ReadReply("")
	if err != nil {
		return err
	}
	if rep.Code != 235 {
		return fmt.Errorf("AUTH PLAIN: %s", rep)
	}
	return nil
}

func (e *Env) smuggleTrial(ctx context.Context, eod EOD) (tr trial) {
	tr = trial{eod: eod, outcome: "error"}
	c, _, err := e.secureSession(ctx)
	mark := 0
	if c != nil {
		defer c.Close()
		// the evidence starts at MAIL: the session before it is the same
		// in every trial
		defer func() { tr.evidence = record.Format(c.log.Since(mark)) }()
	}
	if err != nil {
		tr.replies = []string{err.Error()}
		return tr
	}
	mark = c.log.Size()
	if e.Auth != "" {
		if err := c.authPlain(e.Auth); err != nil {
			tr.replies = []string{err.Error()}
			return tr
		}
	}
	from := e.From
	for _, step := range []struct {
		cmd  string
		want int
	}{{"MAIL FROM:<" + from + ">", 250}, {"RCPT TO:<" + e.To + ">", 250}, {"DATA", 354}} {
		rep, err := c.Command(step.cmd)
		if err != nil {
			tr.replies = []string{step.cmd + ": " + err.Error()}
			return tr
		}
		if rep.Code != step.want && !(step.want == 250 && rep.Code == 251) {
			tr.refused = true
			tr.replies = []string{step.cmd + ": " + rep.String()}
			return tr
		}
	}
	if err := c.Write(probeBody(e, eod, time.Now())); err != nil {
		tr.replies = []string{err.Error()}
		return tr
	}
	var codes []int
	for i := 0; i < 20; i++ {
		rep, err := c.ReadReply("")
		if err != nil {
			tr.replies = append(tr.replies, "(connection closed: "+err.Error()+")")
			break
		}
		tr.replies = append(tr.replies, rep.String())
		if rep.Code == 221 {
			break
		}
		codes = append(codes, rep.Code)
	}
	switch {
	case len(codes) == 0:
		tr.outcome = "error"
	case len(codes) >= 2 && codes[0]/100 == 2:
		tr.outcome = "end"
	case codes[0]/100 == 2:
		tr.outcome = "data"
	default:
		tr.outcome = "rejected"
	}
	return tr
}
