package main

import (
	"context"
	"crypto/tls"
	"log/slog"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

const smtpBusy = "421 4.7.0 too many connections, try again later\r\n"

// wireSubmission returns the SMTP ports and the background loops (the
// queue).
func wireSubmission(c config, db *users.DB, st *store.Store, tc *tls.Config, required bool, lim *limits.Limits, log *slog.Logger) ([]port, []func(context.Context), error) {
	secret, err := st.Secret()
	if err != nil {
		return nil, nil, err
	}
	q, runners, err := wireQueue(c, db, st, log)
	if err != nil {
		return nil, nil, err
	}
	cfg := submission.Config{
		Hostname:   c.hostname,
		TLS:        tc,
		RequireTLS: required,
		MaxMessage: c.maxMessage,
		Users:      db,
		Local:      st,
		AuthFailed: lim.AuthFailed,
		Log:        log,
		Secret:     secret,
	}
	if q != nil {
		cfg.Queue = q
		cfg.OfferRequireTLS = c.relay == "mx"
	}
	srv := submission.New(cfg)
	return []port{
		{name: "submission", addr: c.submission, handler: srv, busy: smtpBusy},
		{name: "submissions", addr: c.submissions, implicit: true, handler: srv, busy: smtpBusy},
	}, runners, nil
}
