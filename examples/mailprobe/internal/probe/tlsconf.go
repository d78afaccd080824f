package probe

import (
	"crypto/tls"
	"crypto/x509"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/certinfo"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Seen is what the handshake's verification hook saw: the chain, the PKIX
// result for the server name, and the policy's verdict. It is filled during
// the handshake and read after it.
type Seen struct {
	mu        sync.Mutex
	Chain     []*x509.Certificate
	PKIXErr   error // nil: the chain verifies for the server name
	PolicyErr error // nil: the level's check passed
	Called    bool
}

// TLSConfig returns the client configuration for t's policy that also
// records what it saw in seen. It always sees the chain, so that a failed
// verification can be reported with the certificate that failed it: it
// runs crypto/tls with InsecureSkipVerify and does the policy's check itself
// in VerifyConnection (PKIX for verify and secure, the policy's own hook for
// fingerprint and DANE). The check fails the handshake unless insecure is
// set; the result is recorded either way.
func TLSConfig(t target.Target, seen *Seen) (*tls.Config, error) {
	p := t.Policy
	if p.Level == tlspolicy.LevelNone {
		// A check that uses TLS on a target probed in plaintext.
		p.Level, p.Transport = tlspolicy.LevelEncrypt, tlspolicy.TransportSTARTTLS
	}
	base, err := p.TLSConfig()
	if err != nil {
		return nil, err
	}
	cfg := base.Clone()
	hook := cfg.VerifyConnection
	pkix := !cfg.InsecureSkipVerify
	cfg.InsecureSkipVerify = true
	if cfg.ServerName == "" {
		cfg.ServerName = t.ServerName
	}
	cfg.NextProtos = t.ALPN
	roots := p.RootCAs
	name := t.ServerName
	insecure := t.Insecure
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		pk := certinfo.Verify(cs.PeerCertificates, name, roots, time.Now())
		var pol error
		switch {
		case hook != nil:
			pol = hook(cs)
		case pkix:
			pol = pk
		}
		seen.mu.Lock()
		seen.Chain, seen.PKIXErr, seen.PolicyErr, seen.Called = cs.PeerCertificates, pk, pol, true
		seen.mu.Unlock()
		if pol != nil && !insecure {
			return pol
		}
		return nil
	}
	return cfg, nil
}

// Snapshot returns what the hook recorded.
func (s *Seen) Snapshot() (chain []*x509.Certificate, pkixErr, policyErr error, called bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Chain, s.PKIXErr, s.PolicyErr, s.Called
}
