package starttls

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/tlspolicy"
)

// This file holds the test harness: certificates made at run time, pipes
// and loopback pairs, and scripted peers that send exact bytes.

const testHost = "mail.example.test"

// testPKI is a CA and a server certificate for testHost and 127.0.0.1.
type testPKI struct {
	roots *x509.CertPool
	cert  tls.Certificate
	caPEM []byte // the CA certificate, for peers outside Go
}

func newPKI(t testing.TB) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailwire test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: testHost},
		DNSNames:     []string{testHost},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return testPKI{
		roots: roots,
		cert:  tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key},
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}
}

var (
	pkiOnce              sync.Once
	trustedPKI, roguePKI testPKI
)

// pkis returns the trusted PKI and a second, untrusted one.
func pkis(t testing.TB) (trusted, rogue testPKI) {
	pkiOnce.Do(func() { trustedPKI, roguePKI = newPKI(t), newPKI(t) })
	return trustedPKI, roguePKI
}

func (p testPKI) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.cert}, MinVersion: tls.VersionTLS12}
}

// fingerprint is the SHA-256 of the server certificate.
func (p testPKI) fingerprint() []byte {
	sum := sha256.Sum256(p.cert.Certificate[0])
	return sum[:]
}

// tlsa is a DANE-EE SPKI SHA-256 record (3 1 1) for the server certificate.
func (p testPKI) tlsa() tlspolicy.TLSA {
	leaf, err := x509.ParseCertificate(p.cert.Certificate[0])
	if err != nil {
		return tlspolicy.TLSA{}
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return tlspolicy.TLSA{Usage: tlspolicy.UsageDANEEE, Selector: tlspolicy.SelectorSPKI, MatchingType: tlspolicy.MatchSHA256, Data: sum[:]}
}

// verifyPolicy is a STARTTLS policy that checks testHost against the
// trusted CA.
func verifyPolicy(t testing.TB) tlspolicy.Policy {
	trusted, _ := pkis(t)
	return tlspolicy.Policy{Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS, ServerName: testHost, RootCAs: trusted.roots}
}

func mayPolicy() tlspolicy.Policy {
	return tlspolicy.Policy{Level: tlspolicy.LevelMay, Transport: tlspolicy.TransportSTARTTLS}
}

// pair returns two connected ends: net.Pipe, or loopback TCP on 127.0.0.1.
func pair(t testing.TB, tcp bool) (client, server net.Conn) {
	t.Helper()
	if !tcp {
		client, server = net.Pipe()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		accepted := make(chan net.Conn, 1)
		go func() {
			c, _ := ln.Accept()
			accepted <- c
		}()
		client, err = net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		server = <-accepted
		require.NotNil(t, server)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	// A hung test fails instead of hanging.
	deadline := time.Now().Add(10 * time.Second)
	_ = server.SetDeadline(deadline)
	return client, server
}

// peer plays one side of a connection from a script of actions, in its
// own goroutine.
type peer struct {
	conn net.Conn // the raw connection, then TLS after an upgrade action
}

type action func(p *peer) error

// send writes s in one Write, so a reader gets it in one piece.
func send(s string) action {
	return func(p *peer) error {
		_, err := p.conn.Write([]byte(s))
		return err
	}
}

// expect reads exactly len(s) bytes and requires them to be s.
func expect(s string) action {
	return func(p *peer) error {
		got := make([]byte, len(s))
		n, err := io.ReadFull(p.conn, got)
		if string(got[:n]) != s {
			return fmt.Errorf("peer expected %q, got %q (%v)", s, got[:n], err)
		}
		return nil
	}
}

// readSome reads whatever one Read returns (a ClientHello, say).
func readSome() action {
	return func(p *peer) error {
		_, err := p.conn.Read(make([]byte, 4096))
		return err
	}
}

// tlsServer runs a TLS server handshake on the peer's connection.
func tlsServer(cfg *tls.Config) action {
	return func(p *peer) error {
		tc := tls.Server(p.conn, cfg)
		if err := tc.Handshake(); err != nil {
			return err
		}
		p.conn = tc
		return nil
	}
}

// tlsClient runs a TLS client handshake on the peer's connection.
func tlsClient(cfg *tls.Config) action {
	return func(p *peer) error {
		tc := tls.Client(p.conn, cfg)
		if err := tc.Handshake(); err != nil {
			return err
		}
		p.conn = tc
		return nil
	}
}

// peerResult is how a script ended: the first failed action (err, at
// index step) and every byte received after the script, up to EOF.
type peerResult struct {
	err  error
	step int
	rest []byte
}

// runPeer runs script on conn. When the script ends or fails, the peer
// keeps reading until the other side closes, so a test can see every byte
// sent beyond the script.
func runPeer(conn net.Conn, script ...action) <-chan peerResult {
	done := make(chan peerResult, 1)
	go func() {
		p := &peer{conn: conn}
		res := peerResult{step: len(script)}
		for i, a := range script {
			if err := a(p); err != nil {
				res.err, res.step = err, i
				break
			}
		}
		var rest bytes.Buffer
		_, _ = io.Copy(&rest, p.conn)
		res.rest = rest.Bytes()
		done <- res
	}()
	return done
}

// testContext is a context with a deadline that fails a hung test.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
