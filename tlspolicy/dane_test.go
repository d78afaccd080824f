package tlspolicy

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sum256(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sum512(b []byte) []byte { s := sha512.Sum512(b); return s[:] }

func TestTLSAUsable(t *testing.T) {
	d32, d64 := make([]byte, 32), make([]byte, 64)
	tests := []struct {
		r    TLSA
		want bool
	}{
		{TLSA{3, 1, 1, d32}, true},
		{TLSA{2, 0, 2, d64}, true},
		{TLSA{3, 0, 0, []byte{1}}, true},
		{TLSA{0, 1, 1, d32}, false}, // PKIX-TA is unusable for SMTP
		{TLSA{1, 1, 1, d32}, false}, // PKIX-EE too
		{TLSA{4, 1, 1, d32}, false},
		{TLSA{3, 2, 1, d32}, false},
		{TLSA{3, 1, 3, d32}, false},
		{TLSA{3, 1, 1, d64}, false}, // SHA-256 of the wrong length
		{TLSA{3, 1, 2, d32}, false},
		{TLSA{3, 1, 0, nil}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.r.Usable(), "%d %d %d len %d", tt.r.Usage, tt.r.Selector, tt.r.MatchingType, len(tt.r.Data))
	}
}

func TestTLSAMatchesAllocs(t *testing.T) {
	pki := validPKI(t)
	records := []TLSA{
		{3, 1, 1, sum256(pki.leaf.RawSubjectPublicKeyInfo)},
		{3, 0, 2, sum512(pki.leaf.Raw)},
		{3, 0, 0, pki.leaf.Raw},
	}
	for _, r := range records {
		assert.True(t, r.Matches(pki.leaf))
		assert.False(t, r.Matches(pki.ca))
		assert.Zero(t, testing.AllocsPerRun(100, func() { r.Matches(pki.leaf) }))
	}
}

// TestDANEHandshakes runs real handshakes against a server for
// mx.example.com whose chain is leaf then CA (or the leaf alone).
func TestDANEHandshakes(t *testing.T) {
	pki := validPKI(t)
	other := validPKI(t)
	now := time.Now()
	expired := newTestPKI(t, now.Add(-2*time.Hour), now.Add(-time.Hour), "elsewhere.example")
	leafOnly := tls.Certificate{Certificate: pki.chain.Certificate[:1], PrivateKey: pki.chain.PrivateKey}
	leaf, ca := pki.leaf, pki.ca

	tests := []struct {
		name    string
		records []TLSA
		server  tls.Certificate
		names   []string
		err     error // nil: accepted
	}{
		{"EE SPKI SHA-256", []TLSA{{3, 1, 1, sum256(leaf.RawSubjectPublicKeyInfo)}}, pki.chain, nil, nil},
		{"EE cert SHA-256", []TLSA{{3, 0, 1, sum256(leaf.Raw)}}, pki.chain, nil, nil},
		{"EE cert SHA-512", []TLSA{{3, 0, 2, sum512(leaf.Raw)}}, pki.chain, nil, nil},
		{"EE full SPKI", []TLSA{{3, 1, 0, leaf.RawSubjectPublicKeyInfo}}, pki.chain, nil, nil},
		{"EE full cert", []TLSA{{3, 0, 0, leaf.Raw}}, leafOnly, nil, nil},
		{"EE ignores expiry and names", []TLSA{{3, 1, 1, sum256(expired.leaf.RawSubjectPublicKeyInfo)}}, expired.chain, []string{"mx.example.com"}, nil},
		{"EE of another key", []TLSA{{3, 1, 1, sum256(other.leaf.RawSubjectPublicKeyInfo)}}, pki.chain, nil, ErrDANEMismatch},
		{"EE record for the CA", []TLSA{{3, 0, 1, sum256(ca.Raw)}}, pki.chain, nil, ErrDANEMismatch},
		{"unusable record skipped, next matches", []TLSA{{1, 1, 1, sum256(leaf.RawSubjectPublicKeyInfo)}, {3, 1, 1, sum256(leaf.RawSubjectPublicKeyInfo)}}, pki.chain, nil, nil},
		{"only unusable records", []TLSA{{1, 1, 1, sum256(leaf.RawSubjectPublicKeyInfo)}, {0, 0, 1, sum256(ca.Raw)}}, pki.chain, nil, ErrNoUsableTLSA},

		{"TA cert SHA-256", []TLSA{{2, 0, 1, sum256(ca.Raw)}}, pki.chain, []string{"mx.example.com"}, nil},
		{"TA SPKI SHA-512, second name", []TLSA{{2, 1, 2, sum512(ca.RawSubjectPublicKeyInfo)}}, pki.chain, []string{"example.com", "mx.example.com"}, nil},
		{"TA wrong name", []TLSA{{2, 0, 1, sum256(ca.Raw)}}, pki.chain, []string{"mx.example.net"}, ErrDANEMismatch},
		{"TA without names", []TLSA{{2, 0, 1, sum256(ca.Raw)}}, pki.chain, nil, ErrDANEMismatch},
		{"TA not sent by the server", []TLSA{{2, 0, 1, sum256(ca.Raw)}}, leafOnly, []string{"mx.example.com"}, ErrDANEMismatch},
		{"TA full cert from DNS", []TLSA{{2, 0, 0, ca.Raw}}, leafOnly, []string{"mx.example.com"}, nil},
		{"TA full key from DNS", []TLSA{{2, 1, 0, ca.RawSubjectPublicKeyInfo}}, leafOnly, []string{"mx.example.com"}, nil},
		{"TA full key from DNS, chain sent", []TLSA{{2, 1, 0, ca.RawSubjectPublicKeyInfo}}, pki.chain, []string{"mx.example.com"}, nil},
		{"TA full key from DNS, wrong name", []TLSA{{2, 1, 0, ca.RawSubjectPublicKeyInfo}}, leafOnly, []string{"mx.example.net"}, ErrDANEMismatch},
		{"TA full key of another CA", []TLSA{{2, 1, 0, other.ca.RawSubjectPublicKeyInfo}}, leafOnly, []string{"mx.example.com"}, ErrDANEMismatch},
		{"TA full key, expired chain", []TLSA{{2, 1, 0, expired.ca.RawSubjectPublicKeyInfo}}, expired.chain, []string{"elsewhere.example"}, ErrDANEMismatch},
		{"TA full key that is not a key", []TLSA{{2, 1, 0, []byte("junk")}}, pki.chain, []string{"mx.example.com"}, ErrDANEMismatch},
		{"TA record for the leaf", []TLSA{{2, 0, 1, sum256(leaf.Raw)}}, pki.chain, []string{"mx.example.com"}, ErrDANEMismatch},
		{"TA of another CA", []TLSA{{2, 0, 1, sum256(other.ca.Raw)}}, pki.chain, []string{"mx.example.com"}, ErrDANEMismatch},
		{"TA chain expired", []TLSA{{2, 0, 1, sum256(expired.ca.Raw)}}, expired.chain, []string{"elsewhere.example"}, ErrDANEMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := DANEVerifier{Records: tt.records, Names: tt.names}
			err := handshake(t, tt.server, &tls.Config{InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection})
			if tt.err == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.err)
		})
	}
}

func TestDANEResultTypes(t *testing.T) {
	pki := validPKI(t)
	v := DANEVerifier{Records: []TLSA{{2, 0, 1, sum256(pki.ca.Raw)}}, Names: []string{"other.example"}}
	err := handshake(t, pki.chain, &tls.Config{InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection})
	require.ErrorIs(t, err, ErrDANEMismatch)
	var hostErr x509.HostnameError
	require.ErrorAs(t, err, &hostErr)
	assert.Equal(t, ResultCertificateHostMismatch, ResultTypeOf(err))

	v.Records[0].Data = sum256(pki.leaf.Raw)
	err = handshake(t, pki.chain, &tls.Config{InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection})
	assert.Equal(t, ResultValidationFailure, ResultTypeOf(err))
}

// TestPolicyDANE drives DANE through Policy.TLSConfig, with ServerName as
// the reference identifier.
func TestPolicyDANE(t *testing.T) {
	pki := validPKI(t)
	ta := []TLSA{{2, 0, 1, sum256(pki.ca.Raw)}}
	for _, level := range []Level{LevelDANE, LevelDANEOnly} {
		cfg, err := Policy{Level: level, Transport: TransportSTARTTLS, ServerName: "mx.example.com", TLSA: ta}.TLSConfig()
		require.NoError(t, err)
		assert.True(t, cfg.InsecureSkipVerify)
		require.NoError(t, handshake(t, pki.chain, cfg))

		cfg, err = Policy{Level: level, Transport: TransportImplicit, ServerName: "mx.example.org", TLSA: ta}.TLSConfig()
		require.NoError(t, err)
		require.ErrorIs(t, handshake(t, pki.chain, cfg), ErrDANEMismatch)
	}
	_, err := Policy{Level: LevelDANE, Transport: TransportSTARTTLS, ServerName: "mx.example.com",
		TLSA: []TLSA{{0, 0, 1, sum256(pki.ca.Raw)}}}.TLSConfig()
	require.ErrorIs(t, err, ErrInvalidPolicy)
	_, err = Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: "mx.example.com", TLSA: ta}.TLSConfig()
	require.ErrorIs(t, err, ErrInvalidPolicy)
}

func BenchmarkTLSAMatches(b *testing.B) {
	pki := validPKI(b)
	r := TLSA{3, 1, 1, sum256(pki.leaf.RawSubjectPublicKeyInfo)}
	b.ReportAllocs()
	b.SetBytes(int64(len(pki.leaf.RawSubjectPublicKeyInfo)))
	for b.Loop() {
		if !r.Matches(pki.leaf) {
			b.Fatal("no match")
		}
	}
}
