package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
)

// probeUser is the made-up name the POP3 USER probe sends: a user name,
// never a password or any other credential.
const probeUser = "mailprobe-no-such-user"

// offeredAuth returns the capabilities that offer authentication in
// plaintext: SMTP/LMTP AUTH, POP3 USER and SASL, IMAP AUTH= and the absence
// of LOGINDISABLED.
func offeredAuth(p session.Proto, caps []string) []string {
	var out []string
	switch p {
	case session.SMTP, session.LMTP:
		for _, c := range caps {
			if f := strings.Fields(c); len(f) > 1 && strings.EqualFold(f[0], "AUTH") {
				out = append(out, c)
			}
		}
	case session.POP3:
		for _, c := range caps {
			f := strings.Fields(c)
			if len(f) > 0 && (strings.EqualFold(f[0], "USER") || strings.EqualFold(f[0], "SASL") && len(f) > 1) {
				out = append(out, c)
			}
		}
	case session.IMAP:
		disabled := false
		for _, c := range caps {
			if strings.HasPrefix(strings.ToUpper(c), "AUTH=") {
				out = append(out, c)
			}
			if strings.EqualFold(c, "LOGINDISABLED") {
				disabled = true
			}
		}
		if !disabled {
			out = append(out, "LOGIN (no LOGINDISABLED)")
		}
	}
	return out
}

// authProbe tries to start authentication in plaintext without sending any
// credential: AUTH PLAIN without an initial response (cancelled with "*"
// if the server asks for it), and for POP3 also USER with a made-up name.
// It returns what was accepted.
func authProbe(c *conn) ([]string, error) {
	var accepted []string
	cmd := "AUTH PLAIN"
	if c.Proto == session.IMAP {
		cmd = "AUTHENTICATE PLAIN"
	}
	tag := c.NextTag()
	rep, err := c.Command(cmd)
	if err != nil {
		return accepted, err
	}
	if rep.Code == 334 || rep.Cond == "+" {
		accepted = append(accepted, fmt.Sprintf("%s answered %q (ready for credentials)", cmd, rep.String()))
		if err := c.Write([]byte("*\r\n")); err != nil {
			return accepted, err
		}
		if _, err := c.ReadReply(tag); err != nil {
			return accepted, err
		}
	}
	if c.Proto == session.POP3 {
		rep, err := c.Command("USER " + probeUser)
		if err != nil {
			return accepted, err
		}
		if rep.OK {
			accepted = append(accepted, fmt.Sprintf("USER answered %q", rep.String()))
		}
	}
	return accepted, nil
}

// PlaintextAuth fails when authentication is offered (capabilities) or
// accepted (authProbe) before TLS.
func PlaintextAuth(ctx context.Context, e *Env) Result {
	if e.Target.Mode == target.Implicit {
		return skip("implicit TLS: nothing is sent before TLS")
	}
	c, err := e.dial(ctx)
	if err != nil {
		return errResult(nil, "connect", err)
	}
	defer c.Close()
	caps, err := c.start()
	if err != nil {
		return errResult(c, "before TLS", err)
	}
	offered := offeredAuth(c.Proto, caps)
	accepted, err := authProbe(c)
	if err != nil {
		return errResult(c, "authentication probe", err)
	}
	_, _ = c.Command(quitCmd(c))
	var details []string
	for _, o := range offered {
		details = append(details, "offered before TLS: "+o)
	}
	for _, a := range accepted {
		details = append(details, "accepted before TLS: "+a)
	}
	if len(offered)+len(accepted) > 0 {
		return Result{Verdict: Fail, Summary: "authentication is available in plaintext", Details: details, Evidence: c.evidence()}
	}
	return Result{Verdict: Pass, Summary: "no authentication is offered or accepted before TLS", Evidence: c.evidence()}
}

// StartTLSRequired fails when the server takes mail commands before TLS.
// SMTP and LMTP: "MAIL FROM:<>" (the null path: no address; followed by
// RSET, never by RCPT or DATA). POP3 and IMAP have no mail command before
// authentication, so there the check is the authentication probe.
func StartTLSRequired(ctx context.Context, e *Env) Result {
	if e.Target.Mode == target.Implicit {
		return skip("implicit TLS: nothing is sent before TLS")
	}
	c, err := e.dial(ctx)
	if err != nil {
		return errResult(nil, "connect", err)
	}
	defer c.Close()
	caps, err := c.start()
	if err != nil {
		return errResult(c, "before TLS", err)
	}
	var details []string
	if !hasCap(caps, "STARTTLS") && !hasCap(caps, "STLS") {
		details = append(details, "STARTTLS is not even offered")
	}
	switch c.Proto {
	case session.SMTP, session.LMTP:
		rep, err := c.Command("MAIL FROM:<>")
		if err != nil {
			return errResult(c, "MAIL", err)
		}
		if rep.Code/100 == 2 {
			_, _ = c.Command("RSET")
			_, _ = c.Command("QUIT")
			if e.Target.Port == 25 {
				details = append(details, "on port 25 this is what RFC 3207 §4 asks of a publicly referenced MX")
			}
			return Result{Verdict: Fail, Summary: "MAIL is accepted before TLS: " + rep.String(), Details: details, Evidence: c.evidence()}
		}
		_, _ = c.Command("QUIT")
		return Result{Verdict: Pass, Summary: "MAIL is refused before TLS: " + rep.String(), Details: details, Evidence: c.evidence()}
	default:
		accepted, err := authProbe(c)
		if err != nil {
			return errResult(c, "authentication probe", err)
		}
		_, _ = c.Command(quitCmd(c))
		if len(accepted) > 0 {
			return Result{Verdict: Fail, Summary: "login is accepted before TLS", Details: append(details, accepted...), Evidence: c.evidence()}
		}
		return Result{Verdict: Pass, Summary: "login is refused before TLS", Details: details, Evidence: c.evidence()}
	}
}
