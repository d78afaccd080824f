package queue

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/headers"
)

// maxReturnedHeader bounds the original header block a DSN returns.
const maxReturnedHeader = 128 << 10

// bounce queues an RFC 3464 delivery status notification to env.From for
// the failed recipients, from the null reverse-path so that it never
// bounces itself. It returns the original's header block (RFC 6522
// text/rfc822-headers), not its body.
func (q *Queue) bounce(env *Envelope, failed []Recipient) {
	var hdr []byte
	if f, err := os.Open(filepath.Join(q.dir, "msg", env.ID)); err == nil {
		buf := make([]byte, maxReturnedHeader)
		block, _, err := headers.ReadBlock(f, buf)
		f.Close()
		if err == nil {
			hdr = block
		}
	}
	msg, err := BuildDSN(q.cfg.Hostname, env, failed, hdr, q.now())
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
// header is the original's header block to return, or nil.
func BuildDSN(hostname string, env *Envelope, failed []Recipient, header []byte, now time.Time) ([]byte, error) {
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
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\r\n", hostname)
	fmt.Fprintf(&b, "X-Mailwire-Queue-ID: %s\r\n", env.ID)
	fmt.Fprintf(&b, "Arrival-Date: %s\r\n", env.Created.Format(time.RFC1123Z))
	// Per-recipient fields (§2.3).
	for _, r := range failed {
		status := r.Enhanced
		if status == "" || status[0] == '2' {
			status = "5.0.0"
		}
		fmt.Fprintf(&b, "\r\nFinal-Recipient: rfc822; %s\r\n", ascii(r.Addr))
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
	if len(header) > 0 {
		b.WriteString("Content-Type: text/rfc822-headers\r\n\r\n")
		b.Write(header)
	} else {
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
