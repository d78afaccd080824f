package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
	"github.com/mailwire/mailwire/tlspolicy"
)

// encryptOnly is t at LevelEncrypt: for checks that look at the TLS step
// itself, not at the certificate (the main session and cert check that).
func encryptOnly(t target.Target) target.Target {
	t.Policy.Level = tlspolicy.LevelEncrypt
	if t.Policy.Transport == tlspolicy.TransportPlain {
		t.Policy.Transport = tlspolicy.TransportSTARTTLS
	}
	t.Policy.Fingerprints, t.Policy.TLSA = nil, nil
	return t
}

// toTLS brings a fresh connection to where TLS starts: nothing for implicit
// TLS; greeting, capabilities and the go-ahead for STARTTLS. The caller then
// runs the handshake on c.Raw().
func (e *Env) toTLS(c *conn) error {
	if e.Target.Mode == target.Implicit {
		return nil
	}
	if _, err := c.start(); err != nil {
		return err
	}
	if _, err := c.StartTLS(); err != nil {
		return err
	}
	if c.Buffered() > 0 {
		return session.ErrBuffered
	}
	return nil
}

// secureSession opens a connection and runs it to a mail-ready session as
// the target's policy says: over TLS (with the policy's verification) when
// the mode is implicit or starttls, except that at level may a server
// without STARTTLS is used in plaintext; in plaintext for -tls none. It
// returns the capabilities valid for the session.
func (e *Env) secureSession(ctx context.Context) (*conn, []string, error) {
	c, err := e.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*conn, []string, error) { return c, nil, err }
	t := e.Target
	cfg, err := probe.TLSConfig(t, &probe.Seen{})
	if err != nil {
		return fail(err)
	}
	switch t.Mode {
	case target.None:
		caps, err := c.start()
		return c, caps, err
	case target.Implicit:
		tc := tls.Client(c.Raw(), cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(fmt.Errorf("TLS handshake: %w", err))
		}
		c.Conn = session.New(t.Proto, tc, c.Raw(), c.log)
		c.Hello = e.Hello
		caps, err := c.start()
		return c, caps, err
	}
	caps, err := c.start()
	if err != nil {
		return fail(err)
	}
	if !hasCap(caps, "STARTTLS") && !hasCap(caps, "STLS") && !t.Level.Required() {
		return c, caps, nil
	}
	if _, err := c.StartTLS(); err != nil {
		if errors.Is(err, session.ErrNotGoAhead) && !t.Level.Required() {
			return c, caps, nil // level may: on in plaintext, as the main session did
		}
		return fail(err)
	}
	if _, err := c.Handshake(ctx, cfg); err != nil {
		return fail(fmt.Errorf("TLS handshake: %w", err))
	}
	caps, rep, err := c.Capabilities()
	if err == nil && !rep.OK {
		err = fmt.Errorf("capability command refused over TLS: %s", rep)
	}
	return c, caps, err
}
