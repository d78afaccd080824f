package tlspolicy

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// TLSA is one TLSA resource record (RFC 6698 §2.1), as the caller's
// DNSSEC-validating resolver returned it for _25._tcp.<mx-host>.
type TLSA struct {
	Usage        uint8
	Selector     uint8
	MatchingType uint8
	// Data is the certificate association data: the selected content
	// itself (MatchingType 0) or its digest.
	Data []byte
}

// TLSA field values (RFC 6698 §7.2–7.4, RFC 7218 acronyms).
const (
	UsagePKIXTA uint8 = 0 // unusable for SMTP (RFC 7672 §3.1.3)
	UsagePKIXEE uint8 = 1 // unusable for SMTP (RFC 7672 §3.1.3)
	UsageDANETA uint8 = 2 // trust anchor: chain to it, then check the name
	UsageDANEEE uint8 = 3 // end entity: the key or certificate itself

	SelectorCert uint8 = 0 // the whole DER certificate
	SelectorSPKI uint8 = 1 // the DER SubjectPublicKeyInfo

	MatchFull   uint8 = 0 // Data is the selected content
	MatchSHA256 uint8 = 1 // Data is its SHA-256
	MatchSHA512 uint8 = 2 // Data is its SHA-512
)

// Errors of DANE verification, for errors.Is.
var (
	// ErrNoUsableTLSA: none of the records is usable; RFC 7672 §2.2 then
	// asks for encryption without authentication (LevelEncrypt), or a
	// deferral at LevelDANEOnly.
	ErrNoUsableTLSA = errors.New("tlspolicy: no usable TLSA record")
	// ErrDANEMismatch: the peer's chain matches no usable record, or a
	// matching trust anchor does not validate it for the names.
	ErrDANEMismatch = errors.New("tlspolicy: peer certificate matches no TLSA record")
)

// Usable reports whether the record can authenticate an SMTP server (RFC
// 7672 §3.1): usage DANE-TA or DANE-EE, a known selector, and a known
// matching type whose data has the right length (non-empty for full data).
func (r TLSA) Usable() bool {
	if r.Usage != UsageDANETA && r.Usage != UsageDANEEE || r.Selector > SelectorSPKI {
		return false
	}
	switch r.MatchingType {
	case MatchFull:
		return len(r.Data) > 0
	case MatchSHA256:
		return len(r.Data) == sha256.Size
	case MatchSHA512:
		return len(r.Data) == sha512.Size
	}
	return false
}

// Matches reports whether cert matches the record's selector, matching type
// and data. It ignores the usage and does not allocate.
func (r TLSA) Matches(cert *x509.Certificate) bool {
	content := cert.Raw
	if r.Selector == SelectorSPKI {
		content = cert.RawSubjectPublicKeyInfo
	} else if r.Selector != SelectorCert {
		return false
	}
	switch r.MatchingType {
	case MatchFull:
		return bytes.Equal(r.Data, content)
	case MatchSHA256:
		sum := sha256.Sum256(content)
		return bytes.Equal(r.Data, sum[:])
	case MatchSHA512:
		sum := sha512.Sum512(content)
		return bytes.Equal(r.Data, sum[:])
	}
	return false
}

// DANEVerifier authenticates a TLS peer against TLSA records (RFC 7672
// §3.1). Use its VerifyConnection method as tls.Config.VerifyConnection,
// with InsecureSkipVerify set so that crypto/tls does no PKIX check of its
// own; Policy.TLSConfig does this at the DANE levels.
type DANEVerifier struct {
	// Records are the TLSA records; unusable ones are ignored.
	Records []TLSA
	// Names are the reference identifiers a certificate validated through a
	// DANE-TA record must carry one of (RFC 7672 §3.2.2): the TLSA base
	// domain, and optionally the MX host name and the next-hop domain.
	Names []string
}

// VerifyConnection accepts the peer when its leaf certificate matches a
// usable DANE-EE record (name and validity dates are not checked, RFC 7672
// §3.1.1), or when the leaf chains, within validity dates, to a trust
// anchor a usable DANE-TA record designates and carries one of Names
// (§3.1.2). The anchor is a certificate the peer sent after its leaf, or
// one a "2 0 0" record holds, or the key a "2 1 0" record holds. Failures wrap ErrNoUsableTLSA or ErrDANEMismatch. It
// runs once per handshake: DANE-EE matching does not allocate, DANE-TA
// chain building does (certificate pools, as x509 verification needs).
func (v DANEVerifier) VerifyConnection(cs tls.ConnectionState) error {
	if !anyUsable(v.Records) {
		return ErrNoUsableTLSA
	}
	if len(cs.PeerCertificates) == 0 {
		return ErrDANEMismatch
	}
	leaf := cs.PeerCertificates[0]
	for _, r := range v.Records {
		if r.Usable() && r.Usage == UsageDANEEE && r.Matches(leaf) {
			return nil
		}
	}
	var taErr error
	for _, r := range v.Records {
		if !r.Usable() || r.Usage != UsageDANETA {
			continue
		}
		for _, anchor := range trustAnchors(r, cs.PeerCertificates) {
			err := v.verifyChain(anchor, cs.PeerCertificates)
			if err == nil {
				return nil
			}
			taErr = err
		}
	}
	if taErr != nil {
		return fmt.Errorf("%w: %w", ErrDANEMismatch, taErr)
	}
	return ErrDANEMismatch
}

// trustAnchors returns the anchors the DANE-TA record r designates for the
// peer's chain: the certificates after the leaf that match it, the record's
// own certificate when it holds one in full ("2 0 0"), and, when it holds a
// public key in full ("2 1 0"), the certificates of the chain that key
// signed, which then stand in for the anchor the peer need not send.
func trustAnchors(r TLSA, peer []*x509.Certificate) []*x509.Certificate {
	var anchors []*x509.Certificate
	for _, c := range peer[1:] {
		if r.Matches(c) {
			anchors = append(anchors, c)
		}
	}
	if r.MatchingType != MatchFull {
		return anchors
	}
	if r.Selector == SelectorCert {
		if c, err := x509.ParseCertificate(r.Data); err == nil {
			anchors = append(anchors, c)
		}
		return anchors
	}
	key, err := x509.ParsePKIXPublicKey(r.Data)
	if err != nil {
		return anchors
	}
	signer := &x509.Certificate{PublicKey: key}
	for _, c := range peer {
		if signer.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			anchors = append(anchors, c)
		}
	}
	return anchors
}

// verifyChain checks that the leaf chains to anchor through the other
// certificates of the peer, and that it carries one of v.Names.
func (v DANEVerifier) verifyChain(anchor *x509.Certificate, peer []*x509.Certificate) error {
	roots := x509.NewCertPool()
	roots.AddCert(anchor)
	intermediates := x509.NewCertPool()
	for _, c := range peer[1:] {
		intermediates.AddCert(c)
	}
	_, err := peer[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return err
	}
	for _, name := range v.Names {
		if err = peer[0].VerifyHostname(name); err == nil {
			return nil
		}
	}
	if err == nil {
		err = x509.HostnameError{Certificate: peer[0]}
	}
	return err
}
