package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Interop ports, from mailprobe's range 23000-23999.
const (
	pfMay       = 23525 // smtpd_tls_security_level=may, smtpd_forbid_bare_newline=no
	pfEncrypt   = 23526 // encrypt, bare newline no
	pfNormalize = 23530 // may, smtpd_forbid_bare_newline=normalize, no exclusions
	pfReject    = 23532 // may, smtpd_forbid_bare_newline=reject, no exclusions
	pfStrict    = 23527 // encrypt and reject: the clean configuration
	dcIMAP      = 23143
	dcIMAPS     = 23993
	dcPOP3      = 23110
	dcPOP3S     = 23995
	dcLMTP      = 23024
)

// needPeer skips without the binary, and fails under MAILWIRE_INTEROP=1.
func needPeer(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if os.Getenv("MAILWIRE_INTEROP") == "1" {
				t.Fatalf("MAILWIRE_INTEROP=1 but %s is missing: %v", b, err)
			}
			t.Skipf("%s not installed (.ci/peers.sh installs it): %v", b, err)
		}
	}
	if os.Geteuid() != 0 {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatal("MAILWIRE_INTEROP=1 but not root: Postfix and Dovecot are started as root")
		}
		t.Skip("not root: Postfix and Dovecot need root to start")
	}
}

// scratch is a short, world-traversable temp dir (Dovecot's socket paths
// are limited to 108 bytes; its processes run as other users).
func scratch(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// writeCert makes a self-signed ECDSA certificate for localhost,
// 127.0.0.1 and 127.0.0.2, valid 90 days.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

func portFree(t *testing.T, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, 200*time.Millisecond); err == nil {
			c.Close()
			t.Fatalf("%s is already in use (a leftover instance?)", a)
		}
	}
}

func waitPort(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not come up within %s", addr, within)
}

const postfixMaster = `127.0.0.1:%[1]d inet n - n - - smtpd
127.0.0.1:%[2]d inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
127.0.0.1:%[3]d inet n - n - - smtpd
  -o smtpd_forbid_bare_newline=normalize
  -o smtpd_forbid_bare_newline_exclusions=
127.0.0.1:%[4]d inet n - n - - smtpd
  -o smtpd_forbid_bare_newline=reject
  -o smtpd_forbid_bare_newline_exclusions=
127.0.0.1:%[5]d inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_protocols=>=TLSv1.2
  -o smtpd_tls_mandatory_protocols=>=TLSv1.2
  -o smtpd_forbid_bare_newline=reject
  -o smtpd_forbid_bare_newline_exclusions=
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`

// startPostfix runs a private Postfix 3.x on the pf* ports; every message
// is accepted from 127.0.0.0/8 and discarded (default_transport = discard).
func startPostfix(t *testing.T) (caFile string) {
	t.Helper()
	needPeer(t, "postfix")
	dir := scratch(t, "mpf")
	certFile, keyFile := writeCert(t, dir)
	conf := filepath.Join(dir, "conf")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "queue"), 0o755))
	require.NoError(t, os.MkdirAll(conf, 0o755))
	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mailprobe
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
myhostname = localhost
mydomain = localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
biff = no
default_transport = discard
smtpd_tls_cert_file = %[2]s
smtpd_tls_key_file = %[3]s
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
`, dir, certFile, keyFile)
	require.NoError(t, os.WriteFile(filepath.Join(conf, "main.cf"), []byte(main), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(conf, "master.cf"),
		[]byte(fmt.Sprintf(postfixMaster, pfMay, pfEncrypt, pfNormalize, pfReject, pfStrict)), 0o644))
	var addrs []string
	for _, p := range []int{pfMay, pfEncrypt, pfNormalize, pfReject, pfStrict} {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", p))
	}
	portFree(t, addrs...)
	out, err := exec.Command("postfix", "-c", conf, "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("postfix", "-c", conf, "stop").CombinedOutput(); err != nil {
			t.Logf("postfix stop: %v %s", err, out)
		}
	})
	for _, a := range addrs {
		waitPort(t, a, 10*time.Second)
	}
	return certFile
}

// startDovecot runs a private Dovecot 2.3 (IMAP and POP3, STARTTLS and
// implicit TLS) on 127.0.0.1 and 127.0.0.2.
func startDovecot(t *testing.T) (caFile string) {
	t.Helper()
	needPeer(t, "dovecot")
	dir := scratch(t, "mdc")
	certFile, keyFile := writeCert(t, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mail"), 0o755))
	require.NoError(t, os.Chown(filepath.Join(dir, "mail"), 8, 8))
	protos := "imap pop3"
	lmtp := ""
	if _, err := os.Stat("/usr/lib/dovecot/lmtp"); err == nil {
		protos += " lmtp"
		lmtp = fmt.Sprintf("service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1 127.0.0.2\n    port = %d\n  }\n}\n", dcLMTP)
	}
	conf := fmt.Sprintf(`protocols = `+protos+`
listen = 127.0.0.1, 127.0.0.2
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = /dev/stderr
auth_failure_delay = 0
ssl = required
ssl_cert = <%[2]s
ssl_key = <%[3]s
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=%[1]s/mail/%%u
}
first_valid_uid = 8
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = %[4]d
  }
  inet_listener imaps {
    port = %[5]d
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = %[6]d
  }
  inet_listener pop3s {
    port = %[7]d
    ssl = yes
  }
}
`, dir, certFile, keyFile, dcIMAP, dcIMAPS, dcPOP3, dcPOP3S) + lmtp
	cf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(cf, []byte(conf), 0o644))
	var addrs []string
	ports := []int{dcIMAP, dcIMAPS, dcPOP3, dcPOP3S}
	if lmtp != "" {
		ports = append(ports, dcLMTP)
	}
	for _, p := range ports {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", p), fmt.Sprintf("127.0.0.2:%d", p))
	}
	portFree(t, addrs...)
	cmd := exec.Command("dovecot", "-F", "-c", cf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logb strings.Builder
	cmd.Stderr = &logb
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s", logb.String())
		}
	})
	for _, a := range addrs {
		waitPort(t, a, 10*time.Second)
	}
	return certFile
}

type interopCase struct {
	name     string
	args     []string
	addr     string
	wantExit int
	want     map[string]string // check verdicts
}

func runInterop(t *testing.T, ca string, cases []interopCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cafile", ca, "-servername", "localhost"}, tc.args...)
			code, rep := probeRun(t, append(args, tc.addr)...)
			require.NotNil(t, rep)
			for _, c := range rep.Checks {
				t.Logf("%-5s %-19s %s %s", c.Verdict, c.Name, c.Summary, strings.Join(c.Details, " / "))
			}
			if rep.Aborted != nil {
				t.Logf("aborted: %s: %s", rep.Aborted.Kind, rep.Aborted.Error)
			}
			assert.Nil(t, rep.Aborted)
			assert.True(t, rep.Policy.Met)
			assert.True(t, rep.Verification.OK)
			for name, v := range tc.want {
				assert.Equal(t, v, rep.verdicts()[name], name)
			}
			assert.Equal(t, tc.wantExit, code)
		})
	}
}

// Real Postfix: the smuggling check must tell smtpd_forbid_bare_newline=no
// from normalize and reject; starttls-required must tell may from encrypt.
func TestInteropPostfix(t *testing.T) {
	ca := startPostfix(t)
	to := []string{"-proto", "smtp", "-tls", "starttls", "-to", "probe@example.test"}
	addr := func(p int) string { return fmt.Sprintf("127.0.0.1:%d", p) }
	runInterop(t, ca, []interopCase{
		{"may, bare newline no", to, addr(pfMay), 1, map[string]string{
			"starttls-injection": "pass", "response-injection": "pass", "smtp-smuggling": "fail",
			"plaintext-auth": "pass", "starttls-required": "fail", "tls-versions": "fail", "cert": "pass"}},
		{"encrypt, bare newline no", to, addr(pfEncrypt), 1, map[string]string{
			"smtp-smuggling": "fail", "starttls-required": "pass"}},
		{"may, bare newline normalize", to, addr(pfNormalize), 1, map[string]string{
			"smtp-smuggling": "pass", "starttls-required": "fail"}},
		{"may, bare newline reject", to, addr(pfReject), 1, map[string]string{
			"smtp-smuggling": "pass", "starttls-required": "fail"}},
		{"encrypt, bare newline reject, TLS 1.2 and up", to, addr(pfStrict), 0, map[string]string{
			"starttls-injection": "pass", "response-injection": "pass", "smtp-smuggling": "pass",
			"plaintext-auth": "pass", "starttls-required": "pass", "tls-versions": "pass", "cert": "pass"}},
	})
}

// Real Dovecot: IMAP and POP3, STARTTLS and implicit TLS. On 127.0.0.2
// Dovecot does not count the loopback client as secured, so plaintext
// authentication is refused; on 127.0.0.1 it is offered.
func TestInteropDovecot(t *testing.T) {
	ca := startDovecot(t)
	a := func(ip string, p int) string { return fmt.Sprintf("%s:%d", ip, p) }
	clean := map[string]string{"starttls-injection": "pass", "response-injection": "pass",
		"plaintext-auth": "pass", "starttls-required": "pass", "tls-versions": "pass", "cert": "pass"}
	implicit := map[string]string{"starttls-injection": "skip", "response-injection": "skip",
		"plaintext-auth": "skip", "tls-versions": "pass", "cert": "pass"}
	runInterop(t, ca, []interopCase{
		{"imap starttls", []string{"-proto", "imap", "-tls", "starttls"}, a("127.0.0.2", dcIMAP), 0, clean},
		{"imap implicit", []string{"-proto", "imap", "-tls", "implicit"}, a("127.0.0.2", dcIMAPS), 0, implicit},
		{"pop3 starttls", []string{"-proto", "pop3", "-tls", "starttls"}, a("127.0.0.2", dcPOP3), 0, clean},
		{"pop3 implicit", []string{"-proto", "pop3", "-tls", "implicit"}, a("127.0.0.2", dcPOP3S), 0, implicit},
		{"imap starttls from a secured address", []string{"-proto", "imap", "-tls", "starttls"}, a("127.0.0.1", dcIMAP), 1,
			map[string]string{"plaintext-auth": "fail", "starttls-injection": "pass"}},
	})
}

// Real Dovecot LMTP (package dovecot-lmtpd): LHLO, STARTTLS, and the
// smuggling probe delivered to a local user. Dovecot 2.3.19.1's LMTP takes
// a bare-LF end of data and MAIL before TLS: LMTP trusts its MTA, so these
// are findings about a trusted hop, and the test pins them down.
func TestInteropDovecotLMTP(t *testing.T) {
	if _, err := os.Stat("/usr/lib/dovecot/lmtp"); err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("MAILWIRE_INTEROP=1 but dovecot-lmtpd is missing: %v", err)
		}
		t.Skipf("dovecot-lmtpd not installed: %v", err)
	}
	ca := startDovecot(t)
	runInterop(t, ca, []interopCase{
		{"lmtp starttls", []string{"-proto", "lmtp", "-tls", "starttls", "-to", "alice"}, fmt.Sprintf("127.0.0.2:%d", dcLMTP), 1,
			map[string]string{"starttls-injection": "pass", "response-injection": "pass", "smtp-smuggling": "fail",
				"plaintext-auth": "pass", "starttls-required": "fail", "tls-versions": "pass", "cert": "pass"}},
	})
}
