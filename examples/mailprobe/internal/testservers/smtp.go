package testservers

import (
	"encoding/base64"
	"strings"

	"github.com/mailwire/mailwire/starttls"
)

// The one account of the SMTP test server (AUTH PLAIN with an initial
// response).
const (
	User     = "alice"
	Password = "alicepw"
)

func (c *sess) smtp() {
	c.say("220 localhost ESMTP mailprobe test server\r\n")
	inTx := false
	for {
		l, err := c.line()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(l, " ", 2)[0])
		switch {
		case verb == "EHLO" || verb == "LHLO":
			caps := []string{"localhost", "PIPELINING", "8BITMIME"}
			if !c.secure && !c.srv.has(NoSTARTTLS) {
				caps = append(caps, "STARTTLS")
			}
			if c.secure || c.srv.has(PlaintextAuth) {
				caps = append(caps, "AUTH PLAIN")
			}
			for i, x := range caps {
				sep := "-"
				if i == len(caps)-1 {
					sep = " "
				}
				c.say("250" + sep + x + "\r\n")
			}
		case verb == "STARTTLS" && c.srv.has(NoSTARTTLS):
			c.say("502 5.5.2 Error: command not recognized\r\n")
		case verb == "STARTTLS":
			if c.secure {
				c.say("503 5.5.1 TLS already active\r\n")
				continue
			}
			if c.srv.has(Refuse454) {
				c.say("454 4.7.0 TLS not available due to temporary reason\r\n")
				continue
			}
			if !c.upgrade(starttls.SMTP, "", "220 2.0.0 Ready to start TLS\r\n", "250-localhost\r\n250 AUTH PLAIN LOGIN\r\n") {
				return
			}
			inTx = false
		case verb == "NOOP":
			c.say("250 2.0.0 OK\r\n")
		case verb == "RSET":
			inTx = false
			c.say("250 2.0.0 OK\r\n")
		case verb == "QUIT":
			c.say("221 2.0.0 Bye\r\n")
			return
		case verb == "AUTH":
			if !c.secure && !c.srv.has(PlaintextAuth) {
				c.say("538 5.7.11 Encryption required for requested authentication mechanism\r\n")
				continue
			}
			if f := strings.Fields(l); len(f) == 3 {
				if dec, err := base64.StdEncoding.DecodeString(f[2]); err == nil && string(dec) == "\x00"+User+"\x00"+Password {
					c.say("235 2.7.0 Authentication successful\r\n")
				} else {
					c.say("535 5.7.8 Authentication credentials invalid\r\n")
				}
				continue
			}
			c.say("334 \r\n")
			if a, err := c.line(); err != nil || a == "*" {
				c.say("501 5.0.0 AUTH aborted\r\n")
				continue
			}
			c.say("535 5.7.8 Authentication credentials invalid\r\n")
		case verb == "MAIL":
			if !c.secure && !c.srv.has(PlaintextAuth) && !c.srv.has(Refuse454) && !c.srv.has(NoSTARTTLS) {
				c.say("530 5.7.0 Must issue a STARTTLS command first\r\n")
				continue
			}
			inTx = true
			c.say("250 2.1.0 OK\r\n")
		case verb == "RCPT":
			if !inTx {
				c.say("503 5.5.1 MAIL first\r\n")
				continue
			}
			c.say("250 2.1.5 OK\r\n")
		case verb == "DATA":
			if !inTx {
				c.say("503 5.5.1 RCPT first\r\n")
				continue
			}
			c.say("354 End data with <CR><LF>.<CR><LF>\r\n")
			body, ok := c.data()
			if !ok {
				return
			}
			c.srv.mu.Lock()
			c.srv.Messages = append(c.srv.Messages, body)
			c.srv.mu.Unlock()
			inTx = false
			c.say("250 2.0.0 OK queued\r\n")
		default:
			c.say("502 5.5.2 Error: command not recognized\r\n")
		}
	}
}

// data reads a DATA body. Clean: it ends only at <CRLF>.<CRLF>. With
// BareLFEndOfData a "." line ended by a bare LF ends it too, as servers do
// that split lines at LF.
func (c *sess) data() (string, bool) {
	var b strings.Builder
	prevCRLF := true
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			return "", false
		}
		if l == ".\r\n" && prevCRLF {
			return b.String(), true
		}
		if c.srv.has(BareLFEndOfData) && (l == ".\n" || l == ".\r\n") {
			return b.String(), true
		}
		b.WriteString(l)
		prevCRLF = strings.HasSuffix(l, "\r\n")
	}
}
