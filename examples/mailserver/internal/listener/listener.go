// Package listener runs the accept loop of one service port: the
// connection cap (answered with the protocol's busy reply), implicit TLS
// (the handshake done and deadline-bounded before a session starts), and
// graceful shutdown (stop accepting, let sessions end within a grace
// period, then close what is left), and the PROXY protocol header from
// trusted load balancers (read before TLS and before the greeting; the
// session then sees the real client as conn.RemoteAddr()).
package listener

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
)

// Handler serves one connection. Serve closes conn before it returns; ctx
// is cancelled at shutdown, when the session should finish the command it
// is in, say goodbye (421, -ERR) and close. On implicit-TLS ports conn is a
// *tls.Conn whose handshake is complete. Behind a trusted proxy (ProxyFrom)
// conn.RemoteAddr() is the client the PROXY header named.
type Handler interface {
	Serve(ctx context.Context, conn net.Conn)
}

// Config is one port's listener.
type Config struct {
	Name     string         // "submission", "pop3s"…, for the log
	Implicit *tls.Config    // non-nil: implicit TLS (RFC 8314)
	Handler  Handler        // the protocol's sessions
	Limits   *limits.Limits // nil: no cap
	// Busy is written to a connection over the cap before it is closed:
	// "421 4.7.0 ...\r\n" for SMTP, "-ERR [SYS/TEMP] ...\r\n" for POP3.
	// On implicit-TLS ports it is written after the handshake.
	Busy             []byte
	Log              *slog.Logger
	HandshakeTimeout time.Duration // default 30 s
	Grace            time.Duration // shutdown: how long sessions may run on; default 5 s
	// ProxyFrom are the load balancers: a connection from one of these
	// networks must start with a PROXY header (v1 or v2) within
	// ProxyTimeout, and the session, the connection caps and the log then
	// see the client it names. A missing, malformed or late header closes
	// the connection before a byte is answered. A connection from anyone
	// else that starts with a header is closed too. Empty: no PROXY.
	ProxyFrom    []netip.Prefix
	ProxyTimeout time.Duration // default 5 s
}

// Server is a running listener.
type Server struct {
	cfg   Config
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// New returns a server of ln.
func New(ln net.Listener, cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 30 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.ProxyTimeout <= 0 {
		cfg.ProxyTimeout = 5 * time.Second
	}
	return &Server{cfg: cfg, ln: ln, conns: map[net.Conn]struct{}{}}
}

// Addr is the address listened on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts connections until ctx is cancelled, then closes the
// listener, waits up to Grace for the sessions (which see ctx cancelled),
// closes the connections still open and waits for their goroutines. It
// returns nil after a shutdown, or the accept error that stopped it.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	var acceptErr error
	backoff := 5 * time.Millisecond
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscallEMFILE) {
				s.cfg.Log.Warn("accept", "listener", s.cfg.Name, "err", err)
				time.Sleep(backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			acceptErr = err
			break
		}
		backoff = 5 * time.Millisecond
		s.start(ctx, conn)
	}
	s.ln.Close()
	s.drain()
	return acceptErr
}

// drain waits for the sessions, at most Grace, then closes the rest.
func (s *Server) drain() {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(s.cfg.Grace):
	}
	s.mu.Lock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cfg.Log.Warn("shutdown: closed sessions still open after the grace period", "listener", s.cfg.Name, "sessions", n)
	<-done
}

func (s *Server) track(c net.Conn, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
}

func (s *Server) start(ctx context.Context, conn net.Conn) {
	s.wg.Add(1)
	s.track(conn, true)
	go func() {
		defer s.wg.Done()
		defer s.track(conn, false)
		c, ok := s.proxy(conn)
		if !ok {
			conn.Close()
			return
		}
		ip := RemoteIP(c)
		release := func() {}
		if s.cfg.Limits != nil {
			r, ok := s.cfg.Limits.Acquire(ip)
			if !ok {
				s.cfg.Log.Info("refused: connection cap", "listener", s.cfg.Name, "client", ip.String())
				s.refuse(ctx, c)
				return
			}
			release = r
		}
		defer release()
		s.serve(ctx, c, ip)
	}()
}

func (s *Server) serve(ctx context.Context, conn net.Conn, ip netip.Addr) {
	var c net.Conn = conn
	if s.cfg.Implicit != nil {
		tc, err := s.handshake(ctx, conn)
		if err != nil {
			s.cfg.Log.Info("tls handshake failed", "listener", s.cfg.Name, "client", ip.String(), "err", err)
			conn.Close()
			return
		}
		c = tc
	}
	s.cfg.Handler.Serve(ctx, c)
	c.Close()
}

func (s *Server) handshake(ctx context.Context, conn net.Conn) (*tls.Conn, error) {
	hctx, cancel := context.WithTimeout(ctx, s.cfg.HandshakeTimeout)
	defer cancel()
	tc := tls.Server(conn, s.cfg.Implicit)
	// The handshake runs on a goroutine of its own: the deep stack it
	// grows (16-32 KiB) is freed when that goroutine ends, instead of
	// staying with the session's goroutine for the connection's life.
	errc := make(chan error, 1)
	go func() { errc <- tc.HandshakeContext(hctx) }()
	if err := <-errc; err != nil {
		return nil, err
	}
	return tc, nil
}

// refuse answers a connection over the cap with Busy and closes it, within
// a short deadline so that refusals cannot pile up.
func (s *Server) refuse(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	conn.SetDeadline(deadline)
	var c net.Conn = conn
	if s.cfg.Implicit != nil {
		tc, err := s.handshake(ctx, conn)
		if err != nil {
			return
		}
		tc.SetDeadline(deadline)
		c = tc
	}
	if len(s.cfg.Busy) > 0 {
		c.Write(s.cfg.Busy)
	}
	if tc, ok := c.(*tls.Conn); ok {
		tc.CloseWrite()
	}
}

// RemoteIP is the client's IP of conn (IPv4-mapped addresses unmapped), or
// the zero Addr if it has none.
func RemoteIP(conn net.Conn) netip.Addr {
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// Close closes the listener of a server that was never served.
func (s *Server) Close() error { return s.ln.Close() }
