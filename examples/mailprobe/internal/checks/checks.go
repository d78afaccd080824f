// Package checks holds the probe's checks. Each runs on connections of its
// own (except cert, which reads the main session's chain), keeps the bytes
// it exchanged, and returns a verdict with that evidence.
package checks

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
)

// Verdict is a check's outcome.
type Verdict string

// The verdicts. Only Fail makes the probe fail; Error (the check could not
// be run to a conclusion) is an exit status 2 when nothing failed.
const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"
	Skip  Verdict = "skip" // not applicable to this target, or not requested input
	Error Verdict = "error"
)

// Result is one check's outcome.
type Result struct {
	Name    string   `json:"name"`
	Verdict Verdict  `json:"verdict"`
	Summary string   `json:"summary"`
	Details []string `json:"details,omitempty"`
	// Evidence is the transcript that showed it, "C: " client and "S: "
	// server lines ("~" instead of ":" inside TLS), bytes escaped.
	Evidence []string `json:"evidence,omitempty"`
}

// Env is what a check runs with.
type Env struct {
	Target   target.Target
	Timeout  time.Duration
	Hello    string
	From, To string
	// Auth is NAME:PASSWORD for AUTH PLAIN before the smuggling probe's
	// MAIL, for servers that take mail only from authenticated clients.
	// It is sent only over TLS, and never logged.
	Auth string
	// Wait is how long a check listens for bytes a server should not send
	// (after a go-ahead, after a pipelined command); default 1 s.
	Wait time.Duration
	Main *probe.Result
}

func (e *Env) wait() time.Duration {
	if e.Wait > 0 {
		return e.Wait
	}
	if e.Timeout < 2*time.Second {
		return e.Timeout / 2
	}
	return time.Second
}

// Check is one named check.
type Check struct {
	Name string
	Doc  string
	Run  func(ctx context.Context, e *Env) Result
	// gate says, from the main session, whether the check can run; it
	// returns the Skip result when not.
	gate func(e *Env) (Result, bool)
}

// All lists the checks in the order they run.
var All = []Check{
	{"starttls-injection", "a command pipelined after STARTTLS in the same segment is not executed (CVE-2011-0411)", StartTLSInjection, tlsWorks},
	{"response-injection", "the server sends nothing after its STARTTLS go-ahead", ResponseInjection, tlsWorksOrInjects},
	{"smtp-smuggling", "non-standard end-of-data sequences do not end a message (CVE-2023-51764 class)", Smuggling, mailSession},
	{"plaintext-auth", "AUTH, LOGIN and USER are neither offered nor accepted before TLS", PlaintextAuth, notPreauth},
	{"starttls-required", "mail commands (SMTP MAIL, POP3 USER, IMAP AUTHENTICATE) are refused before TLS", StartTLSRequired, notPreauth},
	{"tls-versions", "TLS 1.0 and 1.1 are refused", TLSVersions, tlsWorks},
	{"cert", "the certificate is valid for 14 days more, carries the name, has a strong key", Cert, nil},
}

// mainTLS reports whether the main session got through a handshake (a
// certificate that failed verification still means TLS works).
func (e *Env) mainTLS() bool {
	return e.Main == nil || e.Main.Secure || e.Main.AbortKind == probe.AbortVerification
}

func (e *Env) mainAbort() string {
	if e.Main == nil || e.Main.AbortKind == "" {
		if e.Main != nil && e.Main.PlaintextReason != "" {
			return "the session stayed in plaintext: " + e.Main.PlaintextReason
		}
		return "no TLS"
	}
	return "the main session aborted (" + e.Main.AbortKind + "): " + e.Main.Err.Error()
}

func tlsWorks(e *Env) (Result, bool) {
	if e.Target.Mode != target.None && !e.mainTLS() {
		return skip("not run: " + e.mainAbort()), false
	}
	return Result{}, true
}

// tlsWorksOrInjects also runs after a failed handshake: plaintext that
// arrives after the go-ahead, in a later segment, breaks the handshake.
func tlsWorksOrInjects(e *Env) (Result, bool) {
	if e.Main != nil && (e.Main.AbortKind == probe.AbortResponseInjection || e.Main.AbortKind == probe.AbortHandshake) {
		return Result{}, true
	}
	return tlsWorks(e)
}

// mailSession: the smuggling probe sends MAIL only in a session that meets
// the policy (plaintext only at level may or none).
func mailSession(e *Env) (Result, bool) {
	if e.Main != nil && !e.Main.Secure && e.Target.Level.Required() {
		return skip("not run: MAIL is sent only in a session that meets the policy, and " + e.mainAbort()), false
	}
	return Result{}, true
}

func notPreauth(e *Env) (Result, bool) {
	if e.Main != nil && e.Main.AbortKind == probe.AbortPreauth {
		return skip("not run: " + e.mainAbort()), false
	}
	return Result{}, true
}

// Select returns the checks named in list (comma-separated, or "all").
func Select(list string) ([]Check, error) {
	if list == "" || list == "all" {
		return All, nil
	}
	var out []Check
	seen := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, c := range All {
			if c.Name == n {
				found = true
				if !seen[n] {
					out = append(out, c)
					seen[n] = true
				}
			}
		}
		if !found {
			names := make([]string, 0, len(All))
			for _, c := range All {
				names = append(names, c.Name)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("unknown check %q (all, %s)", n, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// Run runs checks in order.
func Run(ctx context.Context, e *Env, list []Check) []Result {
	out := make([]Result, 0, len(list))
	for _, c := range list {
		var r Result
		if res, ok := c.gateOK(e); !ok {
			r = res
		} else {
			r = c.Run(ctx, e)
		}
		r.Name = c.Name
		out = append(out, r)
	}
	return out
}

func (c Check) gateOK(e *Env) (Result, bool) {
	if c.gate == nil {
		return Result{}, true
	}
	return c.gate(e)
}

// conn is a check's connection with its own log.
type conn struct {
	*session.Conn
	log *record.Log
}

func (e *Env) dial(ctx context.Context) (*conn, error) {
	log := &record.Log{}
	s, err := session.Dial(ctx, e.Target.Proto, e.Target.Addr, e.Timeout, log)
	if err != nil {
		return nil, err
	}
	s.Hello = e.Hello
	return &conn{Conn: s, log: log}, nil
}

func (c *conn) evidence() []string { return record.Format(c.log.Entries()) }

// start reads the greeting and asks for the capabilities.
func (c *conn) start() ([]string, error) {
	g, err := c.Greeting()
	if err != nil {
		return nil, err
	}
	if !g.OK {
		return nil, fmt.Errorf("greeting refused the session: %s", g)
	}
	if g.Cond == "PREAUTH" {
		return nil, fmt.Errorf("PREAUTH greeting: the session is authenticated before TLS")
	}
	caps, rep, err := c.Capabilities()
	if err != nil {
		return caps, err
	}
	if !rep.OK {
		return caps, fmt.Errorf("capability command refused: %s", rep)
	}
	return caps, nil
}

// errResult is an Error verdict with what was seen.
func errResult(c *conn, what string, err error) Result {
	r := Result{Verdict: Error, Summary: fmt.Sprintf("%s: %v", what, err)}
	if c != nil {
		r.Evidence = c.evidence()
	}
	return r
}

func skip(why string) Result { return Result{Verdict: Skip, Summary: why} }

// needsSTARTTLS skips checks of the STARTTLS step on targets without it.
func (e *Env) needsSTARTTLS() (Result, bool) {
	switch e.Target.Mode {
	case target.Implicit:
		return skip("implicit TLS: there is no STARTTLS step"), false
	case target.None:
		return skip("-tls none: STARTTLS not probed"), false
	}
	if m := e.Main; m != nil && !m.Secure && m.PlaintextReason != "" {
		return skip("not run: the server does not do STARTTLS: " + m.PlaintextReason), false
	}
	return Result{}, true
}

func hasCap(caps []string, name string) bool {
	for _, c := range caps {
		f := strings.Fields(c)
		if len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}
