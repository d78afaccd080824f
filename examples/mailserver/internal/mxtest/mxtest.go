// Package mxtest has the loopback peers of the outbound-delivery tests: a
// test CA that issues server certificates, an HTTPS server that serves an
// MTA-STS policy, and a private Postfix instance as the receiving MX with
// three SMTP services on 127.0.0.1 (STARTTLS with a certificate for the MX
// names, no TLS at all, STARTTLS with a certificate for wrong.invalid),
// PEERS.md §10. It is imported by tests only.
package mxtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CA is a self-signed test CA.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	PEM  []byte
	Pool *x509.CertPool
}

// NewCA makes a CA valid for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailwire test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Pool: pool}
}

// Leaf issues a server certificate for names; it returns the PEM of the
// certificate and the key, and the parsed certificate.
func (ca *CA) Leaf(t testing.TB, names ...string) (certPEM, keyPEM []byte, leaf *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(der)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), leaf
}

// WriteCA writes the CA's PEM into dir and returns the path.
func (ca *CA) WriteCA(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "test-ca.pem")
	if err := os.WriteFile(p, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// MTASTS serves https://mta-sts.DOMAIN/.well-known/mta-sts.txt for each of
// its domains on 127.0.0.1, with one certificate from the CA for all the
// mta-sts names.
type MTASTS struct {
	Port     int
	mu       sync.Mutex
	policies map[string]string
	fetches  int
}

// Fetches returns how many times a policy was fetched.
func (m *MTASTS) Fetches() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fetches
}

// Set replaces domain's policy file.
func (m *MTASTS) Set(domain, policy string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.policies[domain] = policy
}

// StartMTASTS starts the policy server with policies (domain → file).
func StartMTASTS(t testing.TB, ca *CA, policies map[string]string) *MTASTS {
	t.Helper()
	m := &MTASTS{policies: map[string]string{}}
	var names []string
	for d, p := range policies {
		m.policies[d] = p
		names = append(names, "mta-sts."+d)
	}
	certPEM, keyPEM, _ := ca.Leaf(t, names...)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		domain, ok := strings.CutPrefix(host, "mta-sts.")
		m.mu.Lock()
		policy, known := m.policies[domain]
		if ok && known {
			m.fetches++
		}
		m.mu.Unlock()
		if r.URL.Path != "/.well-known/mta-sts.txt" || !ok || !known {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(policy))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	m.Port = srv.Listener.Addr().(*net.TCPAddr).Port
	return m
}

// Postfix is a private Postfix instance: every domain is accepted into
// DIR/mail/sink/.
type Postfix struct {
	Dir, Conf string
	// TLS offers STARTTLS with Leaf (names given to StartPostfix), Plain
	// offers no TLS, Wrong offers STARTTLS with a certificate for
	// wrong.invalid. All three are 127.0.0.1:PORT.
	TLS, Plain, Wrong string
	Leaf              *x509.Certificate
	WrongLeaf         *x509.Certificate
}

// NeedPeer skips the test when bin is missing, or fails it under
// MAILWIRE_INTEROP=1.
func NeedPeer(t testing.TB, bin string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s not installed (MAILWIRE_INTEROP=1): %v", bin, err)
		}
		t.Skipf("%s not installed: %v", bin, err)
	}
	if os.Geteuid() != 0 {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s needs root to run privately (MAILWIRE_INTEROP=1)", bin)
		}
		t.Skipf("%s needs root to run privately", bin)
	}
}

// freePorts returns n free loopback ports in 26000-26999 (the outbound
// delivery tests' range), three apart from other runs by chance.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	start := int(time.Now().UnixNano() % 997)
	for i := 0; i < 300; i++ {
		base := 26000 + (start+n*i)%(1000-n)
		var out []string
		for k := 0; k < n; k++ {
			a := fmt.Sprintf("127.0.0.1:%d", base+k)
			ln, err := net.Listen("tcp", a)
			if err != nil {
				break
			}
			ln.Close()
			out = append(out, a)
		}
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("no %d free ports in 26000-26999", n)
	return nil
}

// StartPostfix starts Postfix with a certificate from ca for names on
// its TLS service, and stops it at the test's end.
func StartPostfix(t testing.TB, ca *CA, names ...string) *Postfix {
	t.Helper()
	NeedPeer(t, "postfix")
	dir, err := os.MkdirTemp("", "mxpf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &Postfix{Dir: dir, Conf: filepath.Join(dir, "conf")}
	ports := freePorts(t, 3)
	p.TLS, p.Plain, p.Wrong = ports[0], ports[1], ports[2]
	for _, d := range []string{"conf", "queue", "mail"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "mail"), 8, 8); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), b, mode); err != nil {
			t.Fatal(err)
		}
	}
	c, k, leaf := ca.Leaf(t, names...)
	write("cert.pem", append(c, ca.PEM...), 0o644)
	write("key.pem", k, 0o600)
	p.Leaf = leaf
	c, k, leaf = ca.Leaf(t, "wrong.invalid")
	write("wrong.pem", append(c, ca.PEM...), 0o644)
	write("wrong-key.pem", k, 0o600)
	p.WrongLeaf = leaf

	main := strings.ReplaceAll(`compatibility_level = 3.6
queue_directory = $D/queue
data_directory = $D/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mx-e2e
maillog_file = $D/maillog
maillog_file_prefixes = $D
myhostname = mx.receiver.test
mydomain = receiver.test
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
virtual_mailbox_domains = static:all
virtual_mailbox_base = $D/mail
virtual_mailbox_maps = static:sink/
virtual_uid_maps = static:8
virtual_gid_maps = static:8
virtual_minimum_uid = 8
default_transport = discard
smtpd_tls_cert_file = $D/cert.pem
smtpd_tls_key_file = $D/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtp_tls_security_level = none
`, "$D", dir)
	master := strings.NewReplacer("$TLS", p.TLS, "$PLAIN", p.Plain, "$WRONG", p.Wrong, "$D", dir).Replace(`$TLS inet  n       -      n      -      -       smtpd
$PLAIN inet  n       -      n      -      -       smtpd
  -o smtpd_tls_security_level=none
$WRONG inet  n       -      n      -      -       smtpd
  -o smtpd_tls_cert_file=$D/wrong.pem
  -o smtpd_tls_key_file=$D/wrong-key.pem
` + MasterServices)
	write("conf/main.cf", []byte(main), 0o644)
	write("conf/master.cf", []byte(master), 0o644)
	out, err := exec.Command("postfix", "-c", p.Conf, "start").CombinedOutput()
	if err != nil {
		t.Fatalf("postfix start: %v %s\n%s", err, out, p.Log())
	}
	t.Cleanup(func() { _ = exec.Command("postfix", "-c", p.Conf, "stop").Run() })
	for _, a := range ports {
		deadline := time.Now().Add(15 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", a, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("postfix not listening on %s\n%s", a, p.Log())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return p
}

// Log returns Postfix's maillog.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "maillog"))
	return string(b)
}

// Received returns the stored messages that contain token.
func (p *Postfix) Received(token string) []string {
	var out []string
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(p.Dir, "mail", "sink", sub))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(p.Dir, "mail", "sink", sub, e.Name()))
			if err == nil && strings.Contains(string(b), token) {
				out = append(out, string(b))
			}
		}
	}
	return out
}

// WaitReceived waits up to d for a message with token.
func (p *Postfix) WaitReceived(token string, d time.Duration) []string {
	return p.WaitReceivedN(token, 1, d)
}

// WaitReceivedN waits up to d for n messages with token.
func (p *Postfix) WaitReceivedN(token string, n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		if m := p.Received(token); len(m) >= n || time.Now().After(deadline) {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Port returns the port of "127.0.0.1:PORT".
func Port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	var n int
	fmt.Sscanf(p, "%d", &n)
	return n
}

// MasterServices is the part of a Postfix master.cf that every test
// instance shares: the internal services, after the smtpd listeners each
// test writes itself.
const MasterServices = `pickup          unix  n       -      n      60     1       pickup
cleanup         unix  n       -      n      -      0       cleanup
qmgr            unix  n       -      n      300    1       qmgr
tlsmgr          unix  -       -      n      1000?  1       tlsmgr
rewrite         unix  -       -      n      -      -       trivial-rewrite
bounce          unix  -       -      n      -      0       bounce
defer           unix  -       -      n      -      0       bounce
trace           unix  -       -      n      -      0       bounce
verify          unix  -       -      n      -      1       verify
flush           unix  n       -      n      1000?  0       flush
proxymap        unix  -       -      n      -      -       proxymap
proxywrite      unix  -       -      n      -      1       proxymap
smtp            unix  -       -      n      -      -       smtp
relay           unix  -       -      n      -      -       smtp
showq           unix  n       -      n      -      -       showq
error           unix  -       -      n      -      -       error
retry           unix  -       -      n      -      -       error
discard         unix  -       -      n      -      -       discard
virtual         unix  -       n      n      -      -       virtual
anvil           unix  -       -      n      -      1       anvil
scache          unix  -       -      n      -      1       scache
postlog         unix-dgram n  -      n      -      1       postlogd
`
