package main

// The outbound queue against a real Postfix on loopback as the smarthost
// (PEERS.md §4): ports without TLS, with STARTTLS, with implicit TLS and
// with AUTH, four free ones in 22525-22999 (the smtp engineer's range), so
// that two runs at the same time do not collide.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/mxtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smPorts returns four free loopback ports in 22525-22999.
func smPorts(t *testing.T) (plain, tlsPort, tlsc, auth string) {
	t.Helper()
	start := 22525 + 4*int(time.Now().UnixNano()%100)
	for i := 0; i < 118; i++ {
		base := 22525 + (start-22525+4*i)%472
		var addrs []string
		ok := true
		for k := 0; k < 4 && ok; k++ {
			a := fmt.Sprintf("127.0.0.1:%d", base+k)
			ln, err := net.Listen("tcp", a)
			if err != nil {
				ok = false
				break
			}
			ln.Close()
			addrs = append(addrs, a)
		}
		if ok {
			return addrs[0], addrs[1], addrs[2], addrs[3]
		}
	}
	t.Fatal("no four free ports in 22525-22999")
	return
}

// smPostfix is a private Postfix instance that accepts mail for
// carol@remote.test into DIR/mail/carol/ and refuses other remote.test
// users with 550 5.1.1.
type smPostfix struct {
	dir, conf, cert string
	// the listeners: no TLS offered; STARTTLS offered; implicit TLS
	// (wrapper mode); STARTTLS required, then AUTH (Dovecot SASL) required
	plain, tls, tlsc, auth string
}

func smStartPostfix(t *testing.T, auth bool) *smPostfix {
	t.Helper()
	smNeedPeer(t, "postfix")
	if auth {
		smNeedPeer(t, "dovecot")
	}
	dir, err := os.MkdirTemp("", "smpf")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	p := &smPostfix{dir: dir, conf: filepath.Join(dir, "conf"), cert: filepath.Join(dir, "cert.pem")}
	p.plain, p.tls, p.tlsc, p.auth = smPorts(t)
	ports := []string{p.plain, p.tls, p.tlsc}
	if auth {
		ports = append(ports, p.auth)
	}
	for _, d := range []string{"conf", "queue", "mail"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	require.NoError(t, os.Chown(filepath.Join(dir, "mail"), 8, 8))

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))

	main := strings.ReplaceAll(`compatibility_level = 3.6
queue_directory = $D/queue
data_directory = $D/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-smtp-e2e
maillog_file = $D/maillog
maillog_file_prefixes = $D
myhostname = relay.test
mydomain = relay.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
biff = no
virtual_mailbox_domains = remote.test
virtual_mailbox_base = $D/mail
virtual_mailbox_maps = inline:{carol@remote.test=carol/}
virtual_uid_maps = static:8
virtual_gid_maps = static:8
virtual_minimum_uid = 8
default_transport = discard
smtpd_tls_cert_file = $D/cert.pem
smtpd_tls_key_file = $D/key.pem
smtpd_tls_security_level = none
smtpd_tls_loglevel = 1
smtp_tls_security_level = none
`, "$D", dir)
	master := strings.ReplaceAll(strings.ReplaceAll(`$PLAIN inet  n       -      n      -      -       smtpd
$TLS inet  n       -      n      -      -       smtpd
  -o smtpd_tls_security_level=may
$TLSC inet  n       -      n      -      -       smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
`+mxtest.MasterServices, "$PLAIN", p.plain), "$TLSC", p.tlsc)
	master = strings.ReplaceAll(master, "$TLS", p.tls)
	if auth {
		smStartDovecot(t, filepath.Join(dir, "dv"))
		master += strings.ReplaceAll(p.auth+` inet  n       -      n      -      -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=$D/dv/run/auth-postfix
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
`, "$D", dir)
	}
	require.NoError(t, os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(main), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(master), 0o644))
	out, err := exec.Command("postfix", "-c", p.conf, "start").CombinedOutput()
	require.NoError(t, err, "postfix start: %s\n%s", out, p.log())
	t.Cleanup(func() { _ = exec.Command("postfix", "-c", p.conf, "stop").Run() })
	for _, a := range ports {
		require.Eventually(t, func() bool {
			c, err := net.DialTimeout("tcp", a, 200*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err == nil
		}, 15*time.Second, 50*time.Millisecond, "postfix on %s", a)
	}
	return p
}

func (p *smPostfix) log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

// delivered returns the messages Postfix stored for carol, waiting for n.
func (p *smPostfix) delivered(t *testing.T, n int, wait time.Duration) []string {
	t.Helper()
	var out []string
	deadline := time.Now().Add(wait)
	for {
		out = out[:0]
		es, _ := os.ReadDir(filepath.Join(p.dir, "mail", "carol", "new"))
		for _, e := range es {
			b, err := os.ReadFile(filepath.Join(p.dir, "mail", "carol", "new", e.Name()))
			require.NoError(t, err)
			out = append(out, string(b))
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// smSubmit sends msg from alice to rcpts over implicit TLS with net/smtp.
func smSubmit(t *testing.T, s *Server, rcpts []string, msg string) {
	t.Helper()
	c, err := smtp.NewClient(s.Dial("submissions"), "127.0.0.1")
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(smHello))
	require.NoError(t, c.Auth(smtp.PlainAuth("", "alice", s.Users["alice"], "127.0.0.1")))
	require.NoError(t, c.Mail("alice@localhost"))
	for _, r := range rcpts {
		require.NoError(t, c.Rcpt(r))
	}
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte(msg))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit())
}

func smQueued(t *testing.T, data string) int {
	// A deferral writes env/ID before it removes the claim active/ID, so
	// for a moment one message has both names: count IDs, not files.
	ids := map[string]bool{}
	for _, dir := range []string{"env", "active"} {
		es, err := os.ReadDir(filepath.Join(data, "queue", dir))
		require.NoError(t, err)
		for _, e := range es {
			ids[e.Name()] = true
		}
	}
	return len(ids)
}

// smBody is the message after Postfix's own trace fields: Postfix adds
// Return-Path, Delivered-To and a Received on top and changes nothing else.
func smAfterPostfix(t *testing.T, m string) string {
	t.Helper()
	i := strings.Index(m, "Received: by localhost with ESMTPSA id ")
	require.GreaterOrEqual(t, i, 0, m)
	return m[i:]
}

func TestE2ERelayPostfix(t *testing.T) {
	pf := smStartPostfix(t, false)
	data := t.TempDir()
	start := func(relay, level string) *Server {
		return Start(t, Options{Data: data, Args: []string{"-relay", relay, "-relay-tls", level, "-relay-ca", pf.cert, "-queue-retry", "300ms"}})
	}

	// 1. STARTTLS, verified against the relay's certificate (IP SAN).
	s := start(pf.tls, "verify")
	m1 := smMessage("relay-tls")
	smSubmit(t, s, []string{"carol@remote.test", "bob@localhost"}, m1)
	got := pf.delivered(t, 1, 20*time.Second)
	require.Len(t, got, 1, "postfix log:\n%s\nour log:\n%s", pf.log(), s.Stderr())
	smCheckStored(t, smAfterPostfix(t, strings.ReplaceAll(got[0], "\n", "\r\n")), m1) // Postfix stores LF
	assert.Contains(t, pf.log(), "TLS connection established from unknown[127.0.0.1]")
	// The local recipient of the same message got it too, once.
	bob := smStoredMessagesOf(t, s, "bob", 1)
	smCheckStored(t, bob[0], m1)

	// 2. A 5xx from Postfix: an RFC 3464 DSN in alice's Maildir.
	smSubmit(t, s, []string{"nobody@remote.test"}, smMessage("relay-bounce"))
	dsn := smStoredMessagesOf(t, s, "alice", 1)[0]
	assert.Contains(t, dsn, "Content-Type: multipart/report; report-type=delivery-status;")
	assert.Contains(t, dsn, "Content-Type: message/delivery-status\r\n")
	assert.Contains(t, dsn, "Final-Recipient: rfc822; nobody@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n")
	assert.Contains(t, dsn, "Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>")
	assert.Contains(t, dsn, "Content-Type: text/rfc822-headers\r\n")
	assert.Contains(t, dsn, "Subject: e2e relay-bounce\r\n")
	// The relay here is 127.0.0.1 too: that is the Remote-MTA line; the
	// client's address is nowhere else.
	assert.Contains(t, dsn, "\r\nRemote-MTA: dns; 127.0.0.1\r\n")
	assert.NotContains(t, strings.Replace(dsn, "\r\nRemote-MTA: dns; 127.0.0.1\r\n", "\r\n", 1), "127.0.0.1")
	require.Eventually(t, func() bool { return smQueued(t, data) == 0 }, 10*time.Second, 50*time.Millisecond)
	s.Stop()

	// 3. -relay-tls encrypt toward the port without TLS: never sent in
	// plaintext; the message stays queued and the log says why.
	s = start(pf.plain, "encrypt")
	m3 := smMessage("relay-plain")
	smSubmit(t, s, []string{"carol@remote.test"}, m3)
	require.Eventually(t, func() bool { return strings.Contains(s.Stderr(), "relay TLS failed, message stays queued") }, 10*time.Second, 50*time.Millisecond, s.Stderr())
	time.Sleep(time.Second) // a few more retries
	assert.Len(t, pf.delivered(t, 2, 0), 1, "nothing sent in plaintext")
	assert.Equal(t, 1, smQueued(t, data))
	assert.Contains(t, s.Stderr(), "level=encrypt")
	assert.Contains(t, s.Stderr(), "STARTTLS not advertised")
	// 4. A crash (SIGKILL, maybe in the middle of an attempt) and a
	// restart lose nothing: the same spool, now with -relay-tls none,
	// delivers it.
	s.Kill()
	s = start(pf.plain, "none")
	got = pf.delivered(t, 2, 90*time.Second)
	require.Len(t, got, 2, "our log:\n%s", s.Stderr())
	var plain string
	for _, g := range got {
		if strings.Contains(g, "Subject: e2e relay-plain") {
			plain = g
		}
	}
	require.NotEmpty(t, plain)
	smCheckStored(t, smAfterPostfix(t, strings.ReplaceAll(plain, "\n", "\r\n")), m3)
	require.Eventually(t, func() bool { return smQueued(t, data) == 0 }, 10*time.Second, 50*time.Millisecond)
	s.Stop()

	// 5. Implicit TLS (-relay-implicit), verified.
	s = Start(t, Options{Data: data, Args: []string{"-relay", pf.tlsc, "-relay-tls", "verify", "-relay-implicit", "-relay-ca", pf.cert, "-queue-retry", "300ms"}})
	m5 := smMessage("relay-implicit")
	smSubmit(t, s, []string{"carol@remote.test"}, m5)
	got = pf.delivered(t, 3, 20*time.Second)
	require.Len(t, got, 3, "our log:\n%s", s.Stderr())
	var implicit string
	for _, g := range got {
		if strings.Contains(g, "Subject: e2e relay-implicit") {
			implicit = g
		}
	}
	require.NotEmpty(t, implicit)
	smCheckStored(t, smAfterPostfix(t, strings.ReplaceAll(implicit, "\n", "\r\n")), m5)
	s.Stop()
	t.Logf("postfix received %d messages (STARTTLS verified, plaintext after a crash and restart, implicit TLS verified), 1 DSN", len(got))
}

// smStoredMessagesOf is smStored without the tag lookups.
func smStoredMessagesOf(t *testing.T, s *Server, user string, n int) []string {
	t.Helper()
	return smStored(t, s, user, n)
}

// smStartDovecot runs Dovecot for its SASL socket only (DIR/run/auth-postfix),
// with one user relayuser:relaypw.
func smStartDovecot(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("relayuser:{PLAIN}relaypw\n"), 0o644))
	conf := strings.ReplaceAll(`protocols = imap
listen = 127.0.0.1
base_dir = $D/run
state_dir = $D/state
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$D/home/%u
}
first_valid_uid = 8
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`, "$D", dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dovecot.conf"), []byte(conf), 0o644))
	cmd := exec.Command("dovecot", "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(dir, "run", "auth-postfix"))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "dovecot auth socket")
}

// TestE2ERelayAuth: -relay-auth against Postfix with Dovecot SASL, over
// STARTTLS. A refused login keeps the message queued; the right one
// delivers it after a restart.
func TestE2ERelayAuth(t *testing.T) {
	pf := smStartPostfix(t, true)
	data := t.TempDir()
	start := func(auth string) *Server {
		return Start(t, Options{Data: data, Args: []string{"-relay", pf.auth, "-relay-tls", "verify", "-relay-ca", pf.cert, "-relay-auth", auth, "-queue-retry", "300ms"}})
	}
	s := start("relayuser:wrong")
	m := smMessage("relay-auth")
	smSubmit(t, s, []string{"carol@remote.test"}, m)
	require.Eventually(t, func() bool { return strings.Contains(s.Stderr(), "relay AUTH refused, message stays queued") }, 15*time.Second, 50*time.Millisecond, s.Stderr())
	assert.Empty(t, pf.delivered(t, 1, 0))
	assert.Equal(t, 1, smQueued(t, data))
	s.Stop()

	s = start("relayuser:relaypw")
	got := pf.delivered(t, 1, 20*time.Second)
	require.Len(t, got, 1, "postfix log:\n%s\nour log:\n%s", pf.log(), s.Stderr())
	smCheckStored(t, smAfterPostfix(t, strings.ReplaceAll(got[0], "\n", "\r\n")), m)
	assert.Contains(t, pf.log(), "sasl_method=PLAIN, sasl_username=relayuser")
	require.Eventually(t, func() bool { return smQueued(t, data) == 0 }, 10*time.Second, 50*time.Millisecond)
	s.Stop()
}
