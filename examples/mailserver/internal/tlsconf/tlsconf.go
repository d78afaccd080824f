// Package tlsconf builds the server's TLS configuration: from -cert/-key
// files, or from a self-signed ECDSA P-256 certificate for the hostname (and
// 127.0.0.1, ::1) generated at the first start into DIR/tls/ and reused at
// every later one.
package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// File names under DIR/tls/.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
	lockFile = "lock"
)

// Info describes the certificate in use.
type Info struct {
	CertPath    string // the PEM file clients can trust (the self-signed one is its own CA)
	Fingerprint string // SHA-256 of the leaf certificate's DER, lower-case hex
	Generated   bool   // created by this start
	SelfSigned  bool
}

// Load returns the server TLS configuration (TLS 1.2 or newer). With
// certFile and keyFile empty it uses DIR/tls/{cert,key}.pem, generating them
// under a lock that holds across processes when they do not exist yet, or
// when the certificate does not name hostname (-hostname changed).
func Load(dataDir, hostname, certFile, keyFile string) (*tls.Config, Info, error) {
	var info Info
	if (certFile == "") != (keyFile == "") {
		return nil, info, errors.New("tlsconf: -cert and -key go together")
	}
	if certFile == "" {
		dir := filepath.Join(dataDir, "tls")
		certFile, keyFile = filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
		gen, err := ensureSelfSigned(dir, hostname)
		if err != nil {
			return nil, info, err
		}
		info.Generated, info.SelfSigned = gen, true
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, info, fmt.Errorf("tlsconf: %w", err)
	}
	sum := sha256.Sum256(pair.Certificate[0])
	info.CertPath, info.Fingerprint = certFile, hex.EncodeToString(sum[:])
	return &tls.Config{
		Certificates: []tls.Certificate{pair},
		MinVersion:   tls.VersionTLS12,
	}, info, nil
}

// ensureSelfSigned creates the pair in dir unless both files exist; it
// reports whether it created them.
func ensureSelfSigned(dir, hostname string) (bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	lk, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return false, err
	}
	defer lk.Close()
	if err := syscall.Flock(int(lk.Fd()), syscall.LOCK_EX); err != nil {
		return false, err
	}
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	if exists(keyPath) && covers(certPath, hostname) {
		return false, nil
	}
	certPEM, keyPEM, err := Generate(hostname, time.Now())
	if err != nil {
		return false, err
	}
	// The key first: a cert without its key is never left behind alone.
	if err := durable.WriteFile(keyPath, 0o600, durable.Bytes(keyPEM)); err != nil {
		return false, err
	}
	if err := durable.WriteFile(certPath, 0o644, durable.Bytes(certPEM)); err != nil {
		return false, err
	}
	return true, nil
}

// Generate returns a self-signed ECDSA P-256 certificate for hostname,
// 127.0.0.1 and ::1, valid from an hour before now for ten years, and its
// key, both PEM-encoded. The certificate is its own CA, so clients can
// trust it by its file.
func Generate(hostname string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hostname, Organization: []string{"mailwire mailserver (self-signed)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(hostname); ip != nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else {
		tmpl.DNSNames = []string{hostname}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// covers reports whether the certificate at path names hostname: a
// generated certificate is made again when -hostname changed.
func covers(path, hostname string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return false
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	return err == nil && leaf.VerifyHostname(hostname) == nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
