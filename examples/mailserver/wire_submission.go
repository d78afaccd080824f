package main

import (
	"context"
	"crypto/tls"
	"log/slog"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// wireSubmission returns the SMTP ports and the background loops (the
// queue). Until internal/submission lands this wires none.
func wireSubmission(c config, db *users.DB, st *store.Store, tc *tls.Config, required bool, lim *limits.Limits, log *slog.Logger) ([]port, []func(context.Context), error) {
	return nil, nil, nil
}
