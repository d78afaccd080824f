package testservers

import (
	"strings"

	"github.com/mailwire/mailwire/starttls"
)

func (c *sess) imap() {
	if c.srv.has(Preauth) {
		c.say("* PREAUTH [CAPABILITY IMAP4rev1] logged in as nobody\r\n")
	} else {
		c.say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] mailprobe test IMAP server ready\r\n")
	}
	for {
		l, err := c.line()
		if err != nil {
			return
		}
		f := strings.SplitN(l, " ", 3)
		if len(f) < 2 {
			c.say("* BAD no tag\r\n")
			continue
		}
		tag, verb := f[0], strings.ToUpper(f[1])
		switch verb {
		case "CAPABILITY":
			caps := "* CAPABILITY IMAP4rev1"
			switch {
			case c.secure:
				caps += " AUTH=PLAIN"
			case c.srv.has(PlaintextAuth):
				caps += " STARTTLS AUTH=PLAIN"
			default:
				caps += " STARTTLS LOGINDISABLED"
			}
			c.say(caps + "\r\n" + tag + " OK CAPABILITY completed\r\n")
		case "STARTTLS":
			if c.secure {
				c.say(tag + " BAD TLS already active\r\n")
				continue
			}
			if c.srv.has(Refuse454) {
				c.say(tag + " NO TLS not available\r\n")
				continue
			}
			if !c.upgrade(starttls.IMAP, tag, tag+" OK Begin TLS negotiation now\r\n", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n") {
				return
			}
		case "NOOP":
			c.say(tag + " OK NOOP completed\r\n")
		case "AUTHENTICATE", "LOGIN":
			if !c.secure && !c.srv.has(PlaintextAuth) {
				c.say(tag + " NO [PRIVACYREQUIRED] Plaintext authentication disallowed\r\n")
				continue
			}
			if verb == "LOGIN" {
				c.say(tag + " NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
				continue
			}
			c.say("+ \r\n")
			_, _ = c.line()
			c.say(tag + " BAD authentication aborted\r\n")
		case "LOGOUT":
			c.say("* BYE logging out\r\n" + tag + " OK LOGOUT completed\r\n")
			return
		default:
			c.say(tag + " BAD unknown command\r\n")
		}
	}
}
