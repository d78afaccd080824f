package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/queue"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/tlspolicy"
)

// wireQueue opens the outbound queue in DIR/queue/ when -relay is set, and
// returns its delivery loop. Without -relay there is no queue: mail for
// non-local recipients is refused 550 5.7.1.
func wireQueue(c config, db *users.DB, st *store.Store, log *slog.Logger) (submission.Queue, []func(context.Context), error) {
	if c.relay == "" {
		if c.relayAuth != "" {
			return nil, nil, errors.New("-relay-auth needs -relay")
		}
		return nil, nil, nil
	}
	level, err := tlspolicy.ParseLevel(c.relayTLS)
	if err != nil {
		return nil, nil, fmt.Errorf("-relay-tls: %w", err)
	}
	cfg := queue.Config{
		Relay:    c.relay,
		Level:    level,
		Implicit: c.relayImplicit,
		Hostname: c.hostname,
		Local:    st,
		Users:    db,
		Log:      log,
	}
	if c.relayAuth != "" {
		user, pass, ok := strings.Cut(c.relayAuth, ":")
		if !ok || user == "" {
			return nil, nil, errors.New("-relay-auth: want NAME:PASSWORD")
		}
		if level == tlspolicy.LevelNone {
			return nil, nil, errors.New("-relay-auth with -relay-tls none would send the password in plaintext: it is only ever sent over TLS")
		}
		cfg.AuthUser, cfg.AuthPass = user, pass
	}
	if c.relayCA != "" {
		pem, err := os.ReadFile(c.relayCA)
		if err != nil {
			return nil, nil, fmt.Errorf("-relay-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("-relay-ca %s: no PEM certificate", c.relayCA)
		}
	}
	if c.queueRetry > 0 {
		cfg.Retry = []time.Duration{c.queueRetry}
		cfg.Poll = c.queueRetry
	}
	q, err := queue.Open(filepath.Join(c.data, "queue"), cfg)
	if err != nil {
		return nil, nil, err
	}
	return q, []func(context.Context){q.Run}, nil
}
