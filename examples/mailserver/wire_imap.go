package main

import (
	"crypto/tls"
	"log/slog"

	"github.com/mailwire/mailwire/examples/mailserver/internal/imapd"
	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

const imapBusy = "* BYE [UNAVAILABLE] too many connections, try later\r\n"

// wireIMAP returns the IMAP ports: -imap with STARTTLS, -imaps with
// implicit TLS, one service over the store.
func wireIMAP(c config, db *users.DB, st *store.Store, tc *tls.Config, required bool, lim *limits.Limits, log *slog.Logger) []port {
	srv := imapd.New(imapd.Config{
		Hostname:   c.hostname,
		TLS:        tc,
		RequireTLS: required,
		Users:      db,
		Store:      imapd.StoreOf(st),
		AuthFailed: lim.AuthFailed,
		AuthOK:     lim.AuthOK,
		Log:        log,
		MaxMessage: c.maxMessage,
	})
	return []port{
		{name: "imap", addr: c.imap, handler: srv, busy: imapBusy},
		{name: "imaps", addr: c.imaps, implicit: true, handler: srv, busy: imapBusy},
	}
}
