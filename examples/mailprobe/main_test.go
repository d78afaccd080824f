package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/testservers"
)

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Greeting   []string `json:"greeting"`
	CapsBefore []string `json:"capabilities_before_tls"`
	CapsAfter  []string `json:"capabilities_after_tls"`
	TLS        *struct {
		Version string `json:"version"`
		ALPN    string `json:"alpn"`
	} `json:"tls"`
	Certificates []struct {
		SHA256 string `json:"sha256"`
	} `json:"certificates"`
	Verification struct {
		OK bool `json:"ok"`
	} `json:"verification"`
	Policy struct {
		Met bool `json:"met"`
	} `json:"policy"`
	Aborted *struct {
		Kind  string `json:"kind"`
		Error string `json:"error"`
	} `json:"aborted"`
	Checks []struct {
		Name     string   `json:"name"`
		Verdict  string   `json:"verdict"`
		Summary  string   `json:"summary"`
		Details  []string `json:"details"`
		Evidence []string `json:"evidence"`
	} `json:"checks"`
	Exit int `json:"exit"`
}

func (r *jsonReport) verdicts() map[string]string {
	m := map[string]string{}
	for _, c := range r.Checks {
		m[c.Name] = c.Verdict
	}
	return m
}

func (r *jsonReport) check(name string) (summary string, evidence string) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Summary + "\n" + strings.Join(c.Details, "\n"), strings.Join(c.Evidence, "\n")
		}
	}
	return "", ""
}

// probeRun runs mailprobe in-process with -json and returns the exit
// status and the report.
func probeRun(t *testing.T, args ...string) (int, *jsonReport) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"-json", "-timeout", "5s"}, args...), &out, &errb)
	if out.Len() == 0 {
		return code, nil
	}
	var rep jsonReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	require.Equal(t, code, rep.Exit)
	return code, &rep
}

func start(t *testing.T, p testservers.Proto, f testservers.Flaw) *testservers.Server {
	t.Helper()
	s, err := testservers.Start(p, f, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func baseArgs(s *testservers.Server) []string {
	return []string{"-proto", string(s.Proto), "-tls", "starttls", "-cafile", s.CAFile, "-servername", "localhost"}
}

// A clean server passes every check, for all three protocols.
func TestCleanServers(t *testing.T) {
	for _, p := range []testservers.Proto{testservers.SMTP, testservers.POP3, testservers.IMAP} {
		t.Run(string(p), func(t *testing.T) {
			s := start(t, p, 0)
			code, rep := probeRun(t, append(baseArgs(s), "-to", "alice@example.test", s.Addr)...)
			require.NotNil(t, rep)
			for _, c := range rep.Checks {
				assert.Contains(t, []string{"pass", "skip"}, c.Verdict, "%s: %s", c.Name, c.Summary)
			}
			assert.Equal(t, 0, code)
			assert.True(t, rep.Policy.Met)
			assert.True(t, rep.Verification.OK)
			assert.Equal(t, "TLS 1.3", rep.TLS.Version)
			assert.NotEmpty(t, rep.CapsBefore)
			assert.NotEmpty(t, rep.CapsAfter)
			assert.Len(t, rep.Certificates, 1)
			if p == testservers.SMTP {
				assert.Equal(t, "pass", rep.verdicts()["smtp-smuggling"])
				// one probe message per sequence, none of them split
				assert.Len(t, s.Messages, 10)
			}
		})
	}
}

// Each broken server is found by the check made for its flaw, and by
// nothing that would hide it.
func TestBrokenServers(t *testing.T) {
	cases := []struct {
		name      string
		proto     testservers.Proto
		flaw      testservers.Flaw
		args      []string
		check     string // the check that must fail ("" when the main session must abort)
		abort     string // the main session's abort kind, if any
		summary   string // in the failing check's summary or details
		evidence  string // in its evidence
		wantCode  int
		wantOther map[string]string
	}{
		{name: "smtp buffers plaintext across STARTTLS", proto: testservers.SMTP, flaw: testservers.BufferAcrossSTARTTLS,
			check: "starttls-injection", summary: "executed the command pipelined", evidence: `S~ 250 2.0.0 OK\r\n`, wantCode: 1},
		{name: "pop3 buffers plaintext across STLS", proto: testservers.POP3, flaw: testservers.BufferAcrossSTARTTLS,
			check: "starttls-injection", summary: "executed the command pipelined", evidence: `S~ +OK\r\n`, wantCode: 1},
		{name: "imap buffers plaintext across STARTTLS", proto: testservers.IMAP, flaw: testservers.BufferAcrossSTARTTLS,
			check: "starttls-injection", summary: "executed the command pipelined", evidence: `OK NOOP completed`, wantCode: 1},
		{name: "smtp injects after the go-ahead", proto: testservers.SMTP, flaw: testservers.InjectAfterGoAhead,
			check: "response-injection", abort: "response-injection", summary: "in the same read as its go-ahead",
			evidence: `S: 220 2.0.0 Ready to start TLS\r\n`, wantCode: 1},
		{name: "imap injects after the go-ahead", proto: testservers.IMAP, flaw: testservers.InjectAfterGoAhead,
			check: "response-injection", abort: "response-injection", summary: "in the same read", evidence: `* CAPABILITY IMAP4rev1 AUTH=PLAIN`, wantCode: 1},
		{name: "pop3 injects after the go-ahead", proto: testservers.POP3, flaw: testservers.InjectAfterGoAhead,
			check: "response-injection", abort: "response-injection", summary: "in the same read", evidence: `SASL PLAIN LOGIN`, wantCode: 1},
		{name: "smtp injects 200 ms after the go-ahead", proto: testservers.SMTP, flaw: testservers.InjectLate,
			check: "response-injection", abort: "handshake", summary: "after its go-ahead, before the TLS handshake",
			evidence: `S: 250-localhost\r\n`, wantCode: 1},
		{name: "smtp takes a bare-LF end of data", proto: testservers.SMTP, flaw: testservers.BareLFEndOfData,
			check: "smtp-smuggling", summary: "takes lf.lf, lf.crlf", evidence: `MAILPROBE-LEFTOVER`, wantCode: 1},
		{name: "smtp offers AUTH in plaintext", proto: testservers.SMTP, flaw: testservers.PlaintextAuth,
			check: "plaintext-auth", summary: "offered before TLS: AUTH PLAIN", evidence: `S: 334 \r\n`, wantCode: 1,
			wantOther: map[string]string{"starttls-required": "fail"}},
		{name: "pop3 offers USER in plaintext", proto: testservers.POP3, flaw: testservers.PlaintextAuth,
			check: "plaintext-auth", summary: "accepted before TLS: USER", evidence: `C: USER mailprobe-no-such-user`, wantCode: 1,
			wantOther: map[string]string{"starttls-required": "fail"}},
		{name: "imap offers AUTH=PLAIN in plaintext", proto: testservers.IMAP, flaw: testservers.PlaintextAuth,
			check: "plaintext-auth", summary: "offered before TLS: AUTH=PLAIN", evidence: `S: + \r\n`, wantCode: 1,
			wantOther: map[string]string{"starttls-required": "fail"}},
		{name: "smtp answers STARTTLS with 454", proto: testservers.SMTP, flaw: testservers.Refuse454,
			abort: "starttls-refused", wantCode: 1, wantOther: map[string]string{"starttls-required": "fail"}},
		{name: "smtp without STARTTLS (stripped)", proto: testservers.SMTP, flaw: testservers.NoSTARTTLS,
			abort: "missing-starttls", wantCode: 1, wantOther: map[string]string{"starttls-required": "fail"}},
		{name: "imap answers STARTTLS with NO", proto: testservers.IMAP, flaw: testservers.Refuse454,
			abort: "starttls-refused", wantCode: 1},
		{name: "imap PREAUTH greeting", proto: testservers.IMAP, flaw: testservers.Preauth,
			abort: "preauth", wantCode: 1},
		{name: "smtp accepts TLS 1.0", proto: testservers.SMTP, flaw: testservers.AcceptTLS10,
			check: "tls-versions", summary: "TLS 1.0: accepted", evidence: "offered only TLS 1.0; server chose TLS 1.0", wantCode: 1},
		{name: "smtp certificate expires in 3 days", proto: testservers.SMTP, flaw: testservers.ShortCert,
			check: "cert", summary: "expires within 14 days", wantCode: 1},
		{name: "smtp self-signed without -cafile fails verification", proto: testservers.SMTP, args: []string{"-cafile", ""},
			abort: "verification", wantCode: 1},
		{name: "level may goes on after 454, the report says why", proto: testservers.SMTP, flaw: testservers.Refuse454, args: []string{"-level", "may"},
			check: "starttls-required", summary: "MAIL is accepted before TLS", wantCode: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.proto, tc.flaw)
			args := append(baseArgs(s), tc.args...)
			args = append(args, "-to", "alice@example.test", s.Addr)
			code, rep := probeRun(t, args...)
			require.NotNil(t, rep)
			assert.Equal(t, tc.wantCode, code)
			if tc.abort != "" {
				require.NotNil(t, rep.Aborted, "main session must abort")
				assert.Equal(t, tc.abort, rep.Aborted.Kind, rep.Aborted.Error)
				assert.False(t, rep.Policy.Met)
			} else {
				assert.Nil(t, rep.Aborted)
			}
			if tc.check != "" {
				assert.Equal(t, "fail", rep.verdicts()[tc.check])
				sum, ev := rep.check(tc.check)
				assert.Contains(t, sum, tc.summary)
				assert.Contains(t, ev, tc.evidence)
			}
			for name, v := range tc.wantOther {
				assert.Equal(t, v, rep.verdicts()[name], name)
			}
			// at a required level nothing of a message goes out in plaintext:
			// MAIL FROM:<> only in starttls-required (then RSET), never RCPT or
			// DATA (level may allows plaintext, by definition)
			for _, c := range rep.Checks {
				for _, l := range c.Evidence {
					if strings.Contains(strings.Join(tc.args, " "), "-level may") {
						break
					}
					if strings.HasPrefix(l, "C: RCPT") || strings.HasPrefix(l, "C: DATA") ||
						(strings.HasPrefix(l, "C: MAIL") && c.Name != "starttls-required") {
						t.Errorf("%s sent %q in plaintext", c.Name, l)
					}
				}
			}
			// only the flaw's check fails, apart from the named others
			for _, c := range rep.Checks {
				if c.Name != tc.check && tc.wantOther[c.Name] == "" && (c.Verdict == "fail" || c.Verdict == "error") {
					t.Errorf("check %s failed too: %s", c.Name, c.Summary)
				}
			}
		})
	}
}

// -alpn offers names; the report shows the one negotiated.
func TestALPN(t *testing.T) {
	s := start(t, testservers.IMAP, 0)
	code, rep := probeRun(t, append(baseArgs(s), "-check", "cert", "-alpn", "imap", s.Addr)...)
	assert.Equal(t, 0, code)
	require.NotNil(t, rep.TLS)
	assert.Equal(t, "imap", rep.TLS.ALPN)
	code, rep = probeRun(t, append(baseArgs(s), "-check", "cert", s.Addr)...)
	assert.Equal(t, 0, code)
	assert.Equal(t, "", rep.TLS.ALPN)
	// a name the server does not speak: Go's server refuses the handshake
	code, rep = probeRun(t, append(baseArgs(s), "-check", "cert", "-alpn", "smtp", s.Addr)...)
	assert.Equal(t, 1, code)
	require.NotNil(t, rep.Aborted)
	assert.Equal(t, "handshake", rep.Aborted.Kind)
	assert.Contains(t, rep.Aborted.Error, "no application protocol")
}

// -auth goes only over TLS, and the report never shows it.
func TestAuthOnlyOverTLS(t *testing.T) {
	s := start(t, testservers.SMTP, 0)
	var out, errb bytes.Buffer
	code := run(context.Background(), append(baseArgs(s), "-json", "-check", "smtp-smuggling", "-to", "bob@example.test",
		"-auth", testservers.User+":"+testservers.Password, s.Addr), &out, &errb)
	assert.Equal(t, 0, code, out.String())
	assert.Contains(t, out.String(), "AUTH PLAIN <credentials of -auth, not shown>")
	assert.NotContains(t, out.String(), "AGFsaWNl") // base64 of "\x00alice"
	assert.NotContains(t, out.String(), testservers.Password)

	// level may, STARTTLS refused: the session is plaintext, -auth is not sent
	s454 := start(t, testservers.SMTP, testservers.Refuse454)
	code, rep := probeRun(t, append(baseArgs(s454), "-level", "may", "-check", "smtp-smuggling", "-to", "bob@example.test",
		"-auth", testservers.User+":"+testservers.Password, s454.Addr)...)
	assert.Equal(t, 2, code)
	sum, ev := rep.check("smtp-smuggling")
	assert.Contains(t, sum, "credentials are sent only over TLS")
	assert.NotContains(t, ev, "AUTH")
}

func TestUsageAndConnectionErrors(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, &out, &errb))
	assert.Equal(t, 2, run(context.Background(), []string{"127.0.0.1:2525"}, &out, &errb), "unknown port needs -proto")
	assert.Contains(t, errb.String(), "give -proto")
	assert.Equal(t, 2, run(context.Background(), []string{"-check", "nosuch", "127.0.0.1:25"}, &out, &errb))
	assert.Equal(t, 2, run(context.Background(), []string{"-level", "paranoid", "127.0.0.1:25"}, &out, &errb))
	// nothing listens on port 1
	code, rep := probeRun(t, "-proto", "smtp", "127.0.0.1:1")
	assert.Equal(t, 2, code)
	require.NotNil(t, rep)
	assert.Equal(t, "connection", rep.Aborted.Kind)
}
