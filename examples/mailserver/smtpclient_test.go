package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
)

// smtpc is a small submission client over smtpwire and starttls.Client,
// for the load test: STARTTLS (verified), AUTH PLAIN, then transactions.
type smtpc struct {
	conn net.Conn
	r    *smtpwire.ReplyReader
	out  []byte
}

// dialSubmission connects to the STARTTLS submission port, upgrades, and
// logs in.
func dialSubmission(ctx context.Context, s *Server, user, pass string) (*smtpc, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", s.Addr["submission"])
	if err != nil {
		return nil, err
	}
	cl := starttls.Client{
		Protocol:  starttls.SMTP,
		Policy:    tlspolicy.Policy{Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS, ServerName: "127.0.0.1", RootCAs: s.CertPool()},
		TLSConfig: s.TLSConfig(),
		Hello:     "load.example.test",
	}
	uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := cl.Upgrade(uctx, raw)
	if err != nil {
		return nil, err
	}
	c := &smtpc{conn: conn, r: smtpwire.NewReplyReader(conn, smtpwire.ReplyReaderOptions{})}
	if err := c.do(250, func(b []byte) ([]byte, error) {
		return smtpwire.AppendCommand(b, smtpwire.VerbEHLO, "load.example.test")
	}); err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("EHLO: %w", err)
	}
	if err := c.do(235, func(b []byte) ([]byte, error) {
		return smtpwire.AppendAuth(b, "PLAIN", []byte("\x00"+user+"\x00"+pass), true)
	}); err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("AUTH: %w", err)
	}
	return c, nil
}

// do writes one command and wants the reply code.
func (c *smtpc) do(want int, cmd func([]byte) ([]byte, error)) error {
	var err error
	c.out, err = cmd(c.out[:0])
	if err != nil {
		return err
	}
	return c.send(want)
}

func (c *smtpc) send(want int) error {
	c.conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.conn.Write(c.out); err != nil {
		return err
	}
	rep, err := c.r.ReadReply()
	if err != nil {
		return err
	}
	if rep.Code != want {
		return fmt.Errorf("reply %d %s, want %d", rep.Code, rep.Line(0), want)
	}
	return nil
}

// sendMail runs one transaction.
func (c *smtpc) sendMail(from, to string, body []byte) error {
	if err := c.do(250, func(b []byte) ([]byte, error) { return smtpwire.AppendMailFrom(b, from, nil) }); err != nil {
		return fmt.Errorf("MAIL: %w", err)
	}
	if err := c.do(250, func(b []byte) ([]byte, error) { return smtpwire.AppendRcptTo(b, to, false, nil) }); err != nil {
		return fmt.Errorf("RCPT: %w", err)
	}
	if err := c.do(354, func(b []byte) ([]byte, error) { return smtpwire.AppendCommand(b, smtpwire.VerbDATA, "") }); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := c.do(250, func(b []byte) ([]byte, error) { return smtpwire.AppendData(b, body) }); err != nil {
		return fmt.Errorf("end of data: %w", err)
	}
	return nil
}

func (c *smtpc) quit() {
	c.do(221, func(b []byte) ([]byte, error) { return smtpwire.AppendCommand(b, smtpwire.VerbQUIT, "") })
	c.conn.Close()
}
