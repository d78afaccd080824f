package main

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mailwire/mailwire/internal/transcript"
)

// config is what one mailrecord run does.
type config struct {
	listen, target string
	readyFile      string
	outDir, name   string
	header         transcript.Header // Date is set per session
	sessions       int
	timeout        time.Duration // the whole run
	sessionTimeout time.Duration // one session, from accept
	grace          time.Duration // for open sessions once stopping
	maxBytes       int64         // both directions of one session together
}

func defaultConfig() config {
	return config{
		listen:         "127.0.0.1:0",
		header:         transcript.Header{Recorder: "mailrecord"},
		sessions:       1,
		timeout:        2 * time.Minute,
		sessionTimeout: time.Minute,
		grace:          2 * time.Second,
		maxBytes:       64 << 20,
	}
}

// check refuses configs that would touch anything but loopback or that
// leave the run unbounded.
func (c config) check() error {
	for _, a := range []struct{ flag, addr string }{{"-listen", c.listen}, {"-target", c.target}} {
		if err := checkLoopback(a.addr); err != nil {
			return fmt.Errorf("%s: %w", a.flag, err)
		}
	}
	switch {
	case c.outDir == "" || c.name == "":
		return errors.New("-out and -name are required")
	case c.header.Protocol == "":
		return errors.New("-protocol is required")
	case c.sessions < 1:
		return errors.New("-sessions must be at least 1")
	case c.timeout <= 0 || c.sessionTimeout <= 0 || c.grace <= 0 || c.maxBytes <= 0:
		return errors.New("-timeout, -session-timeout, -grace and -max-bytes must be positive")
	}
	if _, err := transcript.AppendHeader(nil, c.header); err != nil {
		return err
	}
	return nil
}

// checkLoopback accepts host:port where host is a loopback IP literal.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback IP address", host)
	}
	return nil
}
