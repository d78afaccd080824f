package submission

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/privacy"
	"github.com/mailwire/mailwire/headers"
	"github.com/mailwire/mailwire/smtpwire"
)

// mailFrom starts a transaction. DSN parameters (RET, ENVID on MAIL;
// NOTIFY, ORCPT on RCPT) go to a queue that takes them (DSNQueue).
func (s *session) mailFrom(args []byte) {
	switch {
	case s.cfg.RequireTLS && !s.secure:
		s.refuse(530, code(5, 7, 0), "Must issue a STARTTLS command first")
		return
	case !s.greeted:
		s.refuse(503, code(5, 5, 1), "EHLO first")
		return
	case s.user == nil:
		s.refuse(530, code(5, 7, 0), "Authentication required")
		return
	case s.mail:
		s.refuse(503, code(5, 5, 1), "nested MAIL command")
		return
	}
	m, err := smtpwire.ParseMailFrom(args, smtpwire.PathOptions{})
	if err != nil {
		st := smtpwire.StatusOf(err)
		s.refuse(st.Code, st.Enhanced, st.Text)
		return
	}
	ret, envid := smtpwire.RetNone, ""
	for p := range m.Params.All() {
		switch p.Kind {
		case smtpwire.ParamRet:
			ret = p.Ret()
		case smtpwire.ParamEnvID:
			v, err := p.DecodeXtext(nil)
			if err != nil {
				s.refuse(501, code(5, 5, 4), "malformed ENVID")
				return
			}
			envid = string(v)
		case smtpwire.ParamSize:
			if int64(p.Size()) > s.cfg.MaxMessage || p.Size() > 1<<62 {
				s.refuse(552, code(5, 3, 4), "message size exceeds fixed maximum message size")
				return
			}
		case smtpwire.ParamBody:
			if p.Body() == smtpwire.BodyBinaryMIME {
				s.refuse(555, code(5, 5, 4), "BINARYMIME not supported")
				return
			}
		case smtpwire.ParamSMTPUTF8, smtpwire.ParamAuth:
		case smtpwire.ParamRequireTLS:
			if !s.cfg.OfferRequireTLS || !s.secure {
				s.refuse(555, code(5, 5, 4), "parameter \"REQUIRETLS\" not supported")
				return
			}
		default:
			s.refuse(555, code(5, 5, 4), "parameter "+strconv.Quote(string(p.Keyword))+" not supported")
			return
		}
	}
	from := string(m.From.Mailbox)
	if m.From.IsNull() || !strings.EqualFold(from, s.user.Address) {
		s.log.Info("sender refused", "user", s.user.Name, "from", from)
		s.refuse(553, code(5, 7, 1), "sender address not owned by the authenticated user")
		return
	}
	s.mail, s.from, s.utf8 = true, s.user.Address, m.Params.Has(smtpwire.ParamSMTPUTF8)
	s.ret, s.envid = ret, envid
	s.requireTLS = m.Params.Has(smtpwire.ParamRequireTLS)
	s.reply(250, code(2, 1, 0), "sender ok")
}

func (s *session) rcptTo(args []byte) {
	if !s.mail {
		s.refuse(503, code(5, 5, 1), "MAIL first")
		return
	}
	if s.bdat != nil {
		s.refuse(503, code(5, 5, 1), "RCPT not allowed after BDAT")
		return
	}
	r, err := smtpwire.ParseRcptTo(args, smtpwire.PathOptions{SMTPUTF8: s.utf8})
	if err != nil {
		st := smtpwire.StatusOf(err)
		s.refuse(st.Code, st.Enhanced, st.Text)
		return
	}
	var notify smtpwire.Notify
	var orcpt string
	for p := range r.Params.All() {
		switch p.Kind {
		case smtpwire.ParamNotify:
			notify = p.Notify()
		case smtpwire.ParamORCPT:
			typ, _ := p.ORCPT()
			v, err := p.DecodeXtext(nil)
			if err != nil {
				s.refuse(501, code(5, 5, 4), "malformed ORCPT")
				return
			}
			orcpt = string(typ) + ";" + string(v)
		default:
			s.refuse(555, code(5, 5, 4), "parameter "+strconv.Quote(string(p.Keyword))+" not supported")
			return
		}
	}
	addr := string(r.To.Mailbox)
	if len(r.To.Domain) == 0 { // <Postmaster>
		addr = "postmaster@" + s.cfg.Hostname
	}
	if len(s.rcpts) >= s.cfg.MaxRecipients {
		s.refuse(452, code(4, 5, 3), "too many recipients")
		return
	}
	rc := rcpt{addr: addr, notify: notify, orcpt: orcpt}
	if u, ok := s.cfg.Users.Lookup(addr); ok {
		rc.addr, rc.local = u.Address, u.Name
	} else if strings.EqualFold(string(r.To.Domain), s.cfg.Hostname) || len(r.To.Domain) == 0 {
		s.refuse(550, code(5, 1, 1), "no such user here")
		return
	} else if s.cfg.Queue == nil {
		s.refuse(550, code(5, 7, 1), "relaying denied")
		return
	}
	for _, have := range s.rcpts {
		if strings.EqualFold(have.addr, rc.addr) {
			s.reply(250, code(2, 1, 5), "recipient ok (duplicate)")
			return
		}
	}
	s.rcpts = append(s.rcpts, rc)
	s.reply(250, code(2, 1, 5), "recipient ok")
}

// ready checks that a message may follow; it answers the refusal.
func (s *session) ready() bool {
	switch {
	case !s.mail:
		s.refuse(503, code(5, 5, 1), "MAIL first")
	case len(s.rcpts) == 0:
		s.refuse(554, code(5, 5, 1), "no valid recipients")
	default:
		return true
	}
	return false
}

func (s *session) data() {
	if s.bdat != nil {
		s.refuse(503, code(5, 5, 1), "DATA not allowed after BDAT")
		return
	}
	if !s.ready() {
		return
	}
	s.reply(354, code(0, 0, 0), "end data with <CR><LF>.<CR><LF>")
	s.flush()
	src := &source{r: s.r.Data(s.cfg.MaxMessage), s: s}
	id, err := s.deliver(src)
	// The body must be read to its end whatever happened, so that the
	// session stays in step.
	_, _ = io.Copy(io.Discard, src)
	s.finish(id, src, err)
}

// finish answers the end of a message and ends the transaction.
func (s *session) finish(id string, src *source, err error) {
	defer s.reset()
	switch {
	case src.err != nil:
		st := smtpwire.StatusOf(src.err)
		if st.Code == 0 {
			s.log.Info("message aborted", "err", src.err)
			s.closing = true
			return
		}
		s.log.Info("message refused", "err", src.err)
		s.refuse(st.Code, st.Enhanced, st.Text)
		s.closing = s.closing || st.Fatal
	case errors.Is(err, privacy.ErrHeader):
		rep := headers.ReplyOf(err)
		s.log.Info("message refused", "err", err)
		if rep.Code == 0 {
			rep = headers.Reply{Code: 554, Enhanced: "5.6.0", Text: "message header refused"}
		}
		s.refuse(rep.Code, parseEnhanced(rep.Enhanced), rep.Text)
	case err != nil:
		s.log.Error("message not stored", "err", err)
		if errors.Is(err, syscall.ENOSPC) {
			s.reply(452, code(4, 3, 1), "insufficient system storage, try again later")
		} else {
			s.reply(451, code(4, 3, 0), "local error, message not accepted, try again later")
		}
	default:
		s.reply(250, code(2, 0, 0), "message accepted as "+id)
	}
}

// deliver runs the privacy pipeline over src and stores the message:
// in the local Maildirs when every recipient is local, else in the queue
// (all recipients, local ones included), so that it is stored once.
func (s *session) deliver(src io.Reader) (string, error) {
	id := privacy.NewID()
	m, err := s.srv.pipeline.Open(src, privacy.Trace{With: s.protocolName(), ID: id, Date: time.Now()})
	if err != nil {
		return id, err
	}
	defer m.Close()
	names := make([]string, 0, len(s.rcpts))
	addrs := make([]string, 0, len(s.rcpts))
	notify := make([]smtpwire.Notify, 0, len(s.rcpts))
	orcpt := make([]string, 0, len(s.rcpts))
	remote := false
	for _, r := range s.rcpts {
		names = append(names, r.local)
		addrs = append(addrs, r.addr)
		notify = append(notify, r.notify)
		orcpt = append(orcpt, r.orcpt)
		remote = remote || r.local == ""
	}
	if rq, ok := s.cfg.Queue.(RequireTLSQueue); ok && remote && s.requireTLS {
		err = rq.EnqueueRequireTLS(s.from, s.ret, s.envid, addrs, notify, orcpt, m)
	} else if dq, ok := s.cfg.Queue.(DSNQueue); ok && remote {
		err = dq.EnqueueDSN(s.from, s.ret, s.envid, addrs, notify, orcpt, m)
	} else if remote {
		err = s.cfg.Queue.Enqueue(s.from, addrs, m)
	} else {
		err = s.cfg.Local.Deliver(names, m)
	}
	if err == nil {
		s.log.Info("message accepted", "id", id, "user", s.user.Name, "rcpts", len(addrs), "queued", remote, "sanitized", len(m.Report.Changes))
	}
	return id, err
}

// source reads a message body from the client under the idle deadline and
// keeps the first error (bad input or a broken connection). With crlf set
// it also refuses a bare CR or LF, as the DATA reader does (for BDAT).
type source struct {
	r      io.Reader
	s      *session
	err    error
	n      int64
	crlf   bool
	prevCR *bool
}

func (c *source) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	_ = c.s.conn.SetReadDeadline(time.Now().Add(c.s.cfg.Idle))
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.crlf {
		for i := 0; i < n; i++ {
			switch {
			case *c.prevCR && p[i] != '\n':
				c.err = bareInBody(smtpwire.ErrBareCR)
			case !*c.prevCR && p[i] == '\n':
				c.err = bareInBody(smtpwire.ErrBareLF)
			}
			if c.err != nil {
				return 0, c.err
			}
			*c.prevCR = p[i] == '\r'
		}
	}
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// parseEnhanced reads "5.6.0"; a malformed code is none.
func parseEnhanced(s string) smtpwire.EnhancedCode {
	var e smtpwire.EnhancedCode
	if _, err := fmt.Sscanf(s, "%d.%d.%d", &e.Class, &e.Subject, &e.Detail); err != nil || !e.Valid() {
		return smtpwire.EnhancedCode{}
	}
	return e
}

// bareInBody is the error of a bare CR or LF in a BDAT body, with DATA's
// reply for it.
func bareInBody(sentinel error) error {
	return &smtpwire.Error{Err: sentinel, Offset: -1, Status: smtpwire.Status{Code: 554, Enhanced: code(5, 5, 0), Text: "Bare CR or LF in message, refused"}}
}
