package starttls_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
)

// A client delivers to an MX under LevelVerify: it upgrades, then asks for
// the capabilities again over TLS, the only ones it may trust.
func ExampleClient_Upgrade() {
	cert, roots := exampleCertificate()
	clientConn, serverConn := net.Pipe()
	go scriptedMX(serverConn, cert)

	c := &starttls.Client{
		Protocol: starttls.SMTP,
		Policy: tlspolicy.Policy{
			Level:      tlspolicy.LevelVerify,
			Transport:  tlspolicy.TransportSTARTTLS,
			ServerName: "mx.example.test",
			RootCAs:    roots,
		},
		Hello: "client.example.test",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, report, err := c.Upgrade(ctx, clientConn)
	if err != nil {
		fmt.Println("no delivery:", err) // the connection is closed; nothing was sent
		return
	}
	defer conn.Close()
	fmt.Println(report.State, tls.VersionName(report.TLS.Version))

	fmt.Fprint(conn, "EHLO client.example.test\r\n")
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Println(strings.TrimSuffix(line, "\r\n"))
		if line[3] == ' ' {
			break
		}
	}
	// Output:
	// secure TLS 1.3
	// 250-mx.example.test
	// 250 AUTH PLAIN
}

// A server offers STARTTLS while it may, refuses pipelined commands at the
// upgrade, and starts a new session over TLS in which STARTTLS is gone.
func ExampleServer_Upgrade() {
	cert, roots := exampleCertificate()
	clientConn, serverConn := net.Pipe()
	go submit(clientConn, roots)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := starttls.NewServer(serverConn, starttls.SMTP, &tls.Config{Certificates: []tls.Certificate{cert}})
	defer serverConn.Close()
	r := bufio.NewReader(serverConn)
	var w io.Writer = serverConn
	fmt.Fprint(w, "220 mx.example.test ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), " ")
		fmt.Println(srv.State(), verb)
		switch strings.ToUpper(verb) {
		case "EHLO":
			if srv.Advertise() {
				fmt.Fprint(w, "250-mx.example.test\r\n250 STARTTLS\r\n")
			} else {
				fmt.Fprint(w, "250-mx.example.test\r\n250 AUTH PLAIN\r\n")
			}
		case "STARTTLS":
			tc, err := srv.Upgrade(ctx, nil, r) // r now reads from tc
			if err != nil {
				fmt.Println(err)
				return
			}
			w = tc // and the EHLO name, AUTH and transaction are forgotten
		case "QUIT":
			fmt.Fprint(w, "221 2.0.0 bye\r\n")
			return
		}
	}
	// Output:
	// plain EHLO
	// plain STARTTLS
	// secure EHLO
	// secure QUIT
}

// scriptedMX is the server side of ExampleClient_Upgrade, written with
// crypto/tls alone.
func scriptedMX(conn net.Conn, cert tls.Certificate) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	fmt.Fprint(conn, "220 mx.example.test ESMTP\r\n")
	r.ReadString('\n') // EHLO
	fmt.Fprint(conn, "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
	r.ReadString('\n') // STARTTLS
	fmt.Fprint(conn, "220 2.0.0 Ready to start TLS\r\n")
	tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}})
	r.Reset(tc)
	r.ReadString('\n') // EHLO again
	fmt.Fprint(tc, "250-mx.example.test\r\n250 AUTH PLAIN\r\n")
	r.ReadString('\n')
}

// submit is the client side of ExampleServer_Upgrade.
func submit(conn net.Conn, roots *x509.CertPool) {
	c := &starttls.Client{Protocol: starttls.SMTP, Policy: tlspolicy.Policy{
		Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS, ServerName: "mx.example.test", RootCAs: roots,
	}}
	tc, _, err := c.Upgrade(context.Background(), conn)
	if err != nil {
		return
	}
	defer tc.Close()
	r := bufio.NewReader(tc)
	fmt.Fprint(tc, "EHLO localhost\r\n")
	r.ReadString('\n')
	r.ReadString('\n')
	fmt.Fprint(tc, "QUIT\r\n")
	r.ReadString('\n')
}

// exampleCertificate returns a self-signed certificate for mx.example.test
// and a pool that trusts it.
func exampleCertificate() (tls.Certificate, *x509.CertPool) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.example.test"},
		DNSNames:     []string{"mx.example.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	leaf, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}
