// Package pop3d serves POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC
// 2595, through starttls.Server), AUTH PLAIN (RFC 5034, initial response
// included) and USER/PASS, over the store's maildrops. Deletions are
// committed only by QUIT in the TRANSACTION state; a session that ends any
// other way removes nothing.
package pop3d

import (
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// DefaultIdle is RFC 1939 §3's inactivity autologout timer: at least 10
// minutes.
const DefaultIdle = 10 * time.Minute

// Maildrop is what a session needs of an opened mailbox (*store.Maildrop).
type Maildrop interface {
	Messages() []store.Message
	UIDL(i int) string
	Open(i int) (*os.File, error)
	Delete(idx []int) error
	Close() error
}

// Store opens a user's maildrop exclusively; store.ErrLocked when another
// session has it.
type Store interface {
	OpenMaildrop(user string) (Maildrop, error)
}

// Authenticator checks credentials (*users.DB).
type Authenticator interface {
	Authenticate(name, password string) (users.User, bool)
}

// Config configures the POP3 service.
type Config struct {
	Hostname   string
	TLS        *tls.Config // for STLS; nil: no STLS
	RequireTLS bool        // -tls required: no USER, PASS, AUTH or APOP before TLS
	Users      Authenticator
	Store      Store
	AuthFailed func(ip netip.Addr) time.Duration // nil: no delay
	AuthOK     func(ip netip.Addr)               // nil: nothing
	Log        *slog.Logger
	Idle       time.Duration // default DefaultIdle
}

// Server is the POP3 service; it implements listener.Handler.
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
	return &Server{cfg: cfg}
}

// StoreOf adapts *store.Store to Store.
func StoreOf(s *store.Store) Store { return storeAdapter{s} }

type storeAdapter struct{ s *store.Store }

func (a storeAdapter) OpenMaildrop(user string) (Maildrop, error) {
	m, err := a.s.OpenMaildrop(user)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// copyBuf is the size of the buffer RETR and TOP read files with.
const copyBuf = 32 << 10

// remoteIP is the client's IP, for the log and the limits only.
func remoteIP(conn net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}
