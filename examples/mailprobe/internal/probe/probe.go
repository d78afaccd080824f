// Package probe runs the main session of a probe: connect, read the
// greeting and capabilities, negotiate TLS as the policy says with
// starttls.Client (or implicit TLS), ask for the capabilities again over
// TLS, and record what was seen. It never sends credentials or MAIL; under a
// required level it aborts, as starttls.Client does, on a missing STARTTLS,
// a refusal, a response injection, a PREAUTH greeting or a failed
// verification, and says which.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Config is one probe.
type Config struct {
	Target  target.Target
	Timeout time.Duration
	Hello   string
}

// TLSInfo is the negotiated connection.
type TLSInfo struct {
	Version     string `json:"version"`
	CipherSuite string `json:"cipher_suite"`
	ALPN        string `json:"alpn"`
	ServerName  string `json:"server_name"`
	Resumed     bool   `json:"resumed"`
}

// Abort kinds: why the session stopped before the end.
const (
	AbortConnection        = "connection"         // dial, read or write failed; timeouts
	AbortProtocol          = "protocol"           // the server broke its protocol's grammar
	AbortGreeting          = "greeting"           // the greeting refused the session
	AbortMissingSTARTTLS   = "missing-starttls"   // STARTTLS not advertised (required level)
	AbortRefused           = "starttls-refused"   // a non-go-ahead reply to STARTTLS
	AbortResponseInjection = "response-injection" // bytes after the go-ahead
	AbortPreauth           = "preauth"            // IMAP PREAUTH greeting
	AbortVerification      = "verification"       // the certificate failed the policy
	AbortHandshake         = "handshake"          // the TLS handshake failed
)

// Result is what the main session saw.
type Result struct {
	Greeting      []string
	CapsBefore    []string
	STARTTLSReply []string
	CapsAfter     []string
	Secure        bool
	TLS           *TLSInfo
	Chain         []*x509.Certificate
	// VerifyErr is the PKIX result for the server name (reported at every
	// level); PolicyErr the level's own check (nil when it passed or the
	// level checks nothing).
	VerifyErr, PolicyErr error
	Verified             bool // the handshake's hook ran
	// PlaintextReason is set when a may-level session stayed in plaintext.
	PlaintextReason string
	// AbortKind and Err say why the session stopped; empty and nil when it
	// ran to the end.
	AbortKind string
	Err       error
	Log       *record.Log
}

// PolicyMet reports whether the session met the policy.
func (r *Result) PolicyMet(t target.Target) bool {
	if r.AbortKind != "" {
		return false
	}
	if r.PolicyErr != nil && !t.Insecure {
		return false
	}
	if t.Level.Required() && !r.Secure {
		return false
	}
	return true
}

// Run runs the main session.
func Run(ctx context.Context, cfg Config) *Result {
	res := &Result{Log: &record.Log{}}
	t := cfg.Target
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		res.AbortKind, res.Err = AbortConnection, err
		return res
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(cfg.Timeout))

	var sess *session.Conn
	switch {
	case t.Mode == target.None:
		sess = session.New(t.Proto, raw, raw, res.Log)
		sess.Hello = cfg.Hello
		if !res.plaintextStart(sess) {
			return res
		}
		res.CapsBefore = res.caps(sess)
		return res
	case t.Proto == session.LMTP && t.Mode == target.STARTTLS:
		sess = res.manualSTARTTLS(ctx, cfg, raw)
	default:
		sess = res.upgrade(ctx, cfg, raw)
	}
	if sess == nil {
		return res
	}
	defer sess.Close()
	if t.Mode == target.Implicit {
		if !res.plaintextStart(sess) {
			return res
		}
	}
	res.CapsAfter = res.caps(sess)
	if res.Err == nil {
		_, _ = sess.Command(quit(t.Proto))
	}
	return res
}

func quit(p session.Proto) string {
	if p == session.IMAP {
		return "LOGOUT"
	}
	return "QUIT"
}

// plaintextStart reads the greeting (over TLS for implicit TLS).
func (r *Result) plaintextStart(s *session.Conn) bool {
	g, err := s.Greeting()
	r.Greeting = g.Lines
	if err != nil {
		r.fail(err)
		return false
	}
	if g.Cond == "PREAUTH" && r.Secure {
		return true
	}
	if !g.OK && g.Cond != "PREAUTH" {
		r.AbortKind, r.Err = AbortGreeting, fmt.Errorf("greeting refused the session: %s", g)
		return false
	}
	return true
}

func (r *Result) caps(s *session.Conn) []string {
	caps, rep, err := s.Capabilities()
	if err != nil {
		r.fail(err)
		return caps
	}
	if !rep.OK {
		r.AbortKind, r.Err = AbortProtocol, fmt.Errorf("capability command refused: %s", rep)
	}
	return caps
}

func (r *Result) fail(err error) {
	r.Err = err
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, net.ErrClosed):
		r.AbortKind = AbortConnection
	default:
		r.AbortKind = AbortProtocol
		if isEOF(err) {
			r.AbortKind = AbortConnection
		}
	}
}

// upgrade runs starttls.Client, then parses what it read in plaintext
// from the log.
func (r *Result) upgrade(ctx context.Context, cfg Config, raw net.Conn) *session.Conn {
	t := cfg.Target
	seen := &Seen{}
	tc, err := TLSConfig(t, seen)
	if err != nil {
		r.AbortKind, r.Err = AbortProtocol, err
		return nil
	}
	if t.Proto == session.LMTP { // implicit TLS: starttls.Client has no LMTP
		tconn := tls.Client(raw, tc)
		err := tconn.HandshakeContext(ctx)
		r.takeCert(seen)
		if err != nil {
			r.AbortKind, r.Err = AbortHandshake, err
			if r.PolicyErr != nil {
				r.AbortKind = AbortVerification
			}
			return nil
		}
		r.Secure, r.TLS = true, describeTLS(tconn.ConnectionState())
		s := session.New(t.Proto, tconn, raw, r.Log)
		s.Hello = cfg.Hello
		return s
	}
	proto := map[session.Proto]starttls.Protocol{session.SMTP: starttls.SMTP, session.POP3: starttls.POP3, session.IMAP: starttls.IMAP}[t.Proto]
	if proto == 0 {
		r.AbortKind, r.Err = AbortProtocol, fmt.Errorf("implicit TLS for %s: use -tls starttls or none", t.Proto)
		return nil
	}
	client := &starttls.Client{Protocol: proto, Policy: t.Policy, TLSConfig: tc, Hello: cfg.Hello}
	if t.Mode == target.Implicit && !client.Policy.Level.Required() {
		client.Policy.Level = tlspolicy.LevelEncrypt
	}
	rc := record.Wrap(raw, r.Log, false)
	conn, rep, err := client.Upgrade(ctx, rc)
	r.takeCert(seen)
	if t.Mode == target.STARTTLS {
		r.parsePlaintext(t.Proto)
	}
	if err != nil {
		r.classify(err, seen)
		return nil
	}
	_ = raw.SetDeadline(time.Now().Add(cfg.Timeout))
	if rep.State != starttls.StateSecure {
		r.PlaintextReason = fmt.Sprint(rep.Reason)
		s := session.New(t.Proto, raw, raw, r.Log)
		s.Hello = cfg.Hello
		return s
	}
	r.Secure = true
	r.TLS = describeTLS(rep.TLS)
	s := session.New(t.Proto, conn, raw, r.Log)
	s.Hello = cfg.Hello
	return s
}

func (r *Result) takeCert(seen *Seen) {
	chain, pk, pol, called := seen.Snapshot()
	r.Chain, r.VerifyErr, r.PolicyErr, r.Verified = chain, pk, pol, called
}

func describeTLS(cs tls.ConnectionState) *TLSInfo {
	return &TLSInfo{
		Version: tls.VersionName(cs.Version), CipherSuite: tls.CipherSuiteName(cs.CipherSuite),
		ALPN: cs.NegotiatedProtocol, ServerName: cs.ServerName, Resumed: cs.DidResume,
	}
}

// classify maps a starttls error to an abort kind.
func (r *Result) classify(err error, seen *Seen) {
	r.Err = err
	_, _, pol, _ := seen.Snapshot()
	switch {
	case errors.Is(err, starttls.ErrResponseInjection):
		r.AbortKind = AbortResponseInjection
	case errors.Is(err, starttls.ErrPreauth):
		r.AbortKind = AbortPreauth
	case errors.Is(err, starttls.ErrNotAdvertised):
		r.AbortKind = AbortMissingSTARTTLS
	case errors.Is(err, starttls.ErrRefused):
		r.AbortKind = AbortRefused
	case errors.Is(err, starttls.ErrGreeting):
		r.AbortKind = AbortGreeting
	case errors.Is(err, starttls.ErrHandshake) && pol != nil:
		r.AbortKind = AbortVerification
	case errors.Is(err, starttls.ErrHandshake):
		r.AbortKind = AbortHandshake
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			r.AbortKind = AbortConnection
		}
	case errors.Is(err, starttls.ErrSyntax), errors.Is(err, starttls.ErrLineTooLong), errors.Is(err, starttls.ErrTooManyLines),
		errors.Is(err, starttls.ErrCapabilities):
		r.AbortKind = AbortProtocol
	default:
		r.AbortKind = AbortConnection
	}
}

// parsePlaintext recovers the greeting, the capabilities and the reply to
// STARTTLS from the bytes starttls.Client read (it keeps none of them).
func (r *Result) parsePlaintext(p session.Proto) {
	var in []byte
	for _, e := range r.Log.Entries() {
		if e.Dir == record.Received && !e.TLS {
			in = append(in, e.Data...)
		}
	}
	s := session.Replay(p, in)
	g, caps, err := s.GreetingCaps()
	r.Greeting = g.Lines
	if err != nil {
		return
	}
	if g.Cond == "PREAUTH" || !g.OK {
		return
	}
	c, _, err := s.ReadCapabilities("S1")
	r.CapsBefore = c
	if len(c) == 0 {
		r.CapsBefore = caps
	}
	if err != nil {
		return
	}
	st, err := s.ReadReply("S2")
	if err == nil || len(st.Lines) > 0 {
		r.STARTTLSReply = st.Lines
	}
}

// manualSTARTTLS upgrades an LMTP session (starttls.Client speaks EHLO,
// LMTP needs LHLO) with the same rules: at a required level STARTTLS is sent
// even when not advertised, anything but 220 aborts, bytes after the 220
// abort, a failed verification aborts.
func (r *Result) manualSTARTTLS(ctx context.Context, cfg Config, raw net.Conn) *session.Conn {
	t := cfg.Target
	s := session.New(t.Proto, raw, raw, r.Log)
	s.Hello = cfg.Hello
	if !r.plaintextStart(s) {
		return nil
	}
	r.CapsBefore = r.caps(s)
	if r.Err != nil {
		return nil
	}
	offered := false
	for _, c := range r.CapsBefore {
		if len(c) >= 8 && (c[:8] == "STARTTLS" || c[:8] == "starttls") {
			offered = true
		}
	}
	if !offered && !t.Level.Required() {
		r.PlaintextReason = starttls.ErrNotAdvertised.Error()
		return s
	}
	rep, err := s.StartTLS()
	r.STARTTLSReply = rep.Lines
	if err != nil {
		if errors.Is(err, session.ErrNotGoAhead) {
			if !t.Level.Required() {
				r.PlaintextReason = err.Error()
				return s
			}
			r.AbortKind, r.Err = AbortRefused, err
			if !offered {
				r.AbortKind = AbortMissingSTARTTLS
			}
		} else {
			r.fail(err)
		}
		s.Close()
		return nil
	}
	seen := &Seen{}
	tc, err := TLSConfig(t, seen)
	if err != nil {
		r.AbortKind, r.Err = AbortProtocol, err
		return nil
	}
	_, err = s.Handshake(ctx, tc)
	r.takeCert(seen)
	if err != nil {
		s.Close()
		r.Err = err
		switch {
		case errors.Is(err, session.ErrBuffered):
			r.AbortKind = AbortResponseInjection
		case r.PolicyErr != nil:
			r.AbortKind = AbortVerification
		default:
			r.AbortKind = AbortHandshake
		}
		return nil
	}
	r.Secure = true
	r.TLS = describeTLS(s.TLS().ConnectionState())
	return s
}
