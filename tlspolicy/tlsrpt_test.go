package tlspolicy

import (
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResultTypeOf classifies the errors of real handshakes.
func TestResultTypeOf(t *testing.T) {
	pki := validPKI(t)
	now := time.Now()
	expired := newTestPKI(t, now.Add(-2*time.Hour), now.Add(-time.Hour), "mx.example.com")
	verify := func(name string, pki *testPKI) Policy {
		return Policy{Level: LevelVerify, Transport: TransportSTARTTLS, ServerName: name, RootCAs: pki.roots}
	}
	tests := []struct {
		name   string
		p      Policy
		server *testPKI
		want   ResultType
	}{
		{"wrong name", verify("mx.example.net", pki), pki, ResultCertificateHostMismatch},
		{"expired", verify("mx.example.com", expired), expired, ResultCertificateExpired},
		{"unknown CA", verify("mx.example.com", validPKI(t)), pki, ResultCertificateNotTrusted},
		{"fingerprint", Policy{Level: LevelFingerprint, Transport: TransportSTARTTLS, Fingerprints: [][]byte{make([]byte, 32)}}, pki, ResultValidationFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.p.TLSConfig()
			require.NoError(t, err)
			err = handshake(t, tt.server.chain, cfg)
			require.Error(t, err)
			assert.Equal(t, tt.want, ResultTypeOf(err))
		})
	}
	_, err := ParseMTASTS([]byte("version: STSv2\n"), MTASTSOptions{})
	assert.Equal(t, ResultSTSPolicyInvalid, ResultTypeOf(err))
	assert.Equal(t, ResultValidationFailure, ResultTypeOf(errors.New("other")))
	assert.Equal(t, ResultTLSAInvalid, ResultTypeOf(DANEVerifier{Records: []TLSA{{1, 1, 1, make([]byte, 32)}}}.VerifyConnection(tls.ConnectionState{})))
	assert.Equal(t, ResultValidationFailure, ResultTypeOf(DANEVerifier{Records: []TLSA{{3, 1, 1, make([]byte, 32)}}}.VerifyConnection(tls.ConnectionState{})))
}
