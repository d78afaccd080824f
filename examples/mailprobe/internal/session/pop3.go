package session

import (
	"github.com/mailwire/mailwire/pop3"
)

func (c *Conn) readPOP3() (Reply, error) {
	resp, err := c.pop.ReadResponse()
	if err != nil {
		return Reply{}, err
	}
	return pop3Reply(resp), nil
}

func pop3Reply(resp pop3.Response) Reply {
	r := Reply{}
	switch resp.Status {
	case pop3.StatusOK:
		r.Cond, r.OK = "+OK", true
	case pop3.StatusErr:
		r.Cond = "-ERR"
	default:
		r.Cond, r.OK = "+", true
	}
	line := r.Cond
	if len(resp.Code) > 0 {
		line += " [" + string(resp.Code) + "]"
	}
	if len(resp.Text) > 0 {
		line += " " + string(resp.Text)
	}
	r.Lines = []string{line}
	return r
}

// pop3Caps sends CAPA and reads the listing.
func (c *Conn) pop3Caps() ([]string, Reply, error) {
	if err := c.Write([]byte("CAPA\r\n")); err != nil {
		return nil, Reply{}, err
	}
	return c.readPOP3Caps()
}

func (c *Conn) readPOP3Caps() ([]string, Reply, error) {
	r, err := c.readPOP3()
	if err != nil || !r.OK {
		return nil, r, err
	}
	var caps pop3.Capabilities
	err = c.pop.ReadCapabilities(&caps)
	var out []string
	for l := range caps.Lines() {
		out = append(out, string(l))
	}
	return out, r, err
}
