// Command mailprobe tests a mail server's TLS and STARTTLS behaviour: it
// connects, negotiates TLS as a tlspolicy level says, reports what it saw
// (greeting, capabilities before and after TLS, version, cipher suite,
// certificate chain, verification) and runs checks for the known STARTTLS,
// smuggling and plaintext-authentication problems.
//
//	mailprobe [flags] HOST:PORT
//
// Exit status: 0 all good; 1 a check failed or the policy was not met;
// 2 usage, connection or protocol error. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/checks"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/report"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailprobe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt target.Options
	var fps, tlsa listFlag
	fs.StringVar(&opt.Proto, "proto", "", "smtp, pop3, imap or lmtp (guessed from ports 25/465/587, 110/995, 143/993)")
	fs.StringVar(&opt.Mode, "tls", "", "implicit, starttls or none (guessed from the port)")
	fs.StringVar(&opt.Level, "level", "verify", "tlspolicy level: none, may, encrypt, fingerprint, dane, dane-only, verify, secure")
	fs.StringVar(&opt.ServerName, "servername", "", "name to verify and send as SNI (default: the host)")
	fs.StringVar(&opt.CAFile, "cafile", "", "PEM file of trusted roots (default: the system roots)")
	fs.BoolVar(&opt.Insecure, "insecure", false, "report but accept a certificate that fails verification (self-signed test servers)")
	fs.Var(&fps, "fingerprint", "SHA-256 of the certificate or its key, hex (level fingerprint; repeatable)")
	fs.Var(&tlsa, "tlsa", `TLSA record "usage selector type hex" (levels dane, dane-only; repeatable)`)
	alpn := fs.String("alpn", "", "comma-separated ALPN protocol names to offer, e.g. imap or pop3 (default: none)")
	timeout := fs.Duration("timeout", 10*time.Second, "bound on each connection")
	asJSON := fs.Bool("json", false, "write one JSON object")
	checkList := fs.String("check", "all", "comma-separated checks, or all: "+checkNames())
	from := fs.String("from", "", "MAIL FROM of the smuggling probe messages (default: the null path)")
	to := fs.String("to", "", "recipient of the smuggling probe messages (smtp-smuggling needs it)")
	auth := fs.String("auth", "", "NAME:PASSWORD for AUTH PLAIN before the smuggling probe's MAIL (sent only over TLS, never shown)")
	hello := fs.String("hello", "mailprobe.invalid", "EHLO/LHLO name")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mailprobe [flags] HOST:PORT")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return report.ExitError
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return report.ExitError
	}
	opt.Fingerprints, opt.TLSA = fps, tlsa
	if *alpn != "" {
		opt.ALPN = strings.Split(*alpn, ",")
	}
	t, err := target.New(fs.Arg(0), opt)
	if err != nil {
		fmt.Fprintln(stderr, "mailprobe:", err)
		return report.ExitError
	}
	list, err := checks.Select(*checkList)
	if err != nil {
		fmt.Fprintln(stderr, "mailprobe:", err)
		return report.ExitError
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "mailprobe: -timeout must be positive")
		return report.ExitError
	}

	main := probe.Run(ctx, probe.Config{Target: t, Timeout: *timeout, Hello: *hello})
	var results []checks.Result
	if main.AbortKind != probe.AbortConnection {
		env := &checks.Env{Target: t, Timeout: *timeout, Hello: *hello, From: *from, To: *to, Auth: *auth, Main: main}
		results = checks.Run(ctx, env, list)
	}
	rep := report.Build(t, main, results)
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		fmt.Fprintln(stderr, "mailprobe:", err)
	}
	return rep.Exit
}

func checkNames() string {
	var n []string
	for _, c := range checks.All {
		n = append(n, c.Name)
	}
	return strings.Join(n, ", ")
}
