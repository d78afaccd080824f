package starttls

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
)

// Buffer is the caller's read buffer on the plaintext connection, the one
// its command parser reads from; *bufio.Reader satisfies it.
type Buffer interface {
	// Buffered returns how many bytes were read from the connection but not
	// yet consumed.
	Buffered() int
	// Reset discards everything and reads from r from now on.
	Reset(r io.Reader)
}

// Server is the server side of one connection's upgrade. It remembers the
// state, so it answers a second STARTTLS with a refusal and tells the caller
// whether STARTTLS may be advertised. It is not safe for concurrent use.
type Server struct {
	protocol Protocol
	conn     net.Conn
	config   *tls.Config
	state    State
	secure   *tls.Conn
	reply    []byte // scratch for the replies it writes
}

// NewServer returns the upgrade machine for conn, in StatePlain. config is
// the server's TLS configuration; nil means STARTTLS is not offered.
func NewServer(conn net.Conn, p Protocol, config *tls.Config) *Server {
	return &Server{protocol: p, conn: conn, config: config}
}

// State returns the current state.
func (s *Server) State() State { return s.state }

// Advertise reports whether the capability list (EHLO, CAPA, CAPABILITY)
// may offer STARTTLS (POP3: STLS): only in plaintext and with a TLS
// configuration, never after the handshake (RFC 3207 §4.2).
func (s *Server) Advertise() bool { return s.state == StatePlain && s.config != nil }

// Upgrade answers the STARTTLS (STLS) command the caller has just read
// from buf; tag is the IMAP command's tag and is ignored for SMTP and POP3.
// ctx bounds writing the reply and the handshake; conn's deadline is
// cleared when Upgrade returns.
//
// Upgrade writes the reply itself. If buf holds any byte past the command
// line, that is a command injection: it writes a closing reply (SMTP 554,
// POP3 -ERR, IMAP BYE), closes the connection and fails. Otherwise it
// writes the go-ahead (SMTP 220, POP3 +OK, IMAP tag OK) and runs the
// handshake on the raw connection; a failed handshake closes the
// connection. On success buf is Reset to read from the returned TLS
// connection, and every plaintext-era fact is gone: the caller forgets the
// EHLO/HELO identity, authentication and any transaction, and waits for the
// client to start again (EHLO, CAPA, CAPABILITY).
//
// Refusals that keep the connection open return an *Error whose Fatal is
// false: ErrAlreadySecure after the handshake (SMTP 503, POP3 -ERR, IMAP
// tag BAD, written over TLS) and ErrUnavailable without a TLS configuration
// (SMTP 454, POP3 -ERR, IMAP tag NO). A nil buf or an invalid IMAP tag is
// ErrPolicy and writes nothing.
func (s *Server) Upgrade(ctx context.Context, tag []byte, buf Buffer) (*tls.Conn, error) {
	switch {
	case s.state == StateFailed:
		return nil, &Error{State: StateFailed, Err: ErrClosed}
	case !s.protocol.valid() || buf == nil || (s.protocol == IMAP && !validTag(tag)):
		return nil, &Error{State: s.state, Err: fmt.Errorf("%w: protocol %v, tag %q, buffer %v", ErrPolicy, s.protocol, tag, buf != nil)}
	case s.state == StateSecure:
		return nil, s.refuse(ctx, s.secure, tag, ErrAlreadySecure)
	case s.config == nil:
		return nil, s.refuse(ctx, s.conn, tag, ErrUnavailable)
	}
	release := bindContext(ctx, s.conn)
	if buf.Buffered() > 0 {
		s.reply = s.protocol.appendRefusal(s.reply[:0], tag, ErrCommandInjection)
		_, _ = s.conn.Write(s.reply)
		release()
		return nil, s.fail(ctx, ErrCommandInjection)
	}
	s.state = StateRequested
	s.reply = s.protocol.appendGoAhead(s.reply[:0], tag)
	_, err := s.conn.Write(s.reply)
	if !release() || err != nil {
		return nil, s.fail(ctx, err)
	}
	tc, err := s.handshake(ctx)
	if err != nil {
		return nil, err
	}
	buf.Reset(tc)
	return tc, nil
}

// Handshake runs implicit TLS (RFC 8314): the server handshake at once, on
// a connection where nothing has been read or written. ctx bounds it. A
// failure closes the connection. Afterwards Advertise is false and Upgrade
// refuses STARTTLS.
func (s *Server) Handshake(ctx context.Context) (*tls.Conn, error) {
	switch {
	case s.state == StateFailed:
		return nil, &Error{State: StateFailed, Err: ErrClosed}
	case s.state == StateSecure:
		return nil, &Error{State: StateSecure, Err: ErrAlreadySecure}
	case s.config == nil:
		return nil, &Error{State: s.state, Err: fmt.Errorf("%w: no TLS configuration", ErrPolicy)}
	}
	return s.handshake(ctx)
}

// handshake runs the TLS server handshake on the raw connection.
func (s *Server) handshake(ctx context.Context) (*tls.Conn, error) {
	s.state = StateHandshaking
	tc := tls.Server(s.conn, s.config)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, s.fail(ctx, fmt.Errorf("%w: %w", ErrHandshake, err))
	}
	s.state, s.secure = StateSecure, tc
	return tc, nil
}

// refuse writes the refusal for err on conn and keeps the state; a failed
// write closes the connection.
func (s *Server) refuse(ctx context.Context, conn net.Conn, tag []byte, err error) error {
	release := bindContext(ctx, conn)
	s.reply = s.protocol.appendRefusal(s.reply[:0], tag, err)
	_, werr := conn.Write(s.reply)
	switch ok := release(); {
	case werr != nil:
		return s.fail(ctx, fmt.Errorf("%w: %w", err, werr))
	case !ok:
		return s.fail(ctx, err)
	}
	return &Error{State: s.state, Err: err}
}

// fail closes the connection and moves to StateFailed.
func (s *Server) fail(ctx context.Context, err error) error {
	err = withContext(ctx, err)
	_ = s.conn.Close()
	s.state = StateFailed
	return &Error{State: StateFailed, Err: err}
}
