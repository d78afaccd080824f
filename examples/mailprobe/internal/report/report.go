// Package report assembles a probe's findings into one Report, writes it
// as text or as one JSON object, and decides the exit status.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/certinfo"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/checks"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
)

// Exit statuses.
const (
	ExitOK    = 0 // every check passed (or was skipped) and the policy was met
	ExitFail  = 1 // a check failed or the policy was not met
	ExitError = 2 // usage, connection or protocol error
)

// Report is everything a probe found.
type Report struct {
	Target struct {
		Addr       string `json:"addr"`
		Proto      string `json:"proto"`
		TLS        string `json:"tls"`
		Level      string `json:"level"`
		ServerName string `json:"server_name"`
		Insecure   bool   `json:"insecure,omitempty"`
	} `json:"target"`
	Greeting        []string        `json:"greeting"`
	CapsBefore      []string        `json:"capabilities_before_tls"`
	STARTTLSReply   []string        `json:"starttls_reply,omitempty"`
	CapsAfter       []string        `json:"capabilities_after_tls"`
	TLS             *probe.TLSInfo  `json:"tls"`
	Certificates    []certinfo.Cert `json:"certificates"`
	Verification    Verification    `json:"verification"`
	Policy          Policy          `json:"policy"`
	Aborted         *Abort          `json:"aborted"`
	PlaintextReason string          `json:"plaintext_reason,omitempty"`
	Transcript      []string        `json:"transcript"`
	Checks          []checks.Result `json:"checks"`
	Exit            int             `json:"exit"`
}

// Verification is the PKIX result for the server name.
type Verification struct {
	Done  bool   `json:"done"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Policy is whether the session met the level.
type Policy struct {
	Level  string `json:"level"`
	Met    bool   `json:"met"`
	Reason string `json:"reason,omitempty"`
}

// Abort is why the main session stopped early.
type Abort struct {
	Kind  string `json:"kind"`
	Error string `json:"error"`
}

// Build assembles the report.
func Build(t target.Target, m *probe.Result, results []checks.Result) *Report {
	r := &Report{Greeting: m.Greeting, CapsBefore: m.CapsBefore, STARTTLSReply: m.STARTTLSReply, CapsAfter: m.CapsAfter,
		TLS: m.TLS, Certificates: certinfo.Describe(m.Chain), Checks: results, PlaintextReason: m.PlaintextReason}
	r.Target.Addr, r.Target.Proto, r.Target.TLS = t.Addr, t.Proto.String(), string(t.Mode)
	r.Target.Level, r.Target.ServerName, r.Target.Insecure = t.Level.String(), t.ServerName, t.Insecure
	r.Transcript = record.Format(m.Log.Entries())
	if m.Verified {
		r.Verification.Done = true
		r.Verification.OK = m.VerifyErr == nil
		if m.VerifyErr != nil {
			r.Verification.Error = m.VerifyErr.Error()
		}
	}
	r.Policy.Level = t.Policy.Level.String()
	r.Policy.Met = m.PolicyMet(t)
	switch {
	case m.AbortKind != "":
		r.Aborted = &Abort{Kind: m.AbortKind, Error: m.Err.Error()}
		r.Policy.Reason = "aborted (" + m.AbortKind + "): " + m.Err.Error()
	case m.PolicyErr != nil && t.Insecure:
		r.Policy.Reason = "verification failed but -insecure accepts it: " + m.PolicyErr.Error()
	case m.PolicyErr != nil:
		r.Policy.Reason = m.PolicyErr.Error()
	case !m.Secure && t.Level.String() == "may":
		r.Policy.Reason = "level may: plaintext accepted (" + m.PlaintextReason + ")"
	}
	r.Exit = exitStatus(m, r.Policy.Met, results)
	return r
}

func exitStatus(m *probe.Result, met bool, results []checks.Result) int {
	if m.AbortKind == probe.AbortConnection || m.AbortKind == probe.AbortProtocol {
		return ExitError
	}
	failed, errored := !met, false
	for _, c := range results {
		switch c.Verdict {
		case checks.Fail:
			failed = true
		case checks.Error:
			errored = true
		}
	}
	switch {
	case failed:
		return ExitFail
	case errored:
		return ExitError
	}
	return ExitOK
}

// WriteJSON writes r as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<" and ">" are mail syntax here, not HTML
	return enc.Encode(r)
}

// MaxEvidenceLines bounds the evidence shown per check in text (JSON has
// all of it).
const MaxEvidenceLines = 24

// WriteText writes r for a human.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	t := r.Target
	fmt.Fprintf(&b, "mailprobe %s: %s, tls %s, level %s, server name %s\n", t.Addr, t.Proto, t.TLS, t.Level, t.ServerName)
	row := func(k string, vs ...string) {
		for i, v := range vs {
			if i > 0 {
				k = ""
			}
			fmt.Fprintf(&b, "  %-20s %s\n", k, v)
		}
		if len(vs) == 0 {
			fmt.Fprintf(&b, "  %-20s %s\n", k, "(none)")
		}
	}
	row("greeting", r.Greeting...)
	if t.TLS == "implicit" {
		row("before TLS", "(implicit TLS: nothing is exchanged before the handshake)")
	} else {
		row("before TLS", strings.Join(r.CapsBefore, ", "))
	}
	if len(r.STARTTLSReply) > 0 {
		row("STARTTLS reply", r.STARTTLSReply...)
	}
	if r.TLS != nil {
		alpn := r.TLS.ALPN
		if alpn == "" {
			alpn = "none"
		}
		row("TLS", fmt.Sprintf("%s, %s, ALPN %s", r.TLS.Version, r.TLS.CipherSuite, alpn))
		row("after TLS", strings.Join(r.CapsAfter, ", "))
	} else {
		row("TLS", "not negotiated")
		if r.PlaintextReason != "" {
			row("", "plaintext because: "+r.PlaintextReason)
		}
	}
	for i, c := range r.Certificates {
		row(fmt.Sprintf("certificate %d", i), "subject "+c.Subject, "SANs "+strings.Join(c.SANs, ", "), "issuer "+c.Issuer,
			"valid "+c.NotBefore.Format("2006-01-02 15:04")+" to "+c.NotAfter.Format("2006-01-02 15:04 MST"),
			"key "+c.Key+", signature "+c.Signature, "sha256 "+c.SHA256)
	}
	switch {
	case !r.Verification.Done:
		row("verification", "not done")
	case r.Verification.OK:
		row("verification", "ok (PKIX for "+t.ServerName+")")
	case r.Policy.Level == "verify" || r.Policy.Level == "secure":
		row("verification", "FAILED: "+r.Verification.Error)
	default:
		row("verification", "PKIX fails ("+r.Verification.Error+"); level "+r.Policy.Level+" does not ask for it")
	}
	pol := "met"
	if !r.Policy.Met {
		pol = "NOT MET"
	}
	if r.Policy.Reason != "" {
		pol += ": " + r.Policy.Reason
	}
	row("policy "+r.Policy.Level, pol)
	if len(r.Checks) > 0 {
		b.WriteString("checks:\n")
	}
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %-5s %-19s %s\n", strings.ToUpper(string(c.Verdict)), c.Name, c.Summary)
		for _, d := range c.Details {
			fmt.Fprintf(&b, "        %s\n", d)
		}
		if c.Verdict == checks.Fail || c.Verdict == checks.Error {
			ev := c.Evidence
			more := 0
			if len(ev) > MaxEvidenceLines {
				more, ev = len(ev)-MaxEvidenceLines, ev[:MaxEvidenceLines]
			}
			for _, e := range ev {
				fmt.Fprintf(&b, "        | %s\n", e)
			}
			if more > 0 {
				fmt.Fprintf(&b, "        | ... %d more lines (-json has them all)\n", more)
			}
		}
	}
	fmt.Fprintf(&b, "exit %d\n", r.Exit)
	_, err := io.WriteString(w, b.String())
	return err
}
