package starttls

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
// certificate checked against the test CA. One Python process runs the six
// sessions, since starting it is the slow part.
func TestInteropPythonClients(t *testing.T) {
	python := requirePeer(t, "python3")
	trusted, _ := pkis(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, trusted.caPEM, 0o600))
	script := "import smtplib, poplib, imaplib, ssl\n" +
		"ctx = ssl.create_default_context(cafile=" + quotePython(caFile) + ")\n"
	var want strings.Builder
	served := map[string]chan error{}
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		for _, transport := range []tlspolicy.Transport{tlspolicy.TransportSTARTTLS, tlspolicy.TransportImplicit} {
			name := p.String() + "/" + transport.String()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			done := make(chan error, 1)
			served[name] = done
			go func() {
				conn, err := ln.Accept()
				if err != nil {
					done <- err
					return
				}
				done <- miniServer(testContext(t), conn, p, trusted.serverConfig(), transport)
			}()
			host, port, _ := strings.Cut(ln.Addr().String(), ":")
			script += "host, port = " + quotePython(host) + ", " + port + "\n" +
				pythonClients[p][transport] + "\n" +
				"print(" + quotePython(name) + ")\n"
			want.WriteString(name + "\n")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", script).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, want.String(), string(out))
	for name, done := range served {
		require.NoError(t, <-done, name)
	}
}

func quotePython(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// TestInteropDovecot runs Client against a real Dovecot, started by the
// test on loopback with the test certificate (PEERS.md §3): IMAP STARTTLS
// and implicit TLS, POP3 STLS and implicit TLS, the certificate verified,
// and the capabilities asked again over TLS no longer offering the upgrade.
func TestInteropDovecot(t *testing.T) {
	dovecot := requirePeer(t, "dovecot")
	trusted, _ := pkis(t)
	dir, err := os.MkdirTemp("", "dc") // short: Dovecot's socket paths must stay under 108 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // Dovecot's unprivileged processes traverse it
	certFile, keyFile := writeServerKeyPair(t, dir, trusted)
	ports := freePorts(t, 4)
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw\n"), 0o644))
	require.NoError(t, os.WriteFile(conf, []byte(`protocols = imap pop3
listen = 127.0.0.1
base_dir = `+dir+`/run
state_dir = `+dir+`/state
log_path = /dev/stderr
ssl = required
ssl_cert = <`+certFile+`
ssl_key = <`+keyFile+`
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u `+dir+`/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=`+dir+`/mail/%u
}
first_valid_uid = 8
service imap-login {
  inet_listener imap {
    port = `+ports[0]+`
  }
  inet_listener imaps {
    port = `+ports[1]+`
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = `+ports[2]+`
  }
  inet_listener pop3s {
    port = `+ports[3]+`
    ssl = yes
  }
}
`), 0o644))
	var log strings.Builder
	cmd := exec.Command(dovecot, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("dovecot log:\n%s", log.String())
		}
	})
	for _, port := range ports {
		waitListening(t, "127.0.0.1:"+port)
	}

	tests := []struct {
		p         Protocol
		transport tlspolicy.Transport
		port      string
	}{
		{IMAP, tlspolicy.TransportSTARTTLS, ports[0]},
		{IMAP, tlspolicy.TransportImplicit, ports[1]},
		{POP3, tlspolicy.TransportSTARTTLS, ports[2]},
		{POP3, tlspolicy.TransportImplicit, ports[3]},
	}
	for _, tt := range tests {
		t.Run(tt.p.String()+"/"+tt.transport.String(), func(t *testing.T) {
			raw, err := net.Dial("tcp", "127.0.0.1:"+tt.port)
			require.NoError(t, err)
			policy := verifyPolicy(t)
			policy.Transport = tt.transport
			conn, rep, err := (&Client{Protocol: tt.p, Policy: policy}).Upgrade(testContext(t), raw)
			require.NoError(t, err)
			defer conn.Close()
			require.Equal(t, StateSecure, rep.State)
			require.True(t, rep.TLS.HandshakeComplete)
			requireNoUpgradeOffered(t, tt.p, tt.transport, conn)
		})
	}
}

// requireNoUpgradeOffered asks for the capabilities over the secure conn
// (after reading the greeting, for implicit TLS) and requires a positive
// answer that does not offer STARTTLS or STLS.
func requireNoUpgradeOffered(t *testing.T, p Protocol, transport tlspolicy.Transport, conn net.Conn) {
	t.Helper()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	lr := newLineReader(conn, Limits{}.withDefaults(p).MaxLine)
	if transport == tlspolicy.TransportImplicit {
		_, _, err := p.readReply(lr, defaultMaxLines, stepGreeting)
		require.NoError(t, err)
	}
	_, err := conn.Write(p.appendCapabilityCommand(nil, "localhost"))
	require.NoError(t, err)
	ok, advertised, err := p.readReply(lr, defaultMaxLines, stepCapabilities)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, advertised, "the upgrade is offered over TLS")
}

// writeServerKeyPair writes the server certificate and its key (SEC1 PEM)
// into dir for a server outside Go.
func writeServerKeyPair(t *testing.T, dir string, pki testPKI) (certFile, keyFile string) {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(pki.cert.PrivateKey.(*ecdsa.PrivateKey))
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.cert.Certificate[0]}), 0o644))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600))
	return certFile, keyFile
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var ports []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		_, port, _ := strings.Cut(ln.Addr().String(), ":")
		ports = append(ports, port)
		require.NoError(t, ln.Close())
	}
	return ports
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "nothing listens on %s", addr)
}

// TestInteropPostfix runs Client against a real Postfix, started by the
// test as a private instance on loopback (PEERS.md §4): SMTP STARTTLS and
// implicit TLS (wrapper mode), the certificate verified, and EHLO over TLS
// no longer offering STARTTLS.
func TestInteropPostfix(t *testing.T) {
	postfix := requirePeer(t, "postfix")
	trusted, _ := pkis(t)
	dir, err := os.MkdirTemp("", "pf")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // Postfix's unprivileged processes traverse it
	certFile, keyFile := writeServerKeyPair(t, dir, trusted)
	conf := filepath.Join(dir, "conf")
	require.NoError(t, os.MkdirAll(conf, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "queue"), 0o755))
	ports := freePorts(t, 2)
	require.NoError(t, os.WriteFile(filepath.Join(conf, "main.cf"), []byte(`compatibility_level = 3.6
queue_directory = `+dir+`/queue
data_directory = `+dir+`/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mailwire-starttls
maillog_file = `+dir+`/maillog
maillog_file_prefixes = `+dir+`
myhostname = mx.example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard
smtpd_tls_cert_file = `+certFile+`
smtpd_tls_key_file = `+keyFile+`
smtpd_tls_security_level = may
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(conf, "master.cf"), []byte(`127.0.0.1:`+ports[0]+` inet n - n - - smtpd
127.0.0.1:`+ports[1]+` inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
proxymap unix - - n - - proxymap
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`), 0o644))
	out, err := exec.Command(postfix, "-c", conf, "start").CombinedOutput()
	require.NoError(t, err, "postfix start: %s", out)
	t.Cleanup(func() {
		_ = exec.Command(postfix, "-c", conf, "stop").Run()
		if t.Failed() {
			maillog, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Logf("postfix maillog:\n%s", maillog)
		}
	})
	for _, port := range ports {
		waitListening(t, "127.0.0.1:"+port)
	}

	for i, transport := range []tlspolicy.Transport{tlspolicy.TransportSTARTTLS, tlspolicy.TransportImplicit} {
		t.Run(transport.String(), func(t *testing.T) {
			raw, err := net.Dial("tcp", "127.0.0.1:"+ports[i])
			require.NoError(t, err)
			policy := verifyPolicy(t)
			policy.Transport = transport
			conn, rep, err := (&Client{Protocol: SMTP, Policy: policy, Hello: "client.example.test"}).Upgrade(testContext(t), raw)
			require.NoError(t, err)
			defer conn.Close()
			require.Equal(t, StateSecure, rep.State)
			require.True(t, rep.TLS.HandshakeComplete)
			requireNoUpgradeOffered(t, SMTP, transport, conn)
		})
	}
}
