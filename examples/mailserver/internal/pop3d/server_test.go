package pop3d

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsconf"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type env struct {
	addr  string
	st    *store.Store
	pool  *x509.CertPool
	ctx   context.Context
	stop  context.CancelFunc
	fails int
}

// serve starts a POP3 server on loopback with user alice:pw.
func serve(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir)
	require.NoError(t, err)
	tc, info, err := tlsconf.Load(dir, "localhost", "", "")
	require.NoError(t, err)
	db := users.New("localhost")
	h, err := users.NewHash("pw", 1000)
	require.NoError(t, err)
	require.NoError(t, db.AddHash("alice", h))
	e := &env{st: st, pool: x509.NewCertPool()}
	pemBytes, err := readFile(info.CertPath)
	require.NoError(t, err)
	e.pool.AppendCertsFromPEM(pemBytes)
	cfg := Config{Hostname: "localhost", TLS: tc, RequireTLS: true, Users: db, Store: StoreOf(st),
		AuthFailed: func(netipAddr) time.Duration { e.fails++; return 0 }}
	if mod != nil {
		mod(&cfg)
	}
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e.addr = ln.Addr().String()
	e.ctx, e.stop = context.WithCancel(context.Background())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go srv.Serve(e.ctx, c)
		}
	}()
	t.Cleanup(func() { e.stop(); ln.Close() })
	return e
}

type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func (e *env) dial(t *testing.T) *client {
	t.Helper()
	c, err := net.Dial("tcp", e.addr)
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, r: bufio.NewReader(c)}
	assert.Equal(t, "+OK localhost POP3 ready", cl.line())
	return cl
}

func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	require.NoError(c.t, err)
	require.True(c.t, strings.HasSuffix(l, "\r\n"), "%q", l)
	return strings.TrimSuffix(l, "\r\n")
}

func (c *client) cmd(s string) string {
	c.t.Helper()
	_, err := c.c.Write([]byte(s + "\r\n"))
	require.NoError(c.t, err)
	return c.line()
}

func (c *client) multi() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.line()
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

func (c *client) starttls(pool *x509.CertPool) {
	c.t.Helper()
	require.True(c.t, strings.HasPrefix(c.cmd("STLS"), "+OK"))
	tc := tls.Client(c.c, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	require.NoError(c.t, tc.Handshake())
	c.c, c.r = tc, bufio.NewReader(tc)
}
