package submission

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/starttls"
)

// maxErrors is how many refused commands a session may send before it is
// closed with 421.
const maxErrors = 20

// session is one SMTP connection.
type session struct {
	srv    *Server
	cfg    *Config
	conn   net.Conn
	ip     netip.Addr
	r      *smtpwire.CommandReader
	tls    *starttls.Server
	secure bool
	out    []byte
	log    *slog.Logger

	greeted bool // EHLO or HELO seen (since the last TLS start)
	ehlo    bool // EHLO, not HELO
	user    *users.User
	errors  int
	closing bool
	scratch []byte

	// the transaction
	mail  bool
	from  string
	utf8  bool
	ret   smtpwire.Ret
	envid string
	// requireTLS: MAIL had REQUIRETLS (RFC 8689).
	requireTLS bool
	rcpts      []rcpt
	bdat       *bdatState

	mu      sync.Mutex // guards waiting
	waiting bool       // blocked reading a command: shutdown may interrupt
	stopped bool       // shutdown interrupted the read
}

type rcpt struct {
	addr   string
	local  string // user name; "" for a remote recipient
	notify smtpwire.Notify
	orcpt  string // "type;address", decoded
}

func newSession(s *Server, conn net.Conn) *session {
	ss := &session{srv: s, cfg: &s.cfg, conn: conn, ip: remoteIP(conn)}
	ss.log = s.cfg.Log.With("proto", "submission", "client", ss.ip.String())
	ss.r = smtpwire.NewCommandReader(conn, smtpwire.CommandReaderOptions{MaxLine: 1024})
	if _, ok := conn.(*tls.Conn); ok {
		ss.secure = true
		ss.tls = starttls.NewServer(conn, starttls.SMTP, nil)
	} else {
		ss.tls = starttls.NewServer(conn, starttls.SMTP, s.cfg.TLS)
	}
	return ss
}

func (s *session) close() {
	s.abortBDAT()
	s.flush()
	_ = s.conn.Close()
	s.log.Info("disconnect")
}

func (s *session) run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.stopped = true
		if s.waiting {
			_ = s.conn.SetReadDeadline(time.Now())
		}
	})
	defer stop()
	s.log.Info("connect", "tls", s.secure)
	s.reply(220, code(0, 0, 0), s.cfg.Hostname+" ESMTP ready")
	for !s.closing {
		if s.shutdown() {
			s.reply(421, code(4, 3, 2), s.cfg.Hostname+" shutting down")
			return
		}
		cmd, err := s.readCommand()
		if err != nil {
			if s.shutdown() {
				s.reply(421, code(4, 3, 2), s.cfg.Hostname+" shutting down")
				return
			}
			// An unknown command (smtpwire.ErrUnknownCommand) arrives here
			// too, and counts toward the limit below.
			if !s.fail(err) {
				return
			}
		} else {
			s.command(ctx, cmd)
		}
		if s.errors >= maxErrors {
			s.reply(421, code(4, 7, 0), "too many errors, closing")
			s.log.Info("too many errors")
			return
		}
	}
}

// shutdown reports whether the server is shutting down.
func (s *session) shutdown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// readCommand reads one command under the idle deadline, flushing the
// replies first unless more pipelined commands are waiting.
func (s *session) readCommand() (smtpwire.Command, error) {
	if s.r.Buffered() == 0 {
		s.flush()
	}
	s.mu.Lock()
	s.waiting = true
	if s.stopped {
		_ = s.conn.SetReadDeadline(time.Now())
	} else {
		_ = s.conn.SetReadDeadline(time.Now().Add(s.cfg.Idle))
	}
	s.mu.Unlock()
	cmd, err := s.r.ReadCommand()
	s.mu.Lock()
	s.waiting = false
	s.mu.Unlock()
	return cmd, err
}

// fail answers a read error; false means the connection is done.
func (s *session) fail(err error) bool {
	st := smtpwire.StatusOf(err)
	if st.Code == 0 {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			s.reply(421, code(4, 4, 2), s.cfg.Hostname+" idle timeout, closing")
			s.log.Info("idle timeout")
		} else if !errors.Is(err, io.EOF) {
			s.log.Info("read error", "err", err)
		}
		return false
	}
	s.errors++
	s.reply(st.Code, st.Enhanced, st.Text)
	return !st.Fatal
}

func code(c, s, d uint16) smtpwire.EnhancedCode {
	return smtpwire.EnhancedCode{Class: c, Subject: s, Detail: d}
}

// reply queues a reply; flush sends what is queued.
func (s *session) reply(c int, e smtpwire.EnhancedCode, text ...string) {
	out, err := smtpwire.AppendReply(s.out, c, e, text...)
	if err != nil {
		out, _ = smtpwire.AppendReply(s.out, 451, code(4, 3, 0), "internal error")
	}
	s.out = out
}

func (s *session) flush() {
	if len(s.out) == 0 {
		return
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.cfg.Idle))
	if _, err := s.conn.Write(s.out); err != nil {
		s.closing = true
	}
	s.out = s.out[:0]
}

// refuseErr answers a refused command with the reply of the library's
// typed error (smtpwire.StatusOf) and counts it; a fatal one ends the
// session.
func (s *session) refuseErr(err error) {
	st := smtpwire.StatusOf(err)
	s.refuse(st.Code, st.Enhanced, st.Text)
	s.closing = s.closing || st.Fatal
}

// refuse answers a refused command and counts it.
func (s *session) refuse(c int, e smtpwire.EnhancedCode, text string) {
	s.errors++
	s.reply(c, e, text)
}

func (s *session) command(ctx context.Context, cmd smtpwire.Command) {
	switch cmd.Verb {
	case smtpwire.VerbEHLO, smtpwire.VerbHELO:
		s.hello(cmd)
	case smtpwire.VerbSTARTTLS:
		s.startTLS(ctx)
	case smtpwire.VerbAUTH:
		s.auth(cmd.Args)
	case smtpwire.VerbMAIL:
		s.mailFrom(cmd.Args)
	case smtpwire.VerbRCPT:
		s.rcptTo(cmd.Args)
	case smtpwire.VerbDATA:
		s.data()
	case smtpwire.VerbBDAT:
		s.chunk(cmd.Args)
	case smtpwire.VerbRSET:
		s.reset()
		s.reply(250, code(2, 0, 0), "reset")
	case smtpwire.VerbNOOP:
		s.reply(250, code(2, 0, 0), "ok")
	case smtpwire.VerbVRFY:
		s.reply(252, code(2, 5, 0), "Cannot VRFY user, but will accept message and attempt delivery")
	case smtpwire.VerbEXPN:
		s.refuse(502, code(5, 5, 1), "EXPN not available")
	case smtpwire.VerbHELP:
		s.reply(214, code(2, 0, 0), "see RFC 5321 and RFC 6409")
	case smtpwire.VerbQUIT:
		s.reply(221, code(2, 0, 0), s.cfg.Hostname+" closing")
		s.closing = true
	default:
		// A verb the library knows that this service does not offer
		// (XCLIENT) gets the reply of one it does not know.
		s.refuseErr(smtpwire.ErrUnknownCommand)
	}
}

// reset forgets the transaction (RSET, EHLO, the end of a message).
func (s *session) reset() {
	s.abortBDAT()
	s.mail, s.from, s.utf8, s.ret, s.envid, s.requireTLS = false, "", false, smtpwire.RetNone, "", false
	s.rcpts = s.rcpts[:0]
}

// authAllowed reports whether AUTH may be used (and advertised) now.
func (s *session) authAllowed() bool { return s.secure || !s.cfg.RequireTLS }

func (s *session) hello(cmd smtpwire.Command) {
	name, err := smtpwire.ParseHello(cmd.Args)
	if err != nil {
		s.errors++
		st := smtpwire.StatusOf(err)
		s.reply(st.Code, st.Enhanced, st.Text)
		return
	}
	s.reset()
	s.greeted, s.ehlo = true, cmd.Verb == smtpwire.VerbEHLO
	// The EHLO name goes to the log, never into a message.
	s.log.Info("hello", "name", string(name), "ehlo", s.ehlo)
	if !s.ehlo {
		s.reply(250, code(0, 0, 0), s.cfg.Hostname)
		return
	}
	lines := []string{
		s.cfg.Hostname,
		"PIPELINING",
		fmt.Sprintf("SIZE %d", s.cfg.MaxMessage),
		"8BITMIME",
		"ENHANCEDSTATUSCODES",
		"SMTPUTF8",
		"CHUNKING",
		"DSN",
	}
	if s.tls.Advertise() && !s.secure {
		lines = append(lines, "STARTTLS")
	}
	if s.cfg.OfferRequireTLS && s.secure {
		lines = append(lines, "REQUIRETLS")
	}
	if s.authAllowed() {
		lines = append(lines, "AUTH PLAIN LOGIN")
	}
	s.reply(250, code(0, 0, 0), lines...)
}

func (s *session) startTLS(ctx context.Context) {
	if s.secure && s.tls.State() != starttls.StateSecure { // implicit TLS
		s.refuse(503, code(5, 5, 1), "TLS already active")
		return
	}
	if s.bdat != nil || s.mail {
		s.refuse(503, code(5, 5, 1), "STARTTLS not allowed in a transaction")
		return
	}
	s.flush()
	_ = s.conn.SetDeadline(time.Now().Add(s.cfg.Idle))
	hctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tc, err := s.tls.Upgrade(hctx, nil, s.r)
	_ = s.conn.SetDeadline(time.Time{})
	if err != nil {
		var se *starttls.Error
		if errors.As(err, &se) && !se.Fatal() {
			s.errors++
			return
		}
		s.log.Info("starttls failed", "err", err)
		s.closing = true
		return
	}
	// Every plaintext-era fact is gone (RFC 3207 §4.2).
	s.conn, s.secure = tc, true
	s.reset()
	s.greeted, s.ehlo, s.user = false, false, nil
	st := tc.ConnectionState()
	s.log.Info("tls", "version", tls.VersionName(st.Version), "cipher", tls.CipherSuiteName(st.CipherSuite))
}

// protocolName is the WITH of the Received field (RFC 3848).
func (s *session) protocolName() string {
	switch {
	case s.secure && s.user != nil:
		return "ESMTPSA"
	case s.user != nil:
		return "ESMTPA"
	case s.secure:
		return "ESMTPS"
	}
	return "ESMTP"
}
