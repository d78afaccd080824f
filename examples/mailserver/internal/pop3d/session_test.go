package pop3d

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
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

func TestCAPAByState(t *testing.T) {
	for _, tc := range []struct {
		required bool
		tls      bool
		want     []string
	}{
		{true, false, []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "STLS"}},
		{true, true, []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "USER", "SASL PLAIN"}},
		{false, false, []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "STLS", "USER", "SASL PLAIN"}},
		{false, true, []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "USER", "SASL PLAIN"}},
	} {
		e := serve(t, func(c *Config) { c.RequireTLS = tc.required })
		c := e.dial(t)
		if tc.tls {
			c.starttls(e.pool)
		}
		require.Equal(t, "+OK", c.cmd("CAPA")[:3])
		assert.Equal(t, tc.want, c.multi(), "required=%v tls=%v", tc.required, tc.tls)
	}
}

func TestSTLSResetsState(t *testing.T) {
	e := serve(t, func(c *Config) { c.RequireTLS = false })
	c := e.dial(t)
	assert.True(t, strings.HasPrefix(c.cmd("USER alice"), "+OK"))
	c.starttls(e.pool)
	assert.Equal(t, "-ERR USER first", c.cmd("PASS pw"), "USER from before TLS forgotten")
	assert.True(t, strings.HasPrefix(c.cmd("STLS"), "-ERR"), "second STLS refused")
}

func TestSTLSPipelinedRefused(t *testing.T) {
	e := serve(t, nil)
	c := e.dial(t)
	c.c.Write([]byte("STLS\r\nCAPA\r\n"))
	assert.True(t, strings.HasPrefix(c.line(), "-ERR"))
	_, err := c.r.ReadString('\n')
	assert.ErrorIs(t, err, io.EOF, "closed, CAPA never answered")
}

func TestAuthPlainAndCancel(t *testing.T) {
	e := serve(t, nil)
	c := e.dial(t)
	c.starttls(e.pool)
	assert.Equal(t, "+ ", c.cmd("AUTH PLAIN"))
	assert.True(t, strings.HasPrefix(c.cmd("*"), "-ERR"), "canceled")
	assert.Equal(t, "+ ", c.cmd("AUTH plain"))
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.cmd(base64.StdEncoding.EncodeToString([]byte("\x00alice\x00nope"))))
	assert.Equal(t, 1, e.fails)
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.cmd("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("bob\x00alice\x00pw"))), "authzid must be the user")
	assert.True(t, strings.HasPrefix(c.cmd("AUTH PLAIN !!!"), "-ERR"))
	assert.True(t, strings.HasPrefix(c.cmd("AUTH CRAM-MD5"), "-ERR"))
	assert.Equal(t, "+OK mechanisms follow", c.cmd("AUTH"))
	assert.Equal(t, []string{"PLAIN"}, c.multi())
	assert.Equal(t, "+OK maildrop has 0 messages (0 octets)", c.cmd("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00alice\x00pw"))))
	assert.Equal(t, "-ERR already logged in", c.cmd("USER alice"))
	assert.Equal(t, "-ERR STLS only before login", c.cmd("STLS"))
}

func TestWrongState(t *testing.T) {
	e := serve(t, func(c *Config) { c.RequireTLS = false })
	c := e.dial(t)
	for _, cmd := range []string{"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "UIDL", "TOP 1 1", "RSET"} {
		assert.True(t, strings.HasPrefix(c.cmd(cmd), "-ERR"), cmd)
	}
	assert.True(t, strings.HasPrefix(c.cmd("XYZZY"), "-ERR"))
	assert.True(t, strings.HasPrefix(c.cmd("PASS x"), "-ERR"), "PASS without USER")
	assert.True(t, strings.HasPrefix(c.cmd("RETR 0"), "-ERR"))
	assert.Equal(t, "+OK bye", c.cmd("QUIT"))
}

func TestIdleTimeout(t *testing.T) {
	e := serve(t, func(c *Config) { c.Idle = 200 * time.Millisecond })
	c := e.dial(t)
	t0 := time.Now()
	assert.Equal(t, "-ERR [SYS/TEMP] closing: idle timeout", c.line())
	assert.GreaterOrEqual(t, time.Since(t0), 150*time.Millisecond)
}

func TestShutdownMidSession(t *testing.T) {
	e := serve(t, func(c *Config) { c.RequireTLS = false })
	require.NoError(t, e.st.Deliver([]string{"alice"}, strings.NewReader("Subject: a\r\n\r\nx\r\n")))
	c := e.dial(t)
	c.cmd("USER alice")
	assert.True(t, strings.HasPrefix(c.cmd("PASS pw"), "+OK maildrop has 1"))
	assert.True(t, strings.HasPrefix(c.cmd("DELE 1"), "+OK"))
	e.stop()
	assert.Equal(t, "-ERR [SYS/TEMP] closing: shutting down", c.line())
	m, err := e.st.OpenMaildrop("alice")
	require.NoError(t, err, "lock released")
	assert.Len(t, m.Messages(), 1, "DELE not committed")
	m.Close()
}

func TestCopyTop(t *testing.T) {
	msg := "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{msg, 0, "A: 1\r\nB: 2\r\n\r\n"},
		{msg, 2, "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n"},
		{msg, 10, msg},
		{"A: 1\r\n", 3, "A: 1\r\n"},
		{"A: 1\r\n\r\n" + strings.Repeat("x", 100) + "\r\nnext\r\n", 1, "A: 1\r\n\r\n" + strings.Repeat("x", 100) + "\r\n"},
	} {
		for _, size := range []int{16, 4096} { // lines longer than the buffer too
			var out bytes.Buffer
			require.NoError(t, copyTop(&out, strings.NewReader(tc.in), tc.n, make([]byte, size)))
			assert.Equal(t, tc.want, out.String(), "n=%d size=%d", tc.n, size)
		}
	}
}

// BenchmarkRETR measures one RETR of a 64 KiB message through the session
// to a discarding writer.
func BenchmarkRETR(b *testing.B) {
	dir := b.TempDir()
	st, err := store.Open(dir)
	require.NoError(b, err)
	msg := bytes.Repeat([]byte("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"), 64<<10/78)
	require.NoError(b, st.Deliver([]string{"alice"}, bytes.NewReader(msg)))
	drop, err := st.OpenMaildrop("alice")
	require.NoError(b, err)
	defer drop.Close()
	ss := &session{srv: New(Config{}), w: bufio.NewWriter(io.Discard), drop: drop, msgs: drop.Messages(), deleted: []bool{false}}
	ss.log = ss.srv.cfg.Log
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		ss.send(0, -1)
		ss.w.Flush()
	}
}
