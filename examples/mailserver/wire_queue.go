package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mtasts"
	"github.com/mailwire/mailwire/examples/mailserver/internal/queue"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsrpt"
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
	if c.relay == "mx" && c.relayImplicit {
		return nil, nil, errors.New("-relay-implicit does not go with -relay mx: MX hosts speak STARTTLS on port 25")
	}
	if c.relay == "mx" && c.relayAuth != "" {
		return nil, nil, errors.New("-relay-auth does not go with -relay mx")
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
	cfg.MaxAge = c.queueMaxAge
	if c.relay == "mx" {
		if err := wireMX(c, &cfg); err != nil {
			return nil, nil, err
		}
	}
	q, err := queue.Open(filepath.Join(c.data, "queue"), cfg)
	if err != nil {
		return nil, nil, err
	}
	return q, []func(context.Context){q.Run}, nil
}

// wireMX sets up delivery to the recipient domains' MX hosts: the
// resolver, MTA-STS, TLSRPT reports in DIR/tlsrpt/.
func wireMX(c config, cfg *queue.Config) error {
	if c.mxPort <= 0 || c.mxPort > 65535 || c.mtastsPort <= 0 || c.mtastsPort > 65535 {
		return errors.New("-mx-port and -mtasts-port must be ports")
	}
	if c.dns != "" {
		if _, _, err := net.SplitHostPort(c.dns); err != nil {
			return fmt.Errorf("-dns: want HOST:PORT: %w", err)
		}
	}
	if level, _ := tlspolicy.ParseLevel(c.relayTLS); level == tlspolicy.LevelFingerprint {
		return errors.New("-relay-tls fingerprint does not go with -relay mx: there is no way to give the fingerprints")
	}
	res := &dns.Resolver{Server: c.dns}
	f := &mtasts.Fetcher{DNS: res, Dir: filepath.Join(c.data, "mtasts")}
	if c.mtastsPort != 443 {
		f.Port = c.mtastsPort
	}
	if c.mtastsCA != "" {
		pem, err := os.ReadFile(c.mtastsCA)
		if err != nil {
			return fmt.Errorf("-mtasts-ca: %w", err)
		}
		f.RootCAs = x509.NewCertPool()
		if !f.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("-mtasts-ca %s: no PEM certificate", c.mtastsCA)
		}
	}
	cfg.Relay = ""
	cfg.Concurrency = 8
	cfg.MX = &queue.MXConfig{
		DNS:       res,
		Port:      c.mxPort,
		MTASTS:    f,
		Reports:   &tlsrpt.Reporter{Dir: filepath.Join(c.data, "tlsrpt"), Org: c.hostname, Contact: "postmaster@" + c.hostname},
		PerDomain: c.mxPerDomain,
	}
	return nil
}
