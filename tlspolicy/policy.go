package tlspolicy

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// Policy is the TLS policy of one connection: the level it needs, how TLS
// starts, and what the peer is checked against. The zero Policy is a valid
// plaintext policy.
type Policy struct {
	// Level is the security level; it decides what is verified.
	Level Level
	// Transport is how TLS starts.
	Transport Transport
	// ServerName is sent as SNI and, at LevelVerify and LevelSecure, is the
	// name the certificate must carry (the MX host name for Verify, the
	// next-hop domain for Secure). At DANE levels it is the TLSA base domain.
	ServerName string
	// RootCAs are the roots for PKIX validation; nil means the system roots.
	RootCAs *x509.CertPool
	// Fingerprints are SHA-256 digests (32 bytes each), used at
	// LevelFingerprint only. An entry matches when it equals the SHA-256 of
	// the leaf certificate's DER encoding or of its DER-encoded
	// SubjectPublicKeyInfo, so either form may be pinned.
	Fingerprints [][]byte
	// TLSA are the DNSSEC-validated TLSA records of the server, used at
	// LevelDANE and LevelDANEOnly only, where at least one must be usable.
	TLSA []TLSA
	// MinVersion is the lowest TLS version offered; 0 means TLS 1.2
	// (RFC 8996 deprecates TLS 1.0 and 1.1).
	MinVersion uint16
}

// Errors returned by Policy.Validate and Policy.TLSConfig, for errors.Is.
var (
	ErrInvalidPolicy       = errors.New("tlspolicy: invalid policy")
	ErrNoTLS               = errors.New("tlspolicy: level none uses no TLS")
	ErrFingerprintMismatch = errors.New("tlspolicy: peer certificate matches no fingerprint")
)

// defaultMinVersion is used when Policy.MinVersion is 0.
const defaultMinVersion = tls.VersionTLS12

// Validate reports whether the fields agree with each other. Every error
// wraps ErrInvalidPolicy. The rules: Level and Transport are defined values;
// LevelNone goes with TransportPlain and only with it; TransportImplicit
// needs LevelEncrypt or above (TLS cannot fall back on a TLS port);
// LevelFingerprint needs fingerprints of 32 bytes, and no other level takes
// any; the DANE levels need a usable TLSA record, and no other level takes
// records; LevelVerify, LevelSecure and the DANE levels need ServerName;
// MinVersion is 0 or a TLS version from 1.0 to 1.3.
func (p Policy) Validate() error {
	switch {
	case !p.Level.valid():
		return invalid("undefined level %d", int(p.Level))
	case !p.Transport.valid():
		return invalid("undefined transport %d", int(p.Transport))
	case (p.Level == LevelNone) != (p.Transport == TransportPlain):
		return invalid("level %s with transport %s", p.Level, p.Transport)
	case p.Transport == TransportImplicit && !p.Level.Required():
		return invalid("implicit TLS needs level encrypt or above, not %s", p.Level)
	case p.Level == LevelFingerprint && len(p.Fingerprints) == 0:
		return invalid("level fingerprint without fingerprints")
	case p.Level != LevelFingerprint && len(p.Fingerprints) != 0:
		return invalid("fingerprints given at level %s", p.Level)
	case p.Level.DANEBased() && !anyUsable(p.TLSA):
		return invalid("level %s without a usable TLSA record", p.Level)
	case !p.Level.DANEBased() && len(p.TLSA) != 0:
		return invalid("TLSA records given at level %s", p.Level)
	case p.ServerName == "" && (p.Level >= LevelVerify || p.Level.DANEBased()):
		return invalid("level %s needs a server name", p.Level)
	case p.MinVersion != 0 && (p.MinVersion < tls.VersionTLS10 || p.MinVersion > tls.VersionTLS13):
		return invalid("unknown TLS version %#04x", p.MinVersion)
	}
	for i, fp := range p.Fingerprints {
		if len(fp) != sha256.Size {
			return invalid("fingerprint %d has %d bytes, want %d", i, len(fp), sha256.Size)
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPolicy}, args...)...)
}

// TLSConfig returns a client configuration that enforces the policy. TLS is
// always negotiated; the level decides what is checked:
//
//   - LevelMay, LevelEncrypt: nothing (InsecureSkipVerify), since these
//     levels encrypt without authenticating.
//   - LevelFingerprint: the leaf must match a fingerprint (VerifyConnection);
//     CA and names are not consulted.
//   - LevelDANE, LevelDANEOnly: DANEVerifier with the records and
//     ServerName as the reference identifier (VerifyConnection).
//   - LevelVerify, LevelSecure: crypto/tls PKIX validation of ServerName
//     against RootCAs.
//
// A policy that fails Validate, and LevelNone (ErrNoTLS), yield an error.
// The caller may set further fields (certificates, NextProtos) on the result.
func (p Policy) TLSConfig() (*tls.Config, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		ServerName: p.ServerName,
		RootCAs:    p.RootCAs,
		MinVersion: p.MinVersion,
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = defaultMinVersion
	}
	switch p.Level {
	case LevelNone:
		return nil, ErrNoTLS
	case LevelMay, LevelEncrypt:
		cfg.InsecureSkipVerify = true
	case LevelFingerprint:
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = p.verifyFingerprint
	case LevelDANE, LevelDANEOnly:
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = DANEVerifier{Records: p.TLSA, Names: []string{p.ServerName}}.VerifyConnection
	}
	return cfg, nil
}

// verifyFingerprint checks the leaf certificate against p.Fingerprints.
func (p Policy) verifyFingerprint(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return ErrFingerprintMismatch
	}
	leaf := cs.PeerCertificates[0]
	cert := sha256.Sum256(leaf.Raw)
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	for _, fp := range p.Fingerprints {
		if bytes.Equal(fp, cert[:]) || bytes.Equal(fp, spki[:]) {
			return nil
		}
	}
	return ErrFingerprintMismatch
}

// anyUsable reports whether one of the records is usable.
func anyUsable(records []TLSA) bool {
	for _, r := range records {
		if r.Usable() {
			return true
		}
	}
	return false
}
