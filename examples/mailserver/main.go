// Command mailserver is the privacy mail service built from mailwire's
// blocks: SMTP submission (STARTTLS and implicit TLS) and POP3 (STLS and
// POP3S) over one Maildir store, with TLS forced or opportunistic. Nothing
// that leaves the service names the sender's IP address, host or ISP.
//
//	go run ./examples/mailserver            # demo user, self-signed cert, ports 2587 2465 2110 2995 2143 2993
//	go run ./examples/mailserver -h         # every flag with its default
//
// main parses flags and wires the parts; the parts live in internal/.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/mailwire/mailwire/examples/mailserver/internal/listener"
	"github.com/mailwire/mailwire/examples/mailserver/internal/pop3d"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsconf"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// config is what the flags say.
type config struct {
	data, usersFile, hashPassword, hostname, cert, key string
	userFlags                                          listFlag
	submission, submissions, pop3, pop3s               string
	imap, imaps                                        string
	tlsMode                                            string
	maxMessage                                         int64
	maxConns, maxConnsPerIP                            int
	failDelay                                          time.Duration
	relay, relayTLS, relayAuth, relayCA                string
	relayImplicit                                      bool
	dns, mtastsCA                                      string
	mxPort, mtastsPort, mxPerDomain                    int
	queueRetry, queueMaxAge                            time.Duration
	grace                                              time.Duration
	proxyFrom                                          []netip.Prefix
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("mailserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.data, "data", "./mailwire-data", "data `DIR`: one Maildir per user in DIR/NAME/, TLS material in DIR/tls/, the queue in DIR/queue/")
	fs.Var(&c.userFlags, "user", "a user as `NAME:PASSWORD` (repeatable)")
	fs.StringVar(&c.usersFile, "users", "", "a `FILE` of users, one name:hash a line (see -hash-password); with neither -user nor -users a user \"demo\" is created with a random password printed once")
	fs.StringVar(&c.hashPassword, "hash-password", "", "helper: read a password from stdin and print the -users line for user `NAME`, then exit")
	fs.StringVar(&c.hostname, "hostname", "localhost", "the service's host `NAME`: user addresses are NAME@HOSTNAME")
	fs.StringVar(&c.cert, "cert", "", "TLS certificate `FILE` (PEM); default: a self-signed ECDSA certificate generated into DIR/tls/")
	fs.StringVar(&c.key, "key", "", "TLS key `FILE` (PEM), with -cert")
	fs.StringVar(&c.submission, "submission", "127.0.0.1:2587", "SMTP submission with STARTTLS on `ADDR` (empty: off)")
	fs.StringVar(&c.submissions, "submissions", "127.0.0.1:2465", "SMTP submission with implicit TLS on `ADDR` (empty: off)")
	fs.StringVar(&c.pop3, "pop3", "127.0.0.1:2110", "POP3 with STLS on `ADDR` (empty: off)")
	fs.StringVar(&c.pop3s, "pop3s", "127.0.0.1:2995", "POP3 with implicit TLS on `ADDR` (empty: off)")
	fs.StringVar(&c.imap, "imap", "127.0.0.1:2143", "IMAP with STARTTLS on `ADDR` (empty: off)")
	fs.StringVar(&c.imaps, "imaps", "127.0.0.1:2993", "IMAP with implicit TLS on `ADDR` (empty: off)")
	fs.StringVar(&c.tlsMode, "tls", "required", "`MODE`: required: no AUTH, USER/PASS or MAIL before TLS; opportunistic: allowed in plaintext")
	fs.Int64Var(&c.maxMessage, "max-message", 26214400, "largest message accepted, in `BYTES`")
	fs.IntVar(&c.maxConns, "max-conns", 1000, "`N` connections in all (over it: 421 / -ERR [SYS/TEMP])")
	fs.IntVar(&c.maxConnsPerIP, "max-conns-per-ip", 100, "connections from one client IP (-1: no per-IP cap)")
	fs.DurationVar(&c.failDelay, "fail-delay", time.Second, "delay after a failed login, doubled per further failure from the same IP up to 16x")
	fs.StringVar(&c.relay, "relay", "", "smarthost `HOST:PORT` for non-local recipients, or \"mx\" to deliver to each recipient domain's MX hosts (empty: they are refused 550 5.7.1 relaying denied)")
	fs.StringVar(&c.relayTLS, "relay-tls", "verify", "TLS `LEVEL` toward the relay or MX hosts (tlspolicy level: none, may, encrypt, dane, dane-only, verify, secure…); default verify for a relay, may for -relay mx")
	fs.StringVar(&c.dns, "dns", "", "DNS resolver `HOST:PORT` for -relay mx (default: the first nameserver of /etc/resolv.conf); DANE trusts its AD bit, so name a validating resolver on a trusted path")
	fs.IntVar(&c.mxPerDomain, "mx-per-domain", 2, "-relay mx: connections to one recipient domain at a time")
	fs.IntVar(&c.mxPort, "mx-port", 25, "test hook: the SMTP `PORT` of every MX host")
	fs.IntVar(&c.mtastsPort, "mtasts-port", 443, "test hook: the HTTPS `PORT` of mta-sts.DOMAIN")
	fs.StringVar(&c.mtastsCA, "mtasts-ca", "", "test hook: PEM `FILE` of CAs that verify mta-sts.DOMAIN (default: the system roots)")
	fs.DurationVar(&c.queueMaxAge, "queue-max-age", 0, "test hook: give up on a message after `DURATION` instead of 5 days")
	fs.StringVar(&c.relayAuth, "relay-auth", "", "`NAME:PASSWORD` for AUTH at the relay")
	fs.StringVar(&c.relayCA, "relay-ca", "", "PEM `FILE` of CA certificates that verify the relay (default: the system roots)")
	fs.BoolVar(&c.relayImplicit, "relay-implicit", false, "the relay port speaks implicit TLS (465) instead of STARTTLS")
	fs.DurationVar(&c.queueRetry, "queue-retry", 0, "retry every `DURATION` instead of the 1m…4h schedule (for tests)")
	fs.DurationVar(&c.grace, "grace", 5*time.Second, "at SIGINT/SIGTERM, how long sessions may run on")
	fs.Func("proxy-from", "`CIDR,…` of load balancers (HAProxy) whose connections must start with a PROXY v1/v2 header naming the client; a header from anyone else closes the connection", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(f))
			if err != nil {
				a, aerr := netip.ParseAddr(strings.TrimSpace(f))
				if aerr != nil {
					return err
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.proxyFrom = append(c.proxyFrom, p.Masked())
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if c.relay == "mx" {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "relay-tls" })
		if !set {
			c.relayTLS = "may" // opportunistic TLS, as MTAs deliver by default
		}
	}
	if c.tlsMode != "required" && c.tlsMode != "opportunistic" {
		return c, fmt.Errorf("-tls must be required or opportunistic, not %q", c.tlsMode)
	}
	return c, nil
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "mailserver:", err)
		return 2
	}
	if c.hashPassword != "" {
		return hashPassword(c.hashPassword, stdin, stdout, stderr)
	}
	if err := serve(ctx, c, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "mailserver:", err)
		return 1
	}
	return 0
}

func hashPassword(name string, stdin io.Reader, stdout, stderr io.Writer) int {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(stderr, "mailserver: -hash-password: no password on stdin")
		return 2
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		fmt.Fprintln(stderr, "mailserver: -hash-password: empty password")
		return 2
	}
	out, err := users.HashLine(name, pw)
	if err != nil {
		fmt.Fprintln(stderr, "mailserver:", err)
		return 2
	}
	fmt.Fprintln(stdout, out)
	return 0
}

// loadUsers builds the account DB and the lines that describe it.
func loadUsers(c config) (*users.DB, []string, error) {
	db := users.New(c.hostname)
	for _, u := range c.userFlags {
		name, pw, ok := strings.Cut(u, ":")
		if !ok || pw == "" {
			return nil, nil, fmt.Errorf("-user %q: want NAME:PASSWORD", name)
		}
		if err := db.Add(name, pw); err != nil {
			return nil, nil, err
		}
	}
	if c.usersFile != "" {
		f, err := os.Open(c.usersFile)
		if err != nil {
			return nil, nil, err
		}
		err = db.Load(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("-users %s: %w", c.usersFile, err)
		}
	}
	var lines []string
	if db.Len() == 0 {
		pw, err := db.Demo(c.data)
		if err != nil {
			return nil, nil, fmt.Errorf("demo user: %w", err)
		}
		addr := users.DemoName + "@" + db.Hostname()
		if pw != "" {
			lines = append(lines, "user "+users.DemoName+" "+addr+" password "+pw+" (printed this once; its hash is in "+filepath.Join(c.data, users.DemoFile)+")")
		} else {
			lines = append(lines, "user "+users.DemoName+" "+addr+" (password printed at the first start; to reset it, delete "+filepath.Join(c.data, users.DemoFile)+" and start again)")
		}
		return db, lines, nil
	}
	for _, n := range db.Names() {
		lines = append(lines, "user "+n+" "+n+"@"+db.Hostname())
	}
	return db, lines, nil
}

// port is one listener to start.
type port struct {
	name, addr string
	implicit   bool
	handler    listener.Handler
	busy       string
}

func serve(ctx context.Context, c config, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return err
	}
	db, userLines, err := loadUsers(c)
	if err != nil {
		return err
	}
	tlsCfg, info, err := tlsconf.Load(c.data, c.hostname, c.cert, c.key)
	if err != nil {
		return err
	}
	st, err := store.Open(c.data)
	if err != nil {
		return err
	}
	lim := limits.New(limits.Config{MaxConns: c.maxConns, MaxConnsPerIP: c.maxConnsPerIP, FailDelay: c.failDelay})
	required := c.tlsMode == "required"

	pop := pop3d.New(pop3d.Config{
		Hostname:   c.hostname,
		TLS:        tlsCfg,
		RequireTLS: required,
		Users:      db,
		Store:      pop3d.StoreOf(st),
		AuthFailed: lim.AuthFailed,
		AuthOK:     lim.AuthOK,
		Log:        log,
	})
	ports := []port{
		{name: "pop3", addr: c.pop3, handler: pop, busy: "-ERR [SYS/TEMP] too many connections, try later\r\n"},
		{name: "pop3s", addr: c.pop3s, implicit: true, handler: pop, busy: "-ERR [SYS/TEMP] too many connections, try later\r\n"},
	}
	extra, runners, err := wireSubmission(c, db, st, tlsCfg, required, lim, log)
	if err != nil {
		return err
	}
	ports = append(extra, ports...)
	ports = append(ports, wireIMAP(c, db, st, tlsCfg, required, lim, log)...)

	var servers []*listener.Server
	var names []string
	for _, p := range ports {
		if p.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			for _, s := range servers {
				s.Close() // bound but never served
			}
			return fmt.Errorf("%s: %w", p.name, err)
		}
		cfg := listener.Config{Name: p.name, Handler: p.handler, Limits: lim, Busy: []byte(p.busy), Log: log, Grace: c.grace, ProxyFrom: c.proxyFrom}
		if p.implicit {
			cfg.Implicit = tlsCfg
		}
		servers = append(servers, listener.New(ln, cfg))
		names = append(names, p.name)
	}
	for i, s := range servers {
		fmt.Fprintf(stdout, "listening %s %s\n", names[i], s.Addr())
	}
	fmt.Fprintf(stdout, "certificate sha256 %s\n", info.Fingerprint)
	fmt.Fprintf(stdout, "certificate file %s\n", info.CertPath)
	for _, l := range userLines {
		fmt.Fprintln(stdout, l)
	}
	fmt.Fprintf(stdout, "tls %s\n", c.tlsMode)
	fmt.Fprintln(stdout, "ready")
	log.Info("started", "listeners", len(servers), "tls", c.tlsMode, "hostname", c.hostname)

	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() { defer wg.Done(); r(ctx) }()
	}
	errs := make(chan error, len(servers))
	for _, s := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s.Serve(ctx) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	log.Info("stopped")
	return nil
}
