// Package testservers runs small SMTP, POP3 and IMAP servers on loopback
// for mailprobe's tests: a clean one (starttls.Server, STARTTLS required,
// strict end of data), and ones broken on purpose, one flaw each, so that a
// test can show that each check finds its problem.
package testservers

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/starttls"
)

// Flaw is one deliberate defect.
type Flaw uint16

// The flaws.
const (
	// BufferAcrossSTARTTLS keeps plaintext read before the handshake and
	// executes it inside TLS (CVE-2011-0411).
	BufferAcrossSTARTTLS Flaw = 1 << iota
	// InjectAfterGoAhead sends a reply behind the go-ahead, in the same
	// write.
	InjectAfterGoAhead
	// BareLFEndOfData ends DATA at a "." line ended by a bare LF, as
	// Postfix with smtpd_forbid_bare_newline=no.
	BareLFEndOfData
	// PlaintextAuth offers and accepts AUTH (and POP3 USER) before TLS.
	PlaintextAuth
	// Refuse454 answers STARTTLS with 454 (POP3 -ERR, IMAP NO).
	Refuse454
	// AcceptTLS10 accepts TLS 1.0 and 1.1.
	AcceptTLS10
	// Preauth greets IMAP clients with PREAUTH.
	Preauth
	// ShortCert serves a certificate that expires in 3 days.
	ShortCert
	// InjectLate sends the injected reply 200 ms after the go-ahead, in a
	// segment of its own, as a man in the middle could.
	InjectLate
	// NoSTARTTLS neither advertises nor knows STARTTLS (SMTP 502, POP3
	// -ERR, IMAP BAD), as a server behind a stripping man in the middle.
	NoSTARTTLS
)

// Proto is the protocol a server speaks.
type Proto string

// The protocols.
const (
	SMTP Proto = "smtp"
	POP3 Proto = "pop3"
	IMAP Proto = "imap"
)

// Server is a running test server.
type Server struct {
	Addr   string
	CAFile string // PEM of the self-signed certificate, to trust
	Proto  Proto
	Flaws  Flaw

	ln       net.Listener
	tls      *tls.Config
	wg       sync.WaitGroup
	mu       sync.Mutex
	Messages []string // DATA bodies accepted
}

// Start listens on 127.0.0.1:0 and serves until Close. dir receives the
// certificate file.
func Start(proto Proto, flaws Flaw, dir string) (*Server, error) {
	life := 90 * 24 * time.Hour
	if flaws&ShortCert != 0 {
		life = 72 * time.Hour
	}
	cert, pemBytes, err := selfSigned(life)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), Proto: proto, Flaws: flaws, ln: ln}
	s.CAFile = filepath.Join(dir, "ca-"+strings.ReplaceAll(s.Addr, ":", "-")+".pem")
	if err := os.WriteFile(s.CAFile, pemBytes, 0o644); err != nil {
		ln.Close()
		return nil, err
	}
	s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{string(proto)}}
	if flaws&AcceptTLS10 != 0 {
		s.tls.MinVersion = tls.VersionTLS10
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Close stops the server and waits for its sessions.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			sess := &sess{srv: s, raw: c, w: c, r: bufio.NewReader(c)}
			switch s.Proto {
			case SMTP:
				sess.smtp()
			case POP3:
				sess.pop3()
			case IMAP:
				sess.imap()
			}
		}()
	}
}

func (s *Server) has(f Flaw) bool { return s.Flaws&f != 0 }

// sess is one connection.
type sess struct {
	srv    *Server
	raw    net.Conn
	w      io.Writer
	r      *bufio.Reader
	secure bool
}

func (c *sess) say(s string) { _, _ = io.WriteString(c.w, s) }

func (c *sess) line() (string, error) {
	l, err := c.r.ReadString('\n')
	return strings.TrimRight(l, "\r\n"), err
}

// upgrade runs STARTTLS after the go-ahead was decided: the flawed ways, or
// starttls.Server for a clean server.
func (c *sess) upgrade(p starttls.Protocol, tag, goAhead, injected string) bool {
	if !c.srv.has(BufferAcrossSTARTTLS) && !c.srv.has(InjectAfterGoAhead) && !c.srv.has(InjectLate) {
		st := starttls.NewServer(c.raw, p, c.srv.tls)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tc, err := st.Upgrade(ctx, []byte(tag), c.r)
		if err != nil {
			return false
		}
		c.w, c.secure = tc, true
		return true
	}
	out := goAhead
	if c.srv.has(InjectAfterGoAhead) {
		out += injected
	}
	c.say(out)
	if c.srv.has(InjectLate) {
		time.Sleep(200 * time.Millisecond)
		c.say(injected)
	}
	tc := tls.Server(c.raw, c.srv.tls)
	if err := tc.Handshake(); err != nil {
		return false
	}
	c.w, c.secure = tc, true
	if c.srv.has(BufferAcrossSTARTTLS) {
		// The flaw: what was read in plaintext is still in front of TLS.
		n := c.r.Buffered()
		old, _ := c.r.Peek(n)
		c.r = bufio.NewReader(io.MultiReader(strings.NewReader(string(old)), tc))
	} else {
		c.r = bufio.NewReader(tc)
	}
	return true
}

func selfSigned(life time.Duration) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(life),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
