package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
)

// ResponseInjection sends STARTTLS alone and listens: a server (or a
// man in the middle) that sends anything after its go-ahead, in the same
// segment or later, before the client's first handshake byte, injects
// responses a careless client reads as if they came over TLS.
func ResponseInjection(ctx context.Context, e *Env) Result {
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
	rep, err := c.StartTLS()
	if err != nil {
		return errResult(c, "STARTTLS", err)
	}
	var details []string
	if m := e.Main; m != nil && m.AbortKind == probe.AbortResponseInjection {
		details = append(details, "the main session was aborted for the same reason: "+m.Err.Error())
	}
	if c.Buffered() > 0 {
		return Result{Verdict: Fail, Summary: fmt.Sprintf("the server sent %d bytes in the same read as its go-ahead %q", c.Buffered(), rep.String()),
			Details: details, Evidence: c.evidence()}
	}
	_ = c.SetReadDeadline(time.Now().Add(e.wait()))
	buf := make([]byte, 512)
	n, rerr := c.Read(buf)
	_ = c.SetReadDeadline(time.Now().Add(e.Timeout))
	if n > 0 {
		return Result{Verdict: Fail, Summary: "the server sent bytes after its go-ahead, before the TLS handshake",
			Details: append(details, "after the go-ahead: "+record.Quote(buf[:n])), Evidence: c.evidence()}
	}
	if rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
		return errResult(c, "after the go-ahead", rerr)
	}
	cfg, err := probe.TLSConfig(encryptOnly(e.Target), &probe.Seen{})
	if err == nil {
		if _, err = c.Handshake(ctx, cfg); err == nil {
			_, _ = c.Command(quitCmd(c))
		}
	}
	sum := fmt.Sprintf("nothing arrived after the go-ahead within %s", e.wait())
	if err != nil {
		sum += fmt.Sprintf(" (the handshake that followed failed: %v)", err)
	}
	return Result{Verdict: Pass, Summary: sum, Details: details, Evidence: c.evidence()}
}
