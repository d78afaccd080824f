package listener

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoHandler greets, echoes lines, and at shutdown says "bye" and closes.
// With stubborn set it ignores the shutdown.
type echoHandler struct {
	stubborn bool
	served   atomic.Int32
	sawTLS   atomic.Bool
}

func (h *echoHandler) Serve(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	h.served.Add(1)
	if _, ok := conn.(*tls.Conn); ok {
		h.sawTLS.Store(true)
	}
	if !h.stubborn {
		stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
		defer stop()
	}
	conn.Write([]byte("hello\r\n"))
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if ctx.Err() != nil {
				conn.Write([]byte("bye\r\n"))
			}
			return
		}
		conn.Write([]byte(line))
	}
}

func start(t *testing.T, cfg Config) (*Server, context.CancelFunc, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := New(ln, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, cancel, done
}

func dial(t *testing.T, s *Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	l, err := r.ReadString('\n')
	require.NoError(t, err)
	return l
}

func TestCapAnsweredBusy(t *testing.T) {
	h := &echoHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, Limits: limits.New(limits.Config{MaxConns: 1}), Busy: []byte("421 busy\r\n")})
	_, r1 := dial(t, s)
	assert.Equal(t, "hello\r\n", readLine(t, r1))
	_, r2 := dial(t, s)
	assert.Equal(t, "421 busy\r\n", readLine(t, r2))
	_, err := r2.ReadString('\n')
	assert.Error(t, err, "closed after the busy reply")
}

func TestGracefulShutdown(t *testing.T) {
	h := &echoHandler{}
	s, cancel, done := start(t, Config{Name: "t", Handler: h, Grace: 5 * time.Second})
	c, r := dial(t, s)
	assert.Equal(t, "hello\r\n", readLine(t, r))
	c.Write([]byte("ping\r\n"))
	assert.Equal(t, "ping\r\n", readLine(t, r))
	t0 := time.Now()
	cancel()
	assert.Equal(t, "bye\r\n", readLine(t, r), "the session saw the shutdown")
	require.NoError(t, <-done)
	done <- nil // for the cleanup
	assert.Less(t, time.Since(t0), 2*time.Second)
	_, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
	assert.Error(t, err, "no longer accepting")
}

func TestGraceExpires(t *testing.T) {
	h := &echoHandler{stubborn: true}
	s, cancel, done := start(t, Config{Name: "t", Handler: h, Grace: 200 * time.Millisecond})
	_, r := dial(t, s)
	assert.Equal(t, "hello\r\n", readLine(t, r))
	t0 := time.Now()
	cancel()
	require.NoError(t, <-done)
	done <- nil
	assert.GreaterOrEqual(t, time.Since(t0), 200*time.Millisecond)
	_, err := r.ReadString('\n')
	assert.Error(t, err, "closed by the listener after the grace period")
}

func TestImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	h := &echoHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, Implicit: &tls.Config{Certificates: []tls.Certificate{cert}}, HandshakeTimeout: time.Second})
	c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, "hello\r\n", readLine(t, bufio.NewReader(c)))
	assert.True(t, h.sawTLS.Load(), "handler got a *tls.Conn")

	// A client that never handshakes is dropped after HandshakeTimeout and
	// never reaches the handler.
	before := h.served.Load()
	raw, _ := dial(t, s)
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	_, err = raw.Read(b[:])
	assert.Error(t, err)
	assert.Equal(t, before, h.served.Load())
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	certPEM, keyPEM, err := generate()
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	block, _ := pem.Decode(certPEM)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	pool.AddCert(leaf)
	return cert, pool
}
