package imapd

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/listener"
	"github.com/mailwire/mailwire/imapwire"
	"github.com/mailwire/mailwire/starttls"
)

// state is RFC 9051 §3's connection state.
type state uint8

const (
	stateNotAuth state = iota
	stateAuth
	stateSelected
)

// session is one connection. Only the command loop touches it, except
// during IDLE, when the loop waits for DONE and the idle goroutine owns
// the selected view and the writer (see idle.go).
type session struct {
	srv    *Server
	ctx    context.Context
	conn   net.Conn // the raw connection, or the TLS one after STARTTLS
	ip     netip.Addr
	log    *slog.Logger
	r      *imapwire.Reader
	d      *imapwire.Decoder
	w      *bufio.Writer
	tls    *starttls.Server // nil on implicit-TLS ports
	secure bool
	out    []byte   // responses not yet written
	tmp    []byte   // scratch
	caps   [][]byte // scratch: capability names for a response

	flagBuf  []byte   // scratch: a message's flags, for flagViews
	flagList [][]byte // scratch: views into flagBuf
	idx      []int    // scratch: resolve's view indices
	mark     []bool   // scratch: resolve's marks for sequence numbers

	state              state
	user               string
	acct               Account
	utf8               bool // ENABLE UTF8=ACCEPT
	condstore, qresync bool
	sel                *selected         // SELECTED state
	msg                *imapwire.Message // FETCH and SEARCH parse, reused
	fails              int
	flushes            int      // output batches written, to know whether a response has begun
	rev2               bool     // ENABLE IMAP4rev2: ESEARCH for SEARCH, no \Recent
	saved              []uint32 // SEARCHRES: the UIDs of the last SEARCH RETURN (SAVE), sorted
}

// Serve runs one IMAP session and closes conn.
func (s *Server) Serve(ctx context.Context, conn net.Conn) {
	ss := &session{
		srv:  s,
		ctx:  ctx,
		conn: conn,
		ip:   listener.RemoteIP(conn),
		w:    bufio.NewWriterSize(conn, 4<<10),
		out:  make([]byte, 0, 1024),
	}
	ss.r = imapwire.NewReader(conn, imapwire.ServerSide, imapwire.Options{Limits: s.limits()})
	ss.d = imapwire.NewDecoder(ss.r)
	ss.d.Continue = ss.continueLiteral
	_, ss.secure = conn.(*tls.Conn)
	if !ss.secure {
		ss.tls = starttls.NewServer(conn, starttls.IMAP, s.cfg.TLS)
	}
	ss.log = s.cfg.Log.With("proto", "imap", "client", ss.ip.String())
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	ss.log.Info("session start", "tls", ss.secure)
	reason := ss.run()
	ss.unselect()
	if ss.acct != nil {
		ss.acct.Close()
	}
	ss.conn.Close()
	ss.log.Info("session end", "user", ss.user, "reason", reason)
}

// limits are the Reader's: the server defaults, with LITERAL+ up to the
// largest message (APPEND streams; inline literals stay at 4 KiB).
func (s *Server) limits() imapwire.Limits {
	l := imapwire.ServerLimits()
	l.MaxLiteral = s.cfg.MaxMessage
	l.MaxNonSyncLiteral = s.cfg.MaxMessage
	l.MaxLiteralTotal = s.cfg.MaxMessage
	return l
}

// continueLiteral accepts a synchronizing literal inside an argument that
// the decoder has checked it can hold.
func (ss *session) continueLiteral(imapwire.Literal) error {
	ss.put(imapwire.AppendContinuation(ss.out, readyText))
	return ss.flush(true)
}

// flush writes the pending output; with more commands already buffered
// (pipelining) it keeps them for one write unless force.
func (ss *session) flush(force bool) error {
	if len(ss.out) > 0 {
		ss.flushes++
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
	ss.greeting()
	for {
		if err := ss.flush(false); err != nil {
			return "write: " + err.Error()
		}
		ss.conn.SetDeadline(time.Now().Add(ss.idleTimeout()))
		if ss.ctx.Err() != nil {
			return ss.bye("shutting down")
		}
		c, err := ss.d.Decode()
		if err != nil {
			if ss.ctx.Err() != nil {
				return ss.bye("shutting down")
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return ss.bye("autologout")
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				// The client stopped sending: the replies to what it
				// sent are still its own. Kept back while more commands
				// were buffered, they would otherwise be lost, or cut
				// where the writer last flushed a full buffer.
				ss.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				ss.flush(true)
				return "client closed"
			}
			var fatal bool
			ss.out, fatal = imapwire.AppendCommandError(ss.out, c.Tag, err)
			if fatal {
				ss.flush(true)
				return "protocol error: " + err.Error()
			}
			continue
		}
		if done, why := ss.command(c); done {
			ss.flush(true)
			return why
		}
	}
}

// idleTimeout is the autologout timer: shorter before login.
func (ss *session) idleTimeout() time.Duration {
	if ss.state == stateNotAuth {
		return min(ss.srv.cfg.Idle, 60*time.Second)
	}
	return ss.srv.cfg.Idle
}

// bye ends the session with an untagged BYE.
func (ss *session) bye(why string) string {
	if !ss.untagged(imapwire.CondBye, noCode, why) {
		ss.untagged(imapwire.CondBye, noCode, "closing")
	}
	ss.flush(true)
	return why
}
