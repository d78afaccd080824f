// Command mailrecord is a loopback TCP relay that records mail sessions
// between real peers as transcript files (see internal/transcript).
//
// It listens on a loopback address, forwards each accepted connection to a
// loopback target, and writes both directions, chunk by chunk as it read
// them, to OUT/NAME-N.txn. It stops by itself once it has relayed -sessions
// sessions, when -timeout expires, or on SIGINT/SIGTERM; sessions still open
// then get -grace to finish before they are cut.
//
//	mailrecord -listen 127.0.0.1:0 -ready addr.txt -target 127.0.0.1:11143 \
//	    -out DIR -name imap-curl -protocol imap -server "Dovecot 2.3.19.1" \
//	    -client "curl 7.88.1" -sessions 2
//
// With -ready, the listening address is written to that file once the
// relay accepts connections, so a script can start it on port 0 and wait.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, log.New(os.Stderr, "mailrecord: ", 0).Printf)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mailrecord:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into a checked config.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("mailrecord", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&cfg.listen, "listen", cfg.listen, "loopback `address` to listen on")
	fs.StringVar(&cfg.target, "target", "", "loopback `address` to forward to (required)")
	fs.StringVar(&cfg.readyFile, "ready", "", "`file` to write the listening address to once ready")
	fs.StringVar(&cfg.outDir, "out", "", "`directory` for the transcripts (required)")
	fs.StringVar(&cfg.name, "name", "", "transcript file name `prefix` (required)")
	fs.StringVar(&cfg.header.Protocol, "protocol", "", "protocol: smtp, pop3 or imap (required)")
	fs.StringVar(&cfg.header.Server, "server", "", "server software and version")
	fs.StringVar(&cfg.header.Client, "client", "", "client software and version")
	fs.StringVar(&cfg.header.Recorder, "recorder", cfg.header.Recorder, "how the transcript was made")
	fs.StringVar(&cfg.header.Note, "note", "", "free text for the transcript header")
	fs.IntVar(&cfg.sessions, "sessions", cfg.sessions, "stop after relaying this many sessions")
	fs.DurationVar(&cfg.timeout, "timeout", cfg.timeout, "stop after this long in all")
	fs.DurationVar(&cfg.sessionTimeout, "session-timeout", cfg.sessionTimeout, "cut a session open this long")
	fs.DurationVar(&cfg.grace, "grace", cfg.grace, "time open sessions get to finish when stopping")
	fs.Int64Var(&cfg.maxBytes, "max-bytes", cfg.maxBytes, "cut a session that carries more bytes than this")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %q", fs.Args())
		fmt.Fprintln(errOut, "mailrecord:", err)
		return cfg, err
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintln(errOut, "mailrecord:", err)
		return cfg, err
	}
	return cfg, nil
}
