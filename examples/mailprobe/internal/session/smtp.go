package session

import (
	"strconv"

	"github.com/mailwire/mailwire/smtpwire"
)

func (c *Conn) readSMTP() (Reply, error) {
	rep, err := c.smtp.ReadReply()
	if err != nil {
		return Reply{}, err
	}
	return smtpReply(rep), nil
}

func smtpReply(rep *smtpwire.Reply) Reply {
	r := Reply{Code: rep.Code, OK: rep.Code < 400}
	n := rep.Len()
	code := strconv.Itoa(rep.Code)
	for i := 0; i < n; i++ {
		sep := "-"
		if i == n-1 {
			sep = " "
		}
		r.Lines = append(r.Lines, code+sep+string(rep.Line(i)))
	}
	return r
}

func (c *Conn) hello() string {
	if c.Hello != "" {
		return c.Hello
	}
	return "mailprobe.invalid"
}

// smtpCaps sends EHLO (LMTP: LHLO) and parses the capabilities.
func (c *Conn) smtpCaps() ([]string, Reply, error) {
	verb := "EHLO "
	if c.Proto == LMTP {
		verb = "LHLO "
	}
	if err := c.Write([]byte(verb + c.hello() + "\r\n")); err != nil {
		return nil, Reply{}, err
	}
	return c.readSMTPCaps()
}

func (c *Conn) readSMTPCaps() ([]string, Reply, error) {
	rep, err := c.smtp.ReadReply()
	if err != nil {
		return nil, Reply{}, err
	}
	r := smtpReply(rep)
	if rep.Code != 250 {
		return nil, r, nil
	}
	caps, err := smtpwire.ParseCapabilities(rep)
	if err != nil {
		return nil, r, err
	}
	var out []string
	for k, v := range caps.All() {
		// string(...) and len(...) read the same whether All yields strings
		// or byte views (issue 11 changes it to the latter).
		line := string(k)
		if len(v) > 0 {
			line += " " + string(v)
		}
		out = append(out, line)
	}
	return out, r, nil
}
