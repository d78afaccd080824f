package queue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
)

// relay delivers to the smarthost over SMTP: STARTTLS (or implicit TLS)
// as Config.Level asks, through starttls.Client, which never carries on in
// plaintext at a required level; AUTH only over TLS; MAIL, every RCPT,
// then BDAT when the relay offers CHUNKING, else DATA.
type relay struct {
	q *Queue
}

func (r *relay) Key() string { return "relay:" + r.q.cfg.Relay }

// policy is the TLS policy of the relay connection.
func (r *relay) policy() tlspolicy.Policy {
	cfg := r.q.cfg
	host, _, _ := net.SplitHostPort(cfg.Relay)
	p := tlspolicy.Policy{Level: cfg.Level, ServerName: host, RootCAs: cfg.RootCAs}
	switch {
	case cfg.Level == tlspolicy.LevelNone:
		p.Transport = tlspolicy.TransportPlain
	case cfg.Implicit:
		p.Transport = tlspolicy.TransportImplicit
		if p.Level < tlspolicy.LevelEncrypt {
			p.Level = tlspolicy.LevelEncrypt
		}
	default:
		p.Transport = tlspolicy.TransportSTARTTLS
	}
	return p
}

// conversation is one SMTP client session.
type conversation struct {
	conn net.Conn
	rr   *smtpwire.ReplyReader
	w    *bufio.Writer
	buf  []byte
}

// cmd writes line (already CRLF-terminated) and reads the reply.
func (c *conversation) cmd(line []byte) (*smtpwire.Reply, error) {
	if _, err := c.w.Write(line); err != nil {
		return nil, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.rr.ReadReply()
}

// result turns a reply into a recipient result.
func result(rep *smtpwire.Reply, remote string) Result {
	res := Result{Code: rep.Code, Remote: remote, Text: replyText(rep)}
	if !rep.Enhanced.IsZero() {
		res.Enhanced = rep.Enhanced.String()
	}
	switch rep.Code / 100 {
	case 2:
		res.Status = Sent
	case 5:
		res.Status = Failed
	default:
		res.Status = Pending
	}
	return res
}

// replyText joins the reply's lines, printable ASCII only, for the log and
// the DSN's Diagnostic-Code.
func replyText(rep *smtpwire.Reply) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", rep.Code)
	for l := range rep.Lines() {
		b.WriteByte(' ')
		for _, c := range l {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('?')
			}
		}
		if b.Len() > 400 {
			break
		}
	}
	return b.String()
}

func deferAll(n int, remote, enhanced, text string) []Result {
	return all(n, Result{Status: Pending, Code: 451, Enhanced: enhanced, Text: text, Remote: remote})
}

func (r *relay) Deliver(ctx context.Context, env *Envelope, rcpts []string, open func() (io.ReadCloser, error)) []Result {
	cfg := r.q.cfg
	remote, _, _ := net.SplitHostPort(cfg.Relay)
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", cfg.Relay)
	if err != nil {
		return deferAll(len(rcpts), remote, "4.4.1", "connection to the relay failed: "+err.Error())
	}
	cl := starttls.Client{Protocol: starttls.SMTP, Policy: r.policy(), Hello: cfg.Hostname}
	conn, rep, err := cl.Upgrade(ctx, raw)
	if err != nil {
		// Upgrade closed the connection: nothing was sent in plaintext.
		r.q.log.Warn("relay TLS failed, message stays queued", "id", env.ID, "level", cfg.Level.String(), "err", err)
		return deferAll(len(rcpts), remote, "4.7.0", fmt.Sprintf("TLS to the relay failed at level %s: %v", cfg.Level, err))
	}
	defer conn.Close()
	secure := rep.State == starttls.StateSecure
	if !secure {
		r.q.log.Info("relay session in plaintext", "id", env.ID, "level", cfg.Level.String(), "reason", fmt.Sprint(rep.Reason))
	}
	if env.RequireTLS && !(secure && cl.Policy.Level.MustVerify()) {
		// RFC 8689 §4.2.1: only over TLS with a verified peer.
		return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.7.30", Remote: remote,
			Text: fmt.Sprintf("REQUIRETLS: the relay connection is not verified TLS (level %s)", cl.Policy.Level)})
	}
	res, _ := r.q.transact(ctx, conn, env, rcpts, open, txOptions{
		peer: "relay", remote: remote, secure: secure, login: cfg.AuthUser != "", requireTLS: env.RequireTLS,
		greeting: cl.Policy.Transport == tlspolicy.TransportImplicit || cl.Policy.Transport == tlspolicy.TransportPlain,
	})
	return res
}

// txOptions say how transact runs a session.
type txOptions struct {
	peer     string // "relay" or "MX host", for texts
	remote   string // Remote-MTA of the results
	secure   bool   // the session runs over TLS
	greeting bool   // the greeting is still to be read (plaintext or implicit TLS)
	login    bool   // AUTH with Config.AuthUser (only over TLS)
	// requireTLS: the message has REQUIRETLS (RFC 8689): the server must
	// offer it, and MAIL carries it.
	requireTLS bool
}

// txStage is how far transact got: before MAIL an MX delivery may try
// the next host.
type txStage int

const (
	stageConnect txStage = iota // greeting, EHLO, AUTH: nothing of the message sent
	stageMail                   // MAIL was sent: the results are final for this attempt
)

// transact runs the SMTP transaction over conn (after any STARTTLS):
// greeting when o.greeting, EHLO, AUTH, MAIL, every RCPT, then BDAT when
// the server offers CHUNKING, else DATA, and QUIT. It returns one result
// per recipient and how far it got.
func (q *Queue) transact(ctx context.Context, conn net.Conn, env *Envelope, rcpts []string, open func() (io.ReadCloser, error), o txOptions) ([]Result, txStage) {
	cfg := q.cfg
	remote := o.remote
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	secure := o.secure
	c := &conversation{conn: conn, rr: smtpwire.NewReplyReader(conn, smtpwire.ReplyReaderOptions{}), w: bufio.NewWriter(conn)}
	res := make([]Result, len(rcpts))
	for i := range res {
		res[i] = Result{Status: Pending, Code: 451, Enhanced: "4.4.2", Text: "connection to the " + o.peer + " lost", Remote: remote}
	}
	stage := stageConnect
	fail := func(err error) ([]Result, txStage) {
		q.log.Info(o.peer+" session failed", "id", env.ID, "err", err)
		for i := range res {
			if res[i].Code == 451 && res[i].Enhanced == "4.4.2" {
				res[i].Text = o.peer + " session failed: " + err.Error()
			}
		}
		return res, stage
	}
	// Implicit TLS and plaintext (LevelNone): the greeting comes now.
	// After STARTTLS, or a LevelMay fallback, it has been read.
	if o.greeting {
		g, err := c.rr.ReadReply()
		if err != nil {
			return fail(err)
		}
		if g.Code != 220 {
			// A refused greeting says nothing about the recipients: retry.
			return deferAll(len(rcpts), remote, "4.4.2", o.peer+" greeting refused: "+replyText(g)), stage
		}
	}
	line, _ := smtpwire.AppendCommand(c.buf[:0], smtpwire.VerbEHLO, cfg.Hostname)
	ehlo, err := c.cmd(line)
	if err != nil {
		return fail(err)
	}
	if ehlo.Code != 250 {
		out := deferAll(len(rcpts), remote, "4.4.2", o.peer+" refused EHLO: "+replyText(ehlo))
		c.quit()
		return out, stage
	}
	caps, err := smtpwire.ParseCapabilities(ehlo)
	if err != nil {
		return fail(err)
	}
	if o.login {
		if !secure {
			q.log.Warn(o.peer+" AUTH not sent: no TLS", "id", env.ID)
		} else if rr := q.auth(c, caps); rr != nil {
			rr.Remote = remote
			q.log.Warn(o.peer+" AUTH refused, message stays queued", "id", env.ID, "reply", rr.Text)
			out := deferAll(len(rcpts), remote, "4.7.0", o.peer+" refused our login: "+rr.Text)
			c.quit()
			return out, stage
		}
	}
	if o.requireTLS && (!secure || !caps.Has(smtpwire.ExtRequireTLS)) {
		// RFC 8689 §4.2.1: the message is not sent on without REQUIRETLS.
		out := all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.7.30", Remote: remote,
			Text: "REQUIRETLS: " + remote + " does not offer REQUIRETLS after TLS, the message is not sent on"})
		c.quit()
		return out, stageMail
	}
	f, err := open()
	if err != nil {
		return deferAll(len(rcpts), remote, "4.3.0", "message unreadable: "+err.Error()), stage
	}
	defer f.Close()
	mp := &smtpwire.MailParams{RequireTLS: o.requireTLS}
	if _, ok := caps.MaxSize(); ok || caps.Has(smtpwire.ExtSize) {
		mp.Size = uint64(env.Size)
	}
	dsn := caps.Has(smtpwire.ExtDSN)
	if dsn { // the relay takes the RFC 3461 parameters over
		mp.Ret, mp.EnvID = env.Ret, env.EnvID
	}
	line, err = smtpwire.AppendMailFrom(c.buf[:0], env.From, mp)
	if err != nil {
		return all(len(rcpts), Result{Status: Failed, Code: 553, Enhanced: "5.1.7", Text: "sender address cannot be written: " + err.Error()}), stageMail
	}
	stage = stageMail
	mr, err := c.cmd(line)
	if err != nil {
		return fail(err)
	}
	if mr.Code != 250 {
		out := all(len(rcpts), withStatus(result(mr, remote))) // before quit reuses mr
		c.quit()
		return out, stage
	}
	accepted := []int{}
	for i, a := range rcpts {
		var rp *smtpwire.RcptParams
		if dsn {
			if rc := env.rcpt(a); rc != nil && (rc.Notify != 0 || rc.ORCPT != "") {
				rp = &smtpwire.RcptParams{Notify: rc.Notify, ORCPTType: rc.ORCPTType, ORCPT: rc.ORCPT}
			}
		}
		line, err := smtpwire.AppendRcptTo(c.buf[:0], a, false, rp)
		if err != nil {
			res[i] = Result{Status: Failed, Code: 553, Enhanced: "5.1.3", Text: "recipient address cannot be written: " + err.Error(), Remote: remote}
			continue
		}
		rr, err := c.cmd(line)
		if err != nil {
			return fail(err)
		}
		res[i] = withStatus(result(rr, remote))
		if rr.Code/100 == 2 {
			res[i].Status = Pending // sent only once the data is accepted
			accepted = append(accepted, i)
		}
	}
	if len(accepted) == 0 {
		c.quit()
		return res, stage
	}
	var final *smtpwire.Reply
	if caps.Has(smtpwire.ExtChunking) {
		final, err = c.bdat(f, env.Size)
	} else {
		final, err = c.data(f)
	}
	if err != nil {
		for _, i := range accepted {
			res[i] = Result{Status: Pending, Code: 451, Enhanced: "4.4.2", Remote: remote}
		}
		return fail(err)
	}
	for _, i := range accepted {
		res[i] = withStatus(result(final, remote))
	}
	c.quit()
	return res, stage
}

// withStatus gives a result without an enhanced code one from its class.
func withStatus(r Result) Result {
	if r.Enhanced == "" {
		switch r.Status {
		case Sent:
			r.Enhanced = "2.0.0"
		case Failed:
			r.Enhanced = "5.0.0"
		default:
			r.Enhanced = "4.0.0"
		}
	}
	return r
}

// auth logs in with PLAIN (or LOGIN); a non-nil result is the refusal.
func (q *Queue) auth(c *conversation, caps smtpwire.Capabilities) *Result {
	cfg := q.cfg
	var rep *smtpwire.Reply
	var err error
	switch {
	case caps.HasAuth("PLAIN"):
		msg := []byte("\x00" + cfg.AuthUser + "\x00" + cfg.AuthPass)
		var line []byte
		line, err = smtpwire.AppendAuth(c.buf[:0], "PLAIN", msg, true)
		if err == nil {
			rep, err = c.cmd(line)
		}
	case caps.HasAuth("LOGIN"):
		var line []byte
		line, err = smtpwire.AppendAuth(c.buf[:0], "LOGIN", nil, false)
		if err == nil {
			rep, err = c.cmd(line)
		}
		for _, v := range []string{cfg.AuthUser, cfg.AuthPass} {
			if err != nil || rep.Code != 334 {
				break
			}
			rep, err = c.cmd(smtpwire.AppendAuthResponse(c.buf[:0], []byte(v)))
		}
	default:
		return &Result{Status: Pending, Code: 454, Enhanced: "4.7.0", Text: "relay offers neither AUTH PLAIN nor LOGIN"}
	}
	if err != nil {
		return &Result{Status: Pending, Code: 451, Enhanced: "4.7.0", Text: err.Error()}
	}
	if rep.Code != 235 {
		res := result(rep, "")
		return &res
	}
	return nil
}

// bdat sends the message as one chunk with LAST (RFC 3030): no stuffing.
func (c *conversation) bdat(f io.Reader, size int64) (*smtpwire.Reply, error) {
	if _, err := c.w.Write(smtpwire.AppendBDAT(c.buf[:0], uint64(size), true)); err != nil {
		return nil, err
	}
	n, err := io.Copy(c.w, f)
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, errors.New("message file changed size")
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.rr.ReadReply()
}

// data sends the message with DATA, dot-stuffed; a bare CR or LF in it
// fails the write before the terminator goes out.
func (c *conversation) data(f io.Reader) (*smtpwire.Reply, error) {
	line, _ := smtpwire.AppendCommand(c.buf[:0], smtpwire.VerbDATA, "")
	rep, err := c.cmd(line)
	if err != nil {
		return nil, err
	}
	if rep.Code != 354 {
		return rep, nil
	}
	dw := smtpwire.NewDataWriter(c.w)
	if _, err := io.Copy(dw, f); err != nil {
		return nil, err
	}
	if err := dw.Close(); err != nil {
		return nil, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return c.rr.ReadReply()
}

func (c *conversation) quit() {
	line, _ := smtpwire.AppendCommand(c.buf[:0], smtpwire.VerbQUIT, "")
	_, _ = c.cmd(line)
}

// rcpt returns the recipient addr of env.
func (env *Envelope) rcpt(addr string) *Recipient {
	for i := range env.Rcpts {
		if env.Rcpts[i].Addr == addr {
			return &env.Rcpts[i]
		}
	}
	return nil
}
