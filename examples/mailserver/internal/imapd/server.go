// Package imapd serves IMAP4rev1 (RFC 3501) with the extensions modern
// clients use, over the store's Maildir folders: STARTTLS (through
// starttls.Server) or implicit TLS, LOGIN and AUTHENTICATE PLAIN with
// SASL-IR, folders with SPECIAL-USE, and the selected-state commands. The
// commands are decoded whole by imapwire.Decoder; the session is a switch
// over them. Mailbox state (UIDs, flags, MODSEQ) lives in the store, so
// POP3 and IMAP agree; each session keeps only its view (the sequence
// numbers it has announced) and diffs the store's snapshot against it to
// send EXISTS, EXPUNGE and FETCH updates.
//
// Limits: a command line is bounded by imapwire.ServerLimits (8 KiB lines,
// 64 KiB per command, inline literals 4 KiB); APPEND streams its literal to
// the store's tmp/ file, bounded by Config.MaxMessage.
package imapd

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// DefaultIdle is RFC 9051 §5.4's autologout timer: at least 30 minutes.
const DefaultIdle = 30 * time.Minute

// Authenticator checks credentials (*users.DB).
type Authenticator interface {
	Authenticate(name, password string) (users.User, bool)
}

// Config configures the IMAP service.
type Config struct {
	Hostname   string
	TLS        *tls.Config // for STARTTLS; nil: no STARTTLS
	RequireTLS bool        // -tls required: LOGINDISABLED, no AUTH= before TLS
	Users      Authenticator
	Store      Store
	AuthFailed func(ip netip.Addr) time.Duration // nil: no delay
	AuthOK     func(ip netip.Addr)               // nil: nothing
	Log        *slog.Logger
	Idle       time.Duration // default DefaultIdle
	MaxMessage int64         // largest APPEND; default 25 MiB
	// Poll is how often an idling session looks for changes even when the
	// store's Changed signal is silent; default 10 s. The store itself
	// signals changes of this process at once and of others within its
	// poll interval, so this is only a safety net.
	Poll time.Duration
}

// Server is the IMAP service; it implements listener.Handler.
type Server struct{ cfg Config }

// New returns the service.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = 25 << 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 10 * time.Second
	}
	return &Server{cfg: cfg}
}
