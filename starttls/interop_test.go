package starttls

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/tlspolicy"
)

// requirePeer returns the path of a real peer program, skipping the test
// when it is missing, or failing it when MAILWIRE_INTEROP=1 asks for peers.
func requirePeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s is required with MAILWIRE_INTEROP=1: %v", name, err)
		}
		t.Skipf("%s not installed (see .ci/peers.sh); set MAILWIRE_INTEROP=1 to require it", name)
	}
	return path
}

// pythonClients are Python's own mail clients, each doing what a mail
// client does: upgrade (or connect over TLS), ask for the capabilities
// again, check that STARTTLS is gone from them, and quit.
var pythonClients = map[Protocol]map[tlspolicy.Transport]string{
	SMTP: {
		tlspolicy.TransportSTARTTLS: `s = smtplib.SMTP(host, port); s.starttls(context=ctx); s.ehlo()
assert not s.has_extn("starttls"), s.esmtp_features
s.quit()`,
		tlspolicy.TransportImplicit: `s = smtplib.SMTP_SSL(host, port, context=ctx); s.ehlo()
assert not s.has_extn("starttls"), s.esmtp_features
s.quit()`,
	},
	POP3: {
		tlspolicy.TransportSTARTTLS: `p = poplib.POP3(host, port); p.stls(context=ctx)
assert "STLS" not in p.capa(), p.capa()
p.quit()`,
		tlspolicy.TransportImplicit: `p = poplib.POP3_SSL(host, port, context=ctx)
assert "STLS" not in p.capa(), p.capa()
p.quit()`,
	},
	IMAP: {
		tlspolicy.TransportSTARTTLS: `c = imaplib.IMAP4(host, port); c.starttls(ssl_context=ctx)
assert "STARTTLS" not in c.capabilities, c.capabilities
c.logout()`,
		tlspolicy.TransportImplicit: `c = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
assert "STARTTLS" not in c.capabilities, c.capabilities
c.logout()`,
	},
}

// TestInteropPythonClients serves Python's smtplib, poplib and imaplib
// with Server on loopback TCP, over STARTTLS and implicit TLS, with the
// certificate checked against the test CA.
func TestInteropPythonClients(t *testing.T) {
	python := requirePeer(t, "python3")
	trusted, _ := pkis(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, trusted.caPEM, 0o600))
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		for _, transport := range []tlspolicy.Transport{tlspolicy.TransportSTARTTLS, tlspolicy.TransportImplicit} {
			t.Run(p.String()+"/"+transport.String(), func(t *testing.T) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				defer ln.Close()
				served := make(chan error, 1)
				go func() {
					conn, err := ln.Accept()
					if err != nil {
						served <- err
						return
					}
					served <- miniServer(testContext(t), conn, p, trusted.serverConfig(), transport)
				}()
				host, port, _ := strings.Cut(ln.Addr().String(), ":")
				script := "import smtplib, poplib, imaplib, ssl\n" +
					"host, port = " + quotePython(host) + ", " + port + "\n" +
					"ctx = ssl.create_default_context(cafile=" + quotePython(caFile) + ")\n" +
					pythonClients[p][transport] + "\n" +
					"print('ok')\n"
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				out, err := exec.CommandContext(ctx, python, "-c", script).CombinedOutput()
				require.NoError(t, err, "%s", out)
				require.Equal(t, "ok\n", string(out))
				require.NoError(t, <-served)
			})
		}
	}
}

func quotePython(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
