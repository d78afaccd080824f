package starttls

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/mailwire/mailwire/tlspolicy"
)

// Client upgrades the client side of one connection as its policy says.
// The zero value is not usable: set Protocol and Policy.
type Client struct {
	// Protocol is the mail protocol spoken on the connection.
	Protocol Protocol
	// Policy decides whether TLS is attempted, how it starts and whether a
	// plaintext session may go on (only at tlspolicy.LevelMay).
	Policy tlspolicy.Policy
	// TLSConfig, when set, is used for the handshake instead of
	// Policy.TLSConfig(), for a client certificate or checks of the
	// caller's own. It must check what Policy.Level promises.
	TLSConfig *tls.Config
	// Hello is the domain or address literal sent with EHLO (SMTP only);
	// empty means "localhost".
	Hello string
	// Limits bound the replies read before the upgrade.
	Limits Limits
}

// Report says how an upgrade ended. It holds nothing the server sent in
// plaintext: greeting, capabilities and alerts are read, checked and
// dropped.
type Report struct {
	// Protocol is the client's protocol.
	Protocol Protocol
	// State is StateSecure after a handshake, StatePlain when the session
	// goes on without TLS, and StateFailed when the connection was closed.
	State State
	// Reason is nil when State is StateSecure; otherwise why not:
	// tlspolicy.ErrNoTLS for a plaintext policy, ErrNotAdvertised,
	// ErrRefused, ErrCapabilities or ErrPreauth for a plaintext session at
	// LevelMay, and the returned error when the upgrade failed.
	Reason error
	// TLS describes the connection when State is StateSecure.
	TLS tls.ConnectionState
}

// Upgrade runs the client side of the upgrade on conn, which must be fresh
// (nothing read from or written to it yet), under ctx: its deadline bounds
// the plaintext exchange and the handshake, and cancelling it aborts them.
// Upgrade leaves no deadline on conn and starts no goroutine of its own
// (crypto/tls watches ctx during the handshake).
//
// By Policy.Transport:
//
//   - TransportPlain (LevelNone): conn is returned untouched, in StatePlain
//     with Reason tlspolicy.ErrNoTLS.
//   - TransportImplicit: the TLS handshake runs at once; the caller then
//     reads the greeting over TLS.
//   - TransportSTARTTLS: the greeting is read, the capability command
//     (EHLO, CAPA, "S1 CAPABILITY") sent and answered, the upgrade command
//     (STARTTLS, STLS, "S2 STARTTLS") sent, the go-ahead read, and the
//     handshake run. The caller then asks for the capabilities again over
//     TLS (RFC 3207 §4.2, RFC 2595 §3.1): nothing from before the handshake
//     is kept, so nothing can be merged.
//
// At a required level (tlspolicy.Level.Required) the upgrade command is
// sent even when the capabilities do not list it, and every path that does
// not end in a completed handshake fails. At LevelMay a missing
// advertisement, a refused capability command or upgrade, and an IMAP
// PREAUTH greeting leave the session in plaintext (State StatePlain and
// Reason say why); conn is returned for the caller to go on with.
//
// Any byte the server sends after the go-ahead, or after the last reply
// when the session stays in plaintext, is a response injection and fails
// the upgrade. Every failure closes conn and returns an *Error in
// StateFailed; the report then carries the same error.
func (c *Client) Upgrade(ctx context.Context, conn net.Conn) (net.Conn, Report, error) {
	u := upgrade{ctx: ctx, conn: conn, rep: Report{Protocol: c.Protocol, State: StatePlain}}
	cfg, err := c.tlsConfig()
	switch {
	case err != nil:
		return u.fail(err)
	case c.Policy.Transport == tlspolicy.TransportPlain:
		u.rep.Reason = tlspolicy.ErrNoTLS
		return conn, u.rep, nil
	case c.Policy.Transport == tlspolicy.TransportImplicit:
		return u.handshake(cfg)
	}
	return c.startTLS(&u, cfg)
}

// tlsConfig checks the client's fields and returns the handshake
// configuration, nil for a plaintext policy.
func (c *Client) tlsConfig() (*tls.Config, error) {
	if !c.Protocol.valid() {
		return nil, fmt.Errorf("%w: unknown protocol %v", ErrPolicy, c.Protocol)
	}
	if c.Hello != "" && !validHello(c.Hello) {
		return nil, fmt.Errorf("%w: EHLO argument %q", ErrPolicy, c.Hello)
	}
	if err := c.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	if c.Policy.Transport == tlspolicy.TransportPlain {
		return nil, nil
	}
	if c.TLSConfig != nil {
		return c.TLSConfig, nil
	}
	cfg, err := c.Policy.TLSConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	return cfg, nil
}

// startTLS runs the plaintext exchange and the handshake.
func (c *Client) startTLS(u *upgrade, cfg *tls.Config) (net.Conn, Report, error) {
	p, required := c.Protocol, c.Policy.Level.Required()
	lim := c.Limits.withDefaults(p)
	hello := c.Hello
	if hello == "" {
		hello = "localhost"
	}
	u.release = bindContext(u.ctx, u.conn)
	lr := newLineReader(u.conn, lim.MaxLine)
	cmd := make([]byte, 0, len(imapCapabilityTag+" CAPABILITY\r\n")+len(hello))

	if _, _, err := p.readReply(lr, lim.MaxLines, stepGreeting); err != nil {
		if errors.Is(err, ErrPreauth) {
			return u.plaintext(lr, err, required)
		}
		return u.fail(err)
	}
	if err := u.write(p.appendCapabilityCommand(cmd[:0], hello)); err != nil {
		return u.fail(err)
	}
	ok, advertised, err := p.readReply(lr, lim.MaxLines, stepCapabilities)
	switch {
	case err != nil:
		return u.fail(err)
	case !ok:
		return u.plaintext(lr, ErrCapabilities, required)
	case !advertised && !required:
		return u.plaintext(lr, ErrNotAdvertised, false)
	}
	u.rep.State = StateRequested
	if err := u.write(p.appendStartTLS(cmd[:0])); err != nil {
		return u.fail(err)
	}
	ok, _, err = p.readReply(lr, lim.MaxLines, stepGoAhead)
	switch {
	case err != nil:
		return u.fail(err)
	case !ok && advertised:
		return u.plaintext(lr, ErrRefused, required)
	case !ok:
		return u.plaintext(lr, ErrNotAdvertised, required)
	case lr.buffered() > 0:
		return u.fail(ErrResponseInjection)
	}
	if !u.unbind() {
		return u.fail(nil)
	}
	return u.handshake(cfg)
}

// upgrade is one run of Client.Upgrade.
type upgrade struct {
	ctx     context.Context
	conn    net.Conn
	rep     Report
	release func() bool // set while conn is bound to ctx
}

// unbind releases conn from ctx, reporting false if ctx fired meanwhile.
func (u *upgrade) unbind() bool {
	if u.release == nil {
		return true
	}
	ok := u.release()
	u.release = nil
	return ok
}

func (u *upgrade) write(b []byte) error {
	_, err := u.conn.Write(b)
	return err
}

// plaintext ends the upgrade without TLS for reason: a failure when TLS is
// required or when unread server bytes are pending, else StatePlain.
func (u *upgrade) plaintext(lr *lineReader, reason error, required bool) (net.Conn, Report, error) {
	switch {
	case required:
		return u.fail(reason)
	case lr.buffered() > 0:
		return u.fail(ErrResponseInjection)
	case !u.unbind():
		return u.fail(nil)
	}
	u.rep.State, u.rep.Reason = StatePlain, reason
	return u.conn, u.rep, nil
}

// handshake runs the TLS client handshake on the raw connection.
func (u *upgrade) handshake(cfg *tls.Config) (net.Conn, Report, error) {
	u.rep.State = StateHandshaking
	tc := tls.Client(u.conn, cfg)
	if err := tc.HandshakeContext(u.ctx); err != nil {
		return u.fail(fmt.Errorf("%w: %w", ErrHandshake, err))
	}
	u.rep.State, u.rep.Reason, u.rep.TLS = StateSecure, nil, tc.ConnectionState()
	return tc, u.rep, nil
}

// fail closes the connection and reports err in StateFailed.
func (u *upgrade) fail(err error) (net.Conn, Report, error) {
	u.unbind()
	err = withContext(u.ctx, err)
	_ = u.conn.Close()
	e := &Error{State: StateFailed, Err: err}
	u.rep.State, u.rep.Reason = StateFailed, e
	return nil, u.rep, e
}
