package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// wireQueue opens the outbound queue when -relay is set. Until
// internal/queue compiles, -relay is refused.
func wireQueue(c config, db *users.DB, st *store.Store, log *slog.Logger) (submission.Queue, []func(context.Context), error) {
	if c.relay == "" {
		return nil, nil, nil
	}
	return nil, nil, errors.New("-relay: the queue is not wired yet")
}
