package pop3d

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/starttls"
)

// outBuf is the size of a session's output writer. It is small because
// every idle session holds one: status lines and listings fit (spill
// moves them on at 4 KiB, a write larger than the buffer goes to the
// connection directly), and RETR's body leaves through the BodyWriter's
// own buffer in large writes that bypass this one.
const outBuf = 1 << 10

// session is one connection.
type session struct {
	srv    *Server
	ctx    context.Context
	conn   net.Conn // the raw connection, or the TLS one after STLS
	ip     netip.Addr
	log    *slog.Logger
	r      *pop3.CommandReader
	w      *bufio.Writer
	tls    *starttls.Server // nil on implicit-TLS ports
	secure bool
	out    []byte // responses not yet written
	tmp    []byte // response text scratch

	user    string   // USER given, PASS pending
	name    string   // logged-in user
	drop    Maildrop // non-nil in TRANSACTION
	msgs    []store.Message
	deleted []bool
	body    *pop3.BodyWriter
	buf     []byte
	br      *bufio.Reader // TOP's line reader
}

// Serve runs one POP3 session and closes conn.
func (s *Server) Serve(ctx context.Context, conn net.Conn) {
	ss := &session{
		srv:  s,
		ctx:  ctx,
		conn: conn,
		ip:   remoteIP(conn),
		r:    pop3.NewCommandReader(conn, pop3.CommandReaderOptions{MaxAuthLine: maxAuthLine}),
		w:    bufio.NewWriterSize(conn, outBuf),
		out:  make([]byte, 0, 512),
		tmp:  make([]byte, 0, 128),
	}
	_, ss.secure = conn.(*tls.Conn)
	if !ss.secure {
		ss.tls = starttls.NewServer(conn, starttls.POP3, s.cfg.TLS)
	}
	ss.log = s.cfg.Log.With("proto", "pop3", "client", ss.ip.String())
	// The raw connection: after STLS the TLS one's deadlines are its own.
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	ss.log.Info("session start", "tls", ss.secure)
	reason := ss.run()
	if ss.drop != nil {
		ss.drop.Close() // no UPDATE state: nothing deleted
	}
	ss.conn.Close()
	ss.log.Info("session end", "user", ss.name, "reason", reason)
}

// reply appends a status line to the output.
func (ss *session) ok(text string) { ss.out, _ = pop3.AppendOK(ss.out, "", text) }
func (ss *session) errc(code pop3.Code, text string) {
	ss.out, _ = pop3.AppendErr(ss.out, code, text)
}

// flush writes the pending output; with more commands already buffered
// (PIPELINING) it keeps them for one write.
func (ss *session) flush(force bool) error {
	if len(ss.out) > 0 {
		if _, err := ss.w.Write(ss.out); err != nil {
			return err
		}
		ss.out = ss.out[:0]
	}
	if force || ss.r.Buffered() == 0 {
		return ss.w.Flush()
	}
	return nil
}

// run is the command loop; it returns why the session ended, for the log.
func (ss *session) run() string {
	ss.ok(ss.srv.cfg.Hostname + " POP3 ready")
	for {
		if err := ss.flush(false); err != nil {
			return "write: " + err.Error()
		}
		ss.conn.SetDeadline(time.Now().Add(ss.srv.cfg.Idle))
		if ss.ctx.Err() != nil {
			return ss.goodbye("shutting down")
		}
		cmd, err := ss.r.ReadCommand()
		if err != nil {
			if ss.ctx.Err() != nil {
				return ss.goodbye("shutting down")
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return ss.goodbye("idle timeout")
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				// The client stopped sending: the replies to what it
				// sent are still its own. Kept back while more commands
				// were buffered, they would otherwise be lost, or cut
				// where the writer last flushed a full buffer.
				ss.flushLast()
				return "client closed"
			}
			rep := pop3.ReplyOf(err)
			if rep.Text == "" {
				return "read: " + err.Error()
			}
			ss.out = pop3.AppendReply(ss.out, rep)
			if rep.Fatal {
				ss.flush(true)
				return "protocol error: " + err.Error()
			}
			continue
		}
		if done, why := ss.command(cmd); done {
			ss.flush(true)
			return why
		}
	}
}

// goodbye tells the client the session is over without UPDATE.
func (ss *session) goodbye(why string) string {
	if ss.drop != nil {
		ss.drop.Close() // released before the client hears the goodbye
		ss.drop = nil
	}
	ss.errc(pop3.CodeSysTemp, "closing: "+why)
	ss.flushLast()
	return why
}

// flushLast sends all pending output before the session ends, waiting at
// most 5 s for a client that does not read.
func (ss *session) flushLast() {
	ss.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	ss.flush(true)
}

// command runs one command; done ends the session.
func (ss *session) command(cmd pop3.Command) (done bool, why string) {
	switch cmd.Verb {
	case pop3.VerbCAPA:
		ss.capa()
		return false, ""
	case pop3.VerbQUIT:
		if ss.drop != nil {
			return true, ss.update()
		}
		ss.ok("bye")
		return true, "quit"
	case pop3.VerbUTF8, pop3.VerbLANG:
		// Known to the library, not offered (not in CAPA): answered as a
		// command it does not know, in either state.
		ss.out = pop3.AppendReply(ss.out, pop3.ReplyOf(pop3.ErrUnknownCommand))
		return false, ""
	}
	if ss.drop == nil {
		return ss.authorization(cmd)
	}
	ss.transaction(cmd)
	return false, ""
}

// capa lists the capabilities of the current state. Under -tls required,
// USER and SASL are listed only once TLS is on.
func (ss *session) capa() {
	lines := make([]string, 0, 10)
	lines = append(lines, "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER")
	if ss.tls != nil && ss.tls.Advertise() && ss.drop == nil {
		lines = append(lines, "STLS")
	}
	if ss.drop == nil && ss.authAllowed() {
		lines = append(lines, "USER", "SASL PLAIN")
	}
	ss.out, _ = pop3.AppendCapabilities(ss.out, lines...)
}

func (ss *session) authAllowed() bool { return ss.secure || !ss.srv.cfg.RequireTLS }

// authorization handles the AUTHORIZATION state.
func (ss *session) authorization(cmd pop3.Command) (bool, string) {
	switch cmd.Verb {
	case pop3.VerbSTLS:
		return ss.stls()
	case pop3.VerbUSER, pop3.VerbPASS, pop3.VerbAUTH, pop3.VerbAPOP:
		if !ss.authAllowed() {
			ss.user = ""
			ss.errc(pop3.CodeAuth, "TLS required: use STLS first")
			ss.log.Info("auth refused before TLS", "cmd", cmd.Verb.String())
			return false, ""
		}
	}
	switch cmd.Verb {
	case pop3.VerbUSER:
		ss.user = string(cmd.Arg)
		ss.ok("send PASS")
	case pop3.VerbPASS:
		if ss.user == "" {
			ss.errc("", "USER first")
			return false, ""
		}
		name := ss.user
		ss.user = ""
		ss.login(name, string(cmd.Arg))
	case pop3.VerbAUTH:
		ss.auth(cmd)
	case pop3.VerbAPOP:
		ss.errc("", "APOP not supported: use AUTH PLAIN or USER/PASS over TLS")
	case pop3.VerbNOOP:
		ss.errc("", "not logged in")
	default:
		ss.errc("", "command not valid before login")
	}
	return false, ""
}

// stls upgrades to TLS through starttls.Server: bytes pipelined behind STLS
// make it refuse and close; after the handshake every plaintext-era state
// (a pending USER) is gone.
func (ss *session) stls() (bool, string) {
	if ss.tls == nil {
		ss.errc("", "TLS already active")
		return false, ""
	}
	if err := ss.flush(true); err != nil {
		return true, "write: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(ss.ctx, 30*time.Second)
	defer cancel()
	tc, err := ss.tls.Upgrade(ctx, nil, ss.r)
	if err != nil {
		var se *starttls.Error
		if errors.As(err, &se) && !se.Fatal() {
			return false, "" // refusal written by Upgrade
		}
		ss.log.Info("stls failed", "err", err)
		return true, "stls: " + err.Error()
	}
	ss.conn, ss.secure, ss.user = tc, true, ""
	ss.w.Reset(tc)
	ss.log.Info("stls", "version", tls.VersionName(tc.ConnectionState().Version))
	return false, ""
}

// login checks credentials and opens the maildrop.
func (ss *session) login(name, password string) {
	u, ok := ss.srv.cfg.Users.Authenticate(name, password)
	if !ok {
		ss.fail(name)
		return
	}
	if f := ss.srv.cfg.AuthOK; f != nil {
		f(ss.ip)
	}
	drop, err := ss.srv.cfg.Store.OpenMaildrop(u.Name)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			ss.errc(pop3.CodeInUse, "maildrop already locked by another session")
			ss.log.Info("maildrop in use", "user", u.Name)
			return
		}
		ss.errc(pop3.CodeSysTemp, "cannot open maildrop")
		ss.log.Error("open maildrop", "user", u.Name, "err", err)
		return
	}
	ss.name, ss.drop = u.Name, drop
	ss.msgs = drop.Messages()
	ss.deleted = make([]bool, len(ss.msgs))
	n, size := ss.stat()
	ss.okCount("maildrop has ", n, size)
	ss.log.Info("login", "user", u.Name, "messages", n, "tls", ss.secure)
}

// fail answers a failed login after the limits' delay.
func (ss *session) fail(name string) {
	ss.log.Info("login failed", "name", name)
	if f := ss.srv.cfg.AuthFailed; f != nil {
		if d := f(ss.ip); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ss.ctx.Done():
				t.Stop()
			}
		}
	}
	ss.errc(pop3.CodeAuth, "invalid credentials")
}

func (ss *session) stat() (int, int64) {
	n, size := 0, int64(0)
	for i, m := range ss.msgs {
		if !ss.deleted[i] {
			n++
			size += m.Size
		}
	}
	return n, size
}

// update is QUIT in TRANSACTION: the UPDATE state commits the deletions.
func (ss *session) update() string {
	var idx []int
	for i, d := range ss.deleted {
		if d {
			idx = append(idx, i)
		}
	}
	err := ss.drop.Delete(idx)
	ss.drop.Close()
	ss.drop = nil
	if err != nil {
		ss.errc(pop3.CodeSysTemp, "some deleted messages not removed")
		ss.log.Error("update", "user", ss.name, "err", err)
		return "quit with errors"
	}
	ss.ok("bye, " + strconv.Itoa(len(idx)) + " messages deleted")
	ss.log.Info("update", "user", ss.name, "deleted", len(idx))
	return "quit"
}
