package certinfo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cert(t *testing.T, key crypto.Signer, notAfter time.Time, names ...string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: names, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

func TestProblems(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ec224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	now := time.Now()
	cases := []struct {
		name string
		c    *x509.Certificate
		host string
		want []string
	}{
		{"good", cert(t, ec, now.Add(90*24*time.Hour), "mx.example"), "mx.example", nil},
		{"good by IP", cert(t, ec, now.Add(90*24*time.Hour), "mx.example"), "127.0.0.1", nil},
		{"expires in 3 days", cert(t, ec, now.Add(72*time.Hour), "mx.example"), "mx.example", []string{"expires within 14 days"}},
		{"expired", cert(t, ec, now.Add(-time.Minute), "mx.example"), "mx.example", []string{"expired on"}},
		{"name mismatch", cert(t, ec, now.Add(90*24*time.Hour), "other.example"), "mx.example", []string{`does not carry the name "mx.example"`}},
		{"rsa 1024", cert(t, rsa1024, now.Add(90*24*time.Hour), "mx.example"), "mx.example", []string{"weak key: RSA 1024"}},
		{"p-224", cert(t, ec224, now.Add(90*24*time.Hour), "mx.example"), "mx.example", []string{"weak key: ECDSA 224"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Problems([]*x509.Certificate{tc.c}, tc.host, now)
			require.Len(t, got, len(tc.want), "%v", got)
			for i, w := range tc.want {
				assert.Contains(t, got[i], w)
			}
		})
	}
}

func TestDescribeAndVerify(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c := cert(t, ec, time.Now().Add(24*time.Hour), "mx.example")
	d := Describe([]*x509.Certificate{c})
	require.Len(t, d, 1)
	assert.Equal(t, "CN=test", d[0].Subject)
	assert.Equal(t, []string{"mx.example", "IP:127.0.0.1"}, d[0].SANs)
	assert.Equal(t, "ECDSA P-256", d[0].Key)
	assert.Len(t, d[0].SHA256, 64)

	pool := x509.NewCertPool()
	pool.AddCert(c)
	assert.NoError(t, Verify([]*x509.Certificate{c}, "mx.example", pool, time.Now()))
	assert.ErrorContains(t, Verify([]*x509.Certificate{c}, "other.example", pool, time.Now()), "other.example")
	err = Verify([]*x509.Certificate{c}, "mx.example", x509.NewCertPool(), time.Now())
	assert.True(t, err != nil && strings.Contains(err.Error(), "unknown authority"), "%v", err)
	assert.Error(t, Verify(nil, "mx.example", pool, time.Now()))
}
