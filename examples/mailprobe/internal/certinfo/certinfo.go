// Package certinfo describes a peer's certificate chain for a report and
// finds the problems an administrator must fix: expiry soon or past, a
// name the certificate does not carry, a weak key or signature.
package certinfo

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"
)

// ExpiryWarning is how close to its NotAfter a certificate is reported.
const ExpiryWarning = 14 * 24 * time.Hour

// Cert is one certificate of the chain as the report shows it.
type Cert struct {
	Subject   string    `json:"subject"`
	SANs      []string  `json:"sans,omitempty"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Key       string    `json:"key"`
	Signature string    `json:"signature"`
	SHA256    string    `json:"sha256"`
}

// Describe returns the chain as the server sent it.
func Describe(chain []*x509.Certificate) []Cert {
	out := make([]Cert, 0, len(chain))
	for _, c := range chain {
		sum := sha256.Sum256(c.Raw)
		d := Cert{
			Subject: c.Subject.String(), Issuer: c.Issuer.String(),
			NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
			Key: KeyDescription(c), Signature: c.SignatureAlgorithm.String(),
			SHA256: hex.EncodeToString(sum[:]),
		}
		d.SANs = append(d.SANs, c.DNSNames...)
		for _, ip := range c.IPAddresses {
			d.SANs = append(d.SANs, "IP:"+ip.String())
		}
		for _, e := range c.EmailAddresses {
			d.SANs = append(d.SANs, "email:"+e)
		}
		out = append(out, d)
	}
	return out
}

// KeyDescription names the public key algorithm and size.
func KeyDescription(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return fmt.Sprintf("ECDSA %s", k.Curve.Params().Name)
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return c.PublicKeyAlgorithm.String()
}

// Problems lists what is wrong with the leaf for name at now: expired or
// expiring within ExpiryWarning, not yet valid, name mismatch, an RSA key
// under 2048 bits, an EC key under 256 bits, DSA, or a SHA-1 or MD5
// signature. The other certificates are checked for validity and key only.
func Problems(chain []*x509.Certificate, name string, now time.Time) []string {
	var out []string
	for i, c := range chain {
		who := "leaf"
		if i > 0 {
			who = fmt.Sprintf("certificate %d (%s)", i, c.Subject.CommonName)
		}
		switch {
		case now.After(c.NotAfter):
			out = append(out, fmt.Sprintf("%s expired on %s", who, c.NotAfter.UTC().Format(time.RFC3339)))
		case c.NotAfter.Sub(now) < ExpiryWarning:
			out = append(out, fmt.Sprintf("%s expires within 14 days, on %s", who, c.NotAfter.UTC().Format(time.RFC3339)))
		}
		if now.Before(c.NotBefore) {
			out = append(out, fmt.Sprintf("%s not valid before %s", who, c.NotBefore.UTC().Format(time.RFC3339)))
		}
		if w := weakKey(c); w != "" {
			out = append(out, who+" "+w)
		}
		if i == 0 {
			switch c.SignatureAlgorithm {
			case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1, x509.MD5WithRSA, x509.MD2WithRSA:
				out = append(out, "leaf signed with "+c.SignatureAlgorithm.String())
			}
			if name != "" {
				if err := c.VerifyHostname(name); err != nil {
					out = append(out, fmt.Sprintf("leaf does not carry the name %q: %v", name, err))
				}
			}
		}
	}
	return out
}

func weakKey(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("has a weak key: RSA %d bits (under 2048)", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return fmt.Sprintf("has a weak key: ECDSA %d bits (under 256)", k.Curve.Params().BitSize)
		}
	}
	if c.PublicKeyAlgorithm == x509.DSA {
		return "has a weak key: DSA"
	}
	return ""
}

// Verify checks the chain by PKIX against roots (nil: the system roots)
// for name at now, the way crypto/tls would.
func Verify(chain []*x509.Certificate, name string, roots *x509.CertPool, now time.Time) error {
	if len(chain) == 0 {
		return fmt.Errorf("no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	return err
}
