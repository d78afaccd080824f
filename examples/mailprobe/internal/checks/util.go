package checks

import "github.com/mailwire/mailwire/examples/mailprobe/internal/session"

func quitCmd(c *conn) string {
	if c.Proto == session.IMAP {
		return "LOGOUT"
	}
	return "QUIT"
}
