package queue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/headers"
	"github.com/mailwire/mailwire/smtpwire"
)

// maxReturnedHeader bounds the original header block a DSN returns, and
// maxReturnedFull the whole message returned under RET=FULL (larger ones
// get their header only, as RFC 3461 §4.3 allows).
const (
	maxReturnedHeader = 128 << 10
	maxReturnedFull   = 1 << 20
)

// isHeaderOnly reports whether b ends at its header block's empty line.
func isHeaderOnly(b []byte) bool {
	_, body, err := headers.Split(b, headers.Options{MaxHeaderBytes: maxReturnedHeader})
	return err == nil && len(body) == 0 && bytes.HasSuffix(b, []byte("\r\n\r\n"))
}

// bounce queues an RFC 3464 delivery status notification to env.From for
// the failed recipients, from the null reverse-path so that it never
// bounces itself. It returns the original's header block (RFC 6522
// text/rfc822-headers), not its body.
func (q *Queue) bounce(env *Envelope, failed []Recipient) {
	var ret []byte
	if f, err := os.Open(filepath.Join(q.dir, "msg", env.ID)); err == nil {
		if env.Ret == smtpwire.RetFull {
			ret, err = io.ReadAll(io.LimitReader(f, maxReturnedFull+1))
			if err != nil || len(ret) > maxReturnedFull {
				ret = nil // too large: the header only, below
				_, _ = f.Seek(0, io.SeekStart)
			}
		}
		if ret == nil {
			buf := make([]byte, maxReturnedHeader)
			if block, _, err := headers.ReadBlock(f, buf); err == nil {
				ret = block
			}
		}
		f.Close()
	}
	full := env.Ret == smtpwire.RetFull && ret != nil && !isHeaderOnly(ret)
	msg, err := BuildDSN(q.cfg.Hostname, env, failed, ret, full, q.now())
	if err != nil {
		q.log.Error("DSN not built", "id", env.ID, "err", err)
		return
	}
	if err := q.Enqueue("", []string{env.From}, bytes.NewReader(msg)); err != nil {
		q.log.Error("DSN not queued", "id", env.ID, "err", err)
		return
	}
	q.log.Info("DSN queued", "id", env.ID, "to", env.From, "failed", len(failed))
}

// BuildDSN writes a multipart/report; report-type=delivery-status message
// (RFC 3464, RFC 6522) reporting failed recipients of env to env.From.
// orig is the original's header block to return (text/rfc822-headers), or
// with full the whole message (message/rfc822), or nil.
func BuildDSN(hostname string, env *Envelope, failed []Recipient, orig []byte, full bool, now time.Time) ([]byte, error) {
	if len(failed) == 0 {
		return nil, errors.New("queue: DSN without failed recipients")
	}
	boundary := "=_dsn_" + newID()
	var b bytes.Buffer
	field := func(name, value string) error {
		out, err := headers.AppendField(nil, name, value)
		if err != nil {
			return err
		}
		b.Write(out)
		return nil
	}
	date := now.Format(time.RFC1123Z)
	for _, f := range [][2]string{
		{"From", "Mail Delivery System <MAILER-DAEMON@" + hostname + ">"},
		{"To", "<" + env.From + ">"},
		{"Subject", "Undelivered Mail Returned to Sender"},
		{"Date", date},
		{"Message-ID", "<" + newID() + "@" + hostname + ">"},
		{"Auto-Submitted", "auto-replied"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/report; report-type=delivery-status; boundary="` + boundary + `"`},
	} {
		if err := field(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	b.WriteString("\r\nThis is a MIME-encapsulated message.\r\n\r\n--" + boundary + "\r\n")
	b.WriteString("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
	fmt.Fprintf(&b, "This is the mail system at %s.\r\n\r\nYour message could not be delivered to the following recipients:\r\n\r\n", hostname)
	for _, r := range failed {
		fmt.Fprintf(&b, "<%s>: %s\r\n", ascii(r.Addr), ascii(r.Text))
	}
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.WriteString("Content-Type: message/delivery-status\r\n\r\n")
	// Per-message fields (RFC 3464 §2.2).
	if env.EnvID != "" {
		fmt.Fprintf(&b, "Original-Envelope-Id: %s\r\n", ascii(env.EnvID))
	}
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\r\n", hostname)
	fmt.Fprintf(&b, "X-Mailwire-Queue-ID: %s\r\n", env.ID)
	fmt.Fprintf(&b, "Arrival-Date: %s\r\n", env.Created.Format(time.RFC1123Z))
	// Per-recipient fields (§2.3).
	for _, r := range failed {
		status := r.Enhanced
		if status == "" || status[0] == '2' {
			status = "5.0.0"
		}
		b.WriteString("\r\n")
		if r.ORCPT != "" {
			typ := r.ORCPTType
			if typ == "" {
				typ = "rfc822"
			}
			fmt.Fprintf(&b, "Original-Recipient: %s; %s\r\n", ascii(typ), ascii(r.ORCPT))
		}
		fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\r\n", ascii(r.Addr))
		b.WriteString("Action: failed\r\n")
		fmt.Fprintf(&b, "Status: %s\r\n", status)
		if r.Remote != "" {
			fmt.Fprintf(&b, "Remote-MTA: dns; %s\r\n", ascii(r.Remote))
		}
		if r.Code != 0 {
			fmt.Fprintf(&b, "Diagnostic-Code: smtp; %s\r\n", ascii(r.Text))
		}
		fmt.Fprintf(&b, "Last-Attempt-Date: %s\r\n", date)
	}
	b.WriteString("\r\n--" + boundary + "\r\n")
	switch {
	case len(orig) > 0 && full:
		b.WriteString("Content-Type: message/rfc822\r\n\r\n")
		b.Write(orig)
	case len(orig) > 0:
		b.WriteString("Content-Type: text/rfc822-headers\r\n\r\n")
		b.Write(orig)
	default:
		b.WriteString("Content-Type: text/plain; charset=us-ascii\r\n\r\n(the original header is not available)\r\n")
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// ascii keeps printable US-ASCII, one line, at most 500 octets.
func ascii(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 500; i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
