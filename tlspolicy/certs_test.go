package tlspolicy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testPKI is a CA and a leaf it signed, generated for one test.
type testPKI struct {
	ca, leaf *x509.Certificate
	roots    *x509.CertPool
	// chain is the server's tls.Certificate: leaf then CA.
	chain tls.Certificate
}

// newTestPKI makes a CA and a leaf for dnsNames, valid from notBefore to
// notAfter.
func newTestPKI(t testing.TB, notBefore, notAfter time.Time, dnsNames ...string) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailwire test CA"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "mailwire test leaf"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		DNSNames:     dnsNames,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(leafDER)
	require.NoError(t, err)

	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return &testPKI{
		ca: ca, leaf: leaf, roots: roots,
		chain: tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey, Leaf: leaf},
	}
}

// validPKI is a PKI valid around now for mx.example.com.
func validPKI(t testing.TB) *testPKI {
	now := time.Now()
	return newTestPKI(t, now.Add(-time.Hour), now.Add(time.Hour), "mx.example.com")
}

// handshake runs a real TLS handshake over loopback TCP between a server
// presenting chain and a client using cfg, and returns the client's error.
// TCP rather than net.Pipe: the kernel buffers let a client that rejects
// the certificate write its alert while the server is still writing.
func handshake(t testing.TB, chain tls.Certificate, cfg *tls.Config) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, err := ln.Accept()
		if err != nil {
			return
		}
		defer s.Close()
		srv := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{chain}})
		_ = srv.SetDeadline(time.Now().Add(10 * time.Second))
		_ = srv.Handshake()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer func() { _ = c.Close(); <-done }()
	cli := tls.Client(c, cfg)
	_ = cli.SetDeadline(time.Now().Add(10 * time.Second))
	return cli.Handshake()
}

// errAny in a test table means "some error, of no particular kind".
var errAny = errors.New("any error")
