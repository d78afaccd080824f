package probe_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/testservers"
)

func run(t *testing.T, p testservers.Proto, flaws testservers.Flaw, opt target.Options) (*probe.Result, target.Target) {
	t.Helper()
	s, err := testservers.Start(p, flaws, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	if opt.Proto == "" {
		opt.Proto = string(p)
	}
	opt.Mode = "starttls"
	if opt.ServerName == "" {
		opt.ServerName = "localhost"
	}
	if opt.CAFile == "" {
		opt.CAFile = s.CAFile
	}
	if opt.CAFile == "-" {
		opt.CAFile = ""
	}
	tg, err := target.New(s.Addr, opt)
	require.NoError(t, err)
	return probe.Run(context.Background(), probe.Config{Target: tg, Timeout: 5 * time.Second}), tg
}

// The plaintext part that starttls.Client reads and drops is recovered
// from the log; the capabilities after TLS are asked for again.
func TestRunRecoversPlaintext(t *testing.T) {
	for _, tc := range []struct {
		p              testservers.Proto
		proto          string
		before, after  string
		starttlsPrefix string
	}{
		{testservers.SMTP, "", "STARTTLS", "AUTH PLAIN", "220 2.0.0"},
		{testservers.SMTP, "lmtp", "STARTTLS", "AUTH PLAIN", "220 2.0.0"}, // LMTP: LHLO, the session's own upgrade
		{testservers.POP3, "", "STLS", "SASL PLAIN", "+OK Begin"},
		{testservers.IMAP, "", "STARTTLS", "AUTH=PLAIN", "S2 OK"},
	} {
		t.Run(string(tc.p)+tc.proto, func(t *testing.T) {
			r, tg := run(t, tc.p, 0, target.Options{Proto: tc.proto})
			require.NoError(t, r.Err)
			assert.True(t, r.Secure)
			assert.True(t, r.PolicyMet(tg))
			assert.NotEmpty(t, r.Greeting)
			assert.Contains(t, r.CapsBefore, tc.before)
			assert.Contains(t, r.CapsAfter, tc.after)
			assert.NotContains(t, r.CapsAfter, tc.before)
			require.NotEmpty(t, r.STARTTLSReply)
			assert.Contains(t, r.STARTTLSReply[0], tc.starttlsPrefix)
			assert.Equal(t, "TLS 1.3", r.TLS.Version)
			require.Len(t, r.Chain, 1)
			assert.NoError(t, r.VerifyErr)
		})
	}
}

func TestRunAborts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     testservers.Proto
		flaws testservers.Flaw
		opt   target.Options
		kind  string
	}{
		{"injection", testservers.SMTP, testservers.InjectAfterGoAhead, target.Options{}, probe.AbortResponseInjection},
		{"injection lmtp", testservers.SMTP, testservers.InjectAfterGoAhead, target.Options{Proto: "lmtp"}, probe.AbortResponseInjection},
		{"454", testservers.SMTP, testservers.Refuse454, target.Options{}, probe.AbortRefused},
		{"pop3 -ERR", testservers.POP3, testservers.Refuse454, target.Options{}, probe.AbortRefused},
		{"preauth", testservers.IMAP, testservers.Preauth, target.Options{}, probe.AbortPreauth},
		{"unknown CA", testservers.SMTP, 0, target.Options{CAFile: "-"}, probe.AbortVerification},
		{"wrong name", testservers.SMTP, 0, target.Options{ServerName: "other.example"}, probe.AbortVerification},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, tg := run(t, tc.p, tc.flaws, tc.opt)
			assert.Equal(t, tc.kind, r.AbortKind, "%v", r.Err)
			assert.False(t, r.Secure)
			assert.False(t, r.PolicyMet(tg))
			if tc.kind == probe.AbortVerification {
				require.Len(t, r.Chain, 1, "the failing chain is still reported")
				assert.Error(t, r.PolicyErr)
			}
		})
	}
}

// -insecure reports the failed verification and goes on.
func TestRunInsecure(t *testing.T) {
	r, tg := run(t, testservers.SMTP, 0, target.Options{CAFile: "-", Insecure: true})
	require.NoError(t, r.Err)
	assert.True(t, r.Secure)
	assert.ErrorContains(t, r.VerifyErr, "unknown authority")
	assert.True(t, r.PolicyMet(tg))
}

// At level may a refused STARTTLS leaves a plaintext session, with the
// reason.
func TestRunMayPlaintext(t *testing.T) {
	r, tg := run(t, testservers.SMTP, testservers.Refuse454, target.Options{Level: "may"})
	require.NoError(t, r.Err)
	assert.False(t, r.Secure)
	assert.NotEmpty(t, r.PlaintextReason)
	assert.True(t, r.PolicyMet(tg))
}
