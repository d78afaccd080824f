// Package submission is the SMTP submission service (RFC 6409) of the mail
// server: EHLO, STARTTLS through starttls.Server, AUTH PLAIN and LOGIN,
// MAIL/RCPT/DATA/BDAT, and the privacy pipeline (internal/privacy) in front
// of the store (local recipients) and the queue (everything else).
//
// Decisions, each with its RFC:
//   - The envelope sender must be the authenticated user's address:
//     anything else is 553 5.7.1 (RFC 5321 §4.2.2 "mailbox name not
//     allowed", RFC 3463 5.7.1 "delivery not authorized"), as Postfix's
//     reject_sender_login_mismatch answers. The null sender is refused too.
//   - Under RequireTLS, AUTH and MAIL before TLS get 530 5.7.0 (RFC 3207
//     §4) and AUTH is not advertised before TLS. Otherwise AUTH is offered
//     in plaintext too (opportunistic).
//   - MAIL before AUTH is 530 5.7.0 "Authentication required" (RFC 4954 §6).
//   - VRFY is 252 2.5.0 (RFC 5321 §3.5.3), EXPN 502 5.5.1.
//   - A message is acknowledged only once it is durable in every local
//     recipient's Maildir or in the queue; a failure of either is 451 4.3.0
//     and leaves nothing behind (their contract). A message with any
//     non-local recipient goes to the queue whole, local recipients
//     included, so that it is stored once, all or nothing.
//   - A BDAT body with a bare CR or LF is refused (554 5.6.0) as DATA's is:
//     BINARYMIME is not offered, and the relay leg may use DATA.
package submission

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/privacy"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
)

// Users is the account database (internal/users.DB).
type Users interface {
	Authenticate(name, password string) (users.User, bool)
	Lookup(address string) (users.User, bool)
}

// Local is the store (internal/store.Store): Deliver is durable in every
// user's Maildir, all or nothing, before it returns nil.
type Local interface {
	Deliver(users []string, msg io.Reader) error
}

// Queue is the outbound queue (internal/queue.Queue): Enqueue is durable
// before it returns nil.
type Queue interface {
	Enqueue(from string, rcpts []string, msg io.Reader) error
}

// DSNQueue is a Queue that keeps the RFC 3461 parameters (RET and ENVID
// of MAIL; NOTIFY and ORCPT, "type;address", of each RCPT) for its DSNs
// and the relay. A Queue without it gets the message without them.
type DSNQueue interface {
	EnqueueDSN(from string, ret smtpwire.Ret, envid string, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error
}

// RequireTLSQueue is a DSNQueue that keeps the RFC 8689 REQUIRETLS flag
// of MAIL with the message (internal/queue.Queue).
type RequireTLSQueue interface {
	EnqueueRequireTLS(from string, ret smtpwire.Ret, envid string, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error
}

// Config configures the service. Hostname, Users and Local are required.
type Config struct {
	Hostname   string
	TLS        *tls.Config // for STARTTLS; nil: no STARTTLS
	RequireTLS bool        // -tls required
	MaxMessage int64       // octets; 0: 25 MiB
	Users      Users
	Local      Local
	Queue      Queue                             // nil: non-local recipients get 550 5.7.1
	AuthFailed func(ip netip.Addr) time.Duration // nil: no delay
	Log        *slog.Logger
	Idle       time.Duration // 0: 5 minutes (RFC 5321 §4.5.3.2)
	// MaxRecipients per transaction; 0: 100 (RFC 5321 §4.5.3.1.8).
	MaxRecipients int
	// Secret keys the Message-ID rewriting (privacy.New); nil: random.
	Secret []byte
	// OfferRequireTLS: EHLO over TLS offers REQUIRETLS (RFC 8689) and
	// MAIL takes it; set only when Queue is a RequireTLSQueue that
	// delivers under it (-relay mx).
	OfferRequireTLS bool
}

// Server serves submission sessions; it implements the listener's Handler.
type Server struct {
	cfg      Config
	pipeline *privacy.Pipeline
}

// New returns the service.
func New(cfg Config) *Server {
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = 25 << 20
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 5 * time.Minute
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 100
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, pipeline: privacy.New(cfg.Hostname, cfg.Secret)}
}

// Serve runs one session on conn and closes it. An implicit-TLS listener
// hands over a *tls.Conn whose handshake is complete. When ctx is
// cancelled the session finishes the command at hand, answers 421 and
// closes.
func (s *Server) Serve(ctx context.Context, conn net.Conn) {
	ss := newSession(s, conn)
	defer ss.close()
	ss.run(ctx)
}

// remoteIP is the client's address, for the log and the limits only.
func remoteIP(conn net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

var _ interface {
	Serve(context.Context, net.Conn)
} = (*Server)(nil)
