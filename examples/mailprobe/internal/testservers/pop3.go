package testservers

import (
	"strings"

	"github.com/mailwire/mailwire/starttls"
)

func (c *sess) pop3() {
	c.say("+OK mailprobe test POP3 server ready\r\n")
	for {
		l, err := c.line()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(l, " ", 2)[0])
		switch verb {
		case "CAPA":
			c.say("+OK Capability list follows\r\nUIDL\r\nTOP\r\n")
			if !c.secure {
				c.say("STLS\r\n")
			}
			if c.secure || c.srv.has(PlaintextAuth) {
				c.say("USER\r\nSASL PLAIN\r\n")
			}
			c.say(".\r\n")
		case "STLS":
			if c.secure {
				c.say("-ERR TLS already active\r\n")
				continue
			}
			if c.srv.has(Refuse454) {
				c.say("-ERR TLS not available\r\n")
				continue
			}
			if !c.upgrade(starttls.POP3, "", "+OK Begin TLS negotiation\r\n", "+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n") {
				return
			}
		case "NOOP":
			c.say("+OK\r\n")
		case "USER", "AUTH":
			if !c.secure && !c.srv.has(PlaintextAuth) {
				c.say("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections\r\n")
				continue
			}
			if verb == "USER" {
				c.say("+OK\r\n")
				continue
			}
			c.say("+ \r\n")
			_, _ = c.line()
			c.say("-ERR authentication aborted\r\n")
		case "QUIT":
			c.say("+OK Bye\r\n")
			return
		default:
			c.say("-ERR unknown command\r\n")
		}
	}
}
