package tlspolicy

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyValidate(t *testing.T) {
	fp := make([]byte, sha256.Size)
	ee := []TLSA{{UsageDANEEE, SelectorSPKI, MatchSHA256, fp}}
	tests := []struct {
		name string
		p    Policy
		ok   bool
	}{
		{"zero value is plaintext", Policy{}, true},
		{"may over starttls", Policy{Level: LevelMay, Transport: TransportSTARTTLS}, true},
		{"encrypt implicit", Policy{Level: LevelEncrypt, Transport: TransportImplicit}, true},
		{"verify with name", Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "mx.example.com"}, true},
		{"fingerprint", Policy{Level: LevelFingerprint, Transport: TransportImplicit, Fingerprints: [][]byte{fp}}, true},
		{"dane", Policy{Level: LevelDANE, Transport: TransportSTARTTLS, ServerName: "mx.example.com", TLSA: ee}, true},
		{"dane-only implicit", Policy{Level: LevelDANEOnly, Transport: TransportImplicit, ServerName: "mx.example.com", TLSA: ee}, true},
		{"tls 1.3 minimum", Policy{Level: LevelMay, Transport: TransportSTARTTLS, MinVersion: tls.VersionTLS13}, true},

		{"undefined level", Policy{Level: 9, Transport: TransportSTARTTLS}, false},
		{"undefined transport", Policy{Level: LevelMay, Transport: 7}, false},
		{"none over starttls", Policy{Level: LevelNone, Transport: TransportSTARTTLS}, false},
		{"may over plain", Policy{Level: LevelMay, Transport: TransportPlain}, false},
		{"implicit may", Policy{Level: LevelMay, Transport: TransportImplicit}, false},
		{"fingerprint without any", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS}, false},
		{"fingerprint too short", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{fp[:20]}}, false},
		{"fingerprint at verify", Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "a", Fingerprints: [][]byte{fp}}, false},
		{"verify without name", Policy{Level: LevelVerify, Transport: TransportSTARTTLS}, false},
		{"secure without name", Policy{Level: LevelSecure, Transport: TransportImplicit}, false},
		{"dane without name", Policy{Level: LevelDANE, Transport: TransportSTARTTLS, TLSA: ee}, false},
		{"dane without records", Policy{Level: LevelDANE, Transport: TransportSTARTTLS, ServerName: "mx.example.com"}, false},
		{"dane-only with unusable records", Policy{Level: LevelDANEOnly, Transport: TransportSTARTTLS, ServerName: "mx.example.com", TLSA: []TLSA{{1, 1, 1, fp}}}, false},
		{"records at encrypt", Policy{Level: LevelEncrypt, Transport: TransportSTARTTLS, TLSA: ee}, false},
		{"ssl3 minimum", Policy{Level: LevelMay, Transport: TransportSTARTTLS, MinVersion: 0x0300}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidPolicy)
			_, err = tt.p.TLSConfig()
			require.ErrorIs(t, err, ErrInvalidPolicy)
		})
	}
}

func TestTLSConfigFields(t *testing.T) {
	roots := x509.NewCertPool()
	cfg, err := Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "mx.example.com", RootCAs: roots}.TLSConfig()
	require.NoError(t, err)
	assert.Equal(t, "mx.example.com", cfg.ServerName)
	assert.Same(t, roots, cfg.RootCAs)
	assert.False(t, cfg.InsecureSkipVerify)
	assert.Nil(t, cfg.VerifyConnection)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)

	cfg, err = Policy{Level: LevelEncrypt, Transport: TransportSTARTTLS, MinVersion: tls.VersionTLS13}.TLSConfig()
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS13), cfg.MinVersion)

	_, err = Policy{}.TLSConfig()
	require.ErrorIs(t, err, ErrNoTLS)
}

// TestTLSConfigHandshakes runs real handshakes against a server whose
// certificate is for mx.example.com, signed by a CA in pki.roots.
func TestTLSConfigHandshakes(t *testing.T) {
	pki := validPKI(t)
	other := validPKI(t)
	certFP := sha256.Sum256(pki.leaf.Raw)
	spkiFP := sha256.Sum256(pki.leaf.RawSubjectPublicKeyInfo)
	caFP := sha256.Sum256(pki.ca.Raw)
	now := time.Now()
	expired := newTestPKI(t, now.Add(-2*time.Hour), now.Add(-time.Hour), "mx.example.com")
	expiredFP := sha256.Sum256(expired.leaf.Raw)

	tests := []struct {
		name   string
		p      Policy
		server *testPKI
		err    error // nil: success; errAny: some error
	}{
		{"may accepts any certificate", Policy{Level: LevelMay, Transport: TransportSTARTTLS}, other, nil},
		{"encrypt accepts an expired certificate", Policy{Level: LevelEncrypt, Transport: TransportSTARTTLS, ServerName: "wrong.example"}, expired, nil},
		{"fingerprint of the certificate", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{certFP[:]}}, pki, nil},
		{"fingerprint of the public key", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{make([]byte, 32), spkiFP[:]}}, pki, nil},
		{"fingerprint ignores expiry", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{expiredFP[:]}}, expired, nil},
		{"fingerprint of another server", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{certFP[:]}}, other, ErrFingerprintMismatch},
		{"fingerprint of the CA is not the leaf", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{caFP[:]}}, pki, ErrFingerprintMismatch},
		{"verify good name", Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "mx.example.com", RootCAs: pki.roots}, pki, nil},
		{"verify wrong name", Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "mx.example.net", RootCAs: pki.roots}, pki, errAny},
		{"secure untrusted CA", Policy{Level: LevelSecure, Transport: TransportImplicit, ServerName: "mx.example.com", RootCAs: pki.roots}, other, errAny},
		{"verify expired", Policy{Level: LevelVerify, Transport: TransportImplicit, ServerName: "mx.example.com", RootCAs: expired.roots}, expired, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.p.TLSConfig()
			require.NoError(t, err)
			err = handshake(t, tt.server.chain, cfg)
			switch tt.err {
			case nil:
				require.NoError(t, err)
			case errAny:
				require.Error(t, err)
			default:
				require.ErrorIs(t, err, tt.err)
			}
		})
	}
}

func TestPolicyValidateAllocs(t *testing.T) {
	p := Policy{Level: LevelDANE, Transport: TransportSTARTTLS, ServerName: "mx.example.com",
		TLSA: []TLSA{{UsageDANEEE, SelectorSPKI, MatchSHA256, make([]byte, 32)}}}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = p.Validate() }))
}
