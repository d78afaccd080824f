package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
)

// StartTLSInjection sends STARTTLS and a NOOP in one segment. A server that
// answers the NOOP inside TLS, without being asked again, executed plaintext
// it had buffered across the upgrade (CVE-2011-0411 class). Refusing the
// STARTTLS, closing, or discarding the NOOP passes.
func StartTLSInjection(ctx context.Context, e *Env) Result {
	if r, ok := e.needsSTARTTLS(); !ok {
		return r
	}
	c, err := e.dial(ctx)
	if err != nil {
		return errResult(nil, "connect", err)
	}
	defer c.Close()
	if _, err := c.start(); err != nil {
		return errResult(c, "before STARTTLS", err)
	}
	tag := ""
	payload := e.Target.Proto.StartTLSCommand() + "\r\n" + "NOOP\r\n"
	if c.Proto == session.IMAP {
		tag = c.TakeTag()
		payload = tag + " STARTTLS\r\n" + c.TakeTag() + " NOOP\r\n"
	}
	if err := c.Write([]byte(payload)); err != nil {
		return errResult(c, "write", err)
	}
	rep, err := c.ReadReply(tag)
	if err != nil {
		return Result{Verdict: Pass, Summary: fmt.Sprintf("the server closed the connection instead of the go-ahead (%v)", err), Evidence: c.evidence()}
	}
	if !c.Proto.GoAhead(rep) {
		return Result{Verdict: Pass, Summary: "the server refused STARTTLS with a command behind it: " + rep.String(), Evidence: c.evidence()}
	}
	if c.Buffered() > 0 {
		// Bytes behind the go-ahead: an answer to the NOOP in plaintext, or
		// an injected response; either way no TLS can follow safely.
		return Result{Verdict: Error, Summary: "cannot tell: the server sent bytes right after its go-ahead, in plaintext (see response-injection)", Evidence: c.evidence()}
	}
	cfg, err := probe.TLSConfig(encryptOnly(e.Target), &probe.Seen{})
	if err != nil {
		return errResult(c, "TLS configuration", err)
	}
	if _, err := c.Handshake(ctx, cfg); err != nil {
		// TLS works on this server (the main session got through), so the
		// server dropped the upgrade because of the pipelined bytes.
		return Result{Verdict: Pass, Summary: fmt.Sprintf("the server sent the go-ahead, then broke off the handshake (%v): the pipelined command was not executed", err),
			Evidence: c.evidence()}
	}
	_ = c.SetReadDeadline(time.Now().Add(e.wait()))
	buf := make([]byte, 512)
	n, rerr := c.Read(buf)
	_ = c.SetReadDeadline(time.Now().Add(e.Timeout))
	if n > 0 {
		return Result{Verdict: Fail,
			Summary:  "the server executed the command pipelined after STARTTLS: its reply came inside TLS unasked",
			Details:  []string{"reply inside TLS: " + record.Quote(buf[:n])},
			Evidence: c.evidence()}
	}
	if rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
		return Result{Verdict: Pass, Summary: fmt.Sprintf("the server closed the TLS session (%v): the pipelined command was not executed", rerr), Evidence: c.evidence()}
	}
	// Nothing came: ask for the capabilities to show the session is sane.
	_, rep, err = c.Capabilities()
	sum := fmt.Sprintf("nothing arrived inside TLS within %s: the pipelined command was discarded", e.wait())
	if err == nil && rep.OK {
		sum += "; the capability command then worked"
	}
	return Result{Verdict: Pass, Summary: sum, Evidence: c.evidence()}
}
