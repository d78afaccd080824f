package submission

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
)

const host = "mail.example"

// fakeStore keeps delivered messages in memory; fail makes Deliver read
// part of the message and then fail, as a full disk would.
type fakeStore struct {
	mu      sync.Mutex
	msgs    []stored
	fail    error
	readErr []error // errors the message reader returned to Deliver
}

type stored struct {
	to   []string
	from string
	data []byte
}

func (f *fakeStore) Deliver(to []string, msg io.Reader) error {
	return f.take("", to, msg)
}

func (f *fakeStore) Enqueue(from string, to []string, msg io.Reader) error {
	return f.take(from, to, msg)
}

func (f *fakeStore) take(from string, to []string, msg io.Reader) error {
	f.mu.Lock()
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		_, _ = io.CopyN(io.Discard, msg, 10)
		return fail
	}
	b, err := io.ReadAll(msg)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.readErr = append(f.readErr, err)
		return err
	}
	f.msgs = append(f.msgs, stored{to: append([]string(nil), to...), from: from, data: b})
	return nil
}

func (f *fakeStore) all() []stored {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stored(nil), f.msgs...)
}

type env struct {
	srv   *Server
	local *fakeStore
	queue *fakeStore
	addr  string
	log   *syncBuf
	fails int
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	dbOnce sync.Once
	db     *users.DB
)

func testUsers(t testing.TB) *users.DB {
	dbOnce.Do(func() {
		db = users.New(host)
		for _, n := range []string{"alice", "bob"} {
			h, err := users.NewHash(n+"pw", 1000)
			require.NoError(t, err)
			require.NoError(t, db.AddHash(n, h))
		}
	})
	return db
}

func testTLS(t testing.TB) *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	e := &env{local: &fakeStore{}, queue: &fakeStore{}, log: &syncBuf{}}
	cfg := Config{
		Hostname: host, TLS: testTLS(t), MaxMessage: 4096,
		Users: testUsers(t), Local: e.local, Queue: e.queue,
		AuthFailed: func(netip.Addr) time.Duration { e.fails++; return time.Millisecond },
		Log:        slog.New(slog.NewTextHandler(e.log, nil)),
		Idle:       5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	e.srv = New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); e.srv.Serve(ctx, c) }()
		}
	}()
	e.addr = ln.Addr().String()
	return e
}

type client struct {
	t  testing.TB
	c  net.Conn
	rr *smtpwire.ReplyReader
}

func (e *env) dial(t *testing.T) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", e.addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	cl := &client{t: t, c: c, rr: smtpwire.NewReplyReader(c, smtpwire.ReplyReaderOptions{})}
	code, _ := cl.read()
	require.Equal(t, 220, code)
	return cl
}

// read returns the next reply's code and its lines joined by "\n".
func (c *client) read() (int, string) {
	c.t.Helper()
	r, err := c.rr.ReadReply()
	if err != nil {
		return 0, err.Error()
	}
	var lines []string
	for l := range r.Lines() {
		lines = append(lines, string(l))
	}
	return r.Code, strings.Join(lines, "\n")
}

func (c *client) send(s string) {
	c.t.Helper()
	_, err := io.WriteString(c.c, s)
	require.NoError(c.t, err)
}

// cmd sends one line and returns the reply.
func (c *client) cmd(line string) (int, string) {
	c.t.Helper()
	c.send(line + "\r\n")
	return c.read()
}

func (c *client) expect(line string, code int) string {
	c.t.Helper()
	got, text := c.cmd(line)
	require.Equal(c.t, code, got, "%s → %d %s", line, got, text)
	return text
}

func (c *client) startTLS() {
	c.t.Helper()
	c.expect("STARTTLS", 220)
	tc := tls.Client(c.c, &tls.Config{InsecureSkipVerify: true, ServerName: host})
	require.NoError(c.t, tc.Handshake())
	c.c = tc
	c.rr = smtpwire.NewReplyReader(tc, smtpwire.ReplyReaderOptions{})
}

func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// login runs EHLO, STARTTLS, EHLO, AUTH PLAIN as alice.
func (c *client) login() {
	c.t.Helper()
	c.expect("EHLO laptop.home.example", 250)
	c.startTLS()
	c.expect("EHLO laptop.home.example", 250)
	c.expect("AUTH PLAIN "+plain("alice", "alicepw"), 235)
}

const msg = "From: Alice <alice@mail.example>\r\nTo: bob@elsewhere.example\r\nSubject: hi\r\nDate: Tue, 14 Oct 2025 09:12:44 +0200\r\nMessage-ID: <1234@laptop.home.example>\r\nX-Originating-IP: [192.0.2.7]\r\nUser-Agent: Mutt/2.2\r\nReceived: from laptop.home.example (laptop [192.0.2.7]) by laptop.home.example with ESMTP; Tue, 14 Oct 2025 09:12:40 +0200\r\n\r\nbody line\r\n..dot line\r\n"

func TestSessionTable(t *testing.T) {
	type step struct {
		send string
		code int
	}
	cases := []struct {
		name     string
		required bool
		steps    []step
	}{
		{"mail before ehlo", false, []step{{"MAIL FROM:<alice@mail.example>", 503}}},
		{"mail before auth", false, []step{{"EHLO c.example", 250}, {"MAIL FROM:<alice@mail.example>", 530}}},
		{"rcpt before mail", false, []step{{"EHLO c.example", 250}, {"RCPT TO:<bob@mail.example>", 503}}},
		{"data before mail", false, []step{{"EHLO c.example", 250}, {"DATA", 503}}},
		{"auth before ehlo", false, []step{{"AUTH PLAIN " + plain("alice", "alicepw"), 503}}},
		{"auth plain in plaintext, opportunistic", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"AUTH PLAIN " + plain("alice", "alicepw"), 503}}},
		{"auth before tls, required", true, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 530}}},
		{"mail before tls, required", true, []step{{"EHLO c.example", 250}, {"MAIL FROM:<alice@mail.example>", 530}}},
		{"bad password", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "wrong"), 535}}},
		{"unknown mechanism", false, []step{{"EHLO c.example", 250}, {"AUTH CRAM-MD5", 504}}},
		{"bad base64", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN !!!", 501}}},
		{"other sender", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<bob@mail.example>", 553}}},
		{"null sender", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<>", 553}}},
		{"sender case-insensitive, nested mail", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<Alice@MAIL.example>", 250}, {"MAIL FROM:<alice@mail.example>", 503}}},
		{"size over max at mail", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example> SIZE=5000", 552}, {"MAIL FROM:<alice@mail.example> SIZE=4000", 250}}},
		{"unknown local user, postmaster", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example>", 250}, {"RCPT TO:<carol@mail.example>", 550}, {"RCPT TO:<Postmaster>", 550}, {"RCPT TO:<bob@mail.example>", 250}, {"RSET", 250}, {"RCPT TO:<bob@mail.example>", 503}}},
		{"unsupported params", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example> BODY=BINARYMIME", 555}, {"MAIL FROM:<alice@mail.example> REQUIRETLS", 555}, {"MAIL FROM:<alice@mail.example> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x", 250}, {"RCPT TO:<bob@mail.example> NOTIFY=FAILURE ORCPT=rfc822;bob@mail.example", 250}}},
		{"smtputf8", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example>", 250}, {"RCPT TO:<jörg@bücher.example>", 501}, {"RSET", 250}, {"MAIL FROM:<alice@mail.example> SMTPUTF8", 250}, {"RCPT TO:<jörg@bücher.example>", 250}}},
		{"data without rcpt", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example>", 250}, {"DATA", 554}, {"BDAT 5 LAST\r\nabc", 554}, {"NOOP", 250}}},
		{"vrfy expn help noop unknown", false, []step{{"VRFY bob", 252}, {"EXPN list", 502}, {"HELP", 214}, {"NOOP", 250}, {"FROB", 500}, {"HELO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 503}, {"QUIT", 221}}},
		{"bad hello", false, []step{{"EHLO", 501}, {"EHLO not_a domain", 501}}},
		{"starttls in transaction", false, []step{{"EHLO c.example", 250}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235}, {"MAIL FROM:<alice@mail.example>", 250}, {"STARTTLS", 503}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.RequireTLS = tc.required })
			c := e.dial(t)
			for _, s := range tc.steps {
				got, text := c.cmd(s.send)
				assert.Equal(t, s.code, got, "%q → %d %s", s.send, got, text)
			}
			assert.Empty(t, e.local.all())
		})
	}
}

func TestRelayDenied(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Queue = nil })
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<x@elsewhere.example>", 550)
	c.expect("RCPT TO:<bob@mail.example>", 250)
}

func ehloCaps(t *testing.T, text string) map[string]bool {
	m := map[string]bool{}
	for i, l := range strings.Split(text, "\n") {
		if i > 0 {
			m[l] = true
		}
	}
	return m
}

func TestCapabilities(t *testing.T) {
	common := []string{"PIPELINING", "SIZE 4096", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING", "DSN"}
	for _, required := range []bool{false, true} {
		e := newEnv(t, func(c *Config) { c.RequireTLS = required })
		c := e.dial(t)
		before := ehloCaps(t, c.expect("EHLO c.example", 250))
		for _, k := range common {
			assert.True(t, before[k], k)
		}
		assert.True(t, before["STARTTLS"])
		assert.Equal(t, !required, before["AUTH PLAIN LOGIN"], "AUTH before TLS, required=%v", required)
		c.startTLS()
		// After TLS the EHLO is forgotten: MAIL needs a new one.
		c.expect("MAIL FROM:<alice@mail.example>", 503)
		after := ehloCaps(t, c.expect("EHLO c.example", 250))
		for _, k := range common {
			assert.True(t, after[k], k)
		}
		assert.False(t, after["STARTTLS"])
		assert.True(t, after["AUTH PLAIN LOGIN"])
		c.expect("STARTTLS", 503)
	}
	// Without a TLS configuration STARTTLS is neither offered nor accepted.
	e := newEnv(t, func(c *Config) { c.TLS = nil })
	c := e.dial(t)
	caps := ehloCaps(t, c.expect("EHLO c.example", 250))
	assert.False(t, caps["STARTTLS"])
	c.expect("STARTTLS", 454)
}

func TestTLSResetsState(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.expect("EHLO c.example", 250)
	c.expect("AUTH PLAIN "+plain("alice", "alicepw"), 235)
	c.startTLS()
	c.expect("EHLO c.example", 250)
	// The plaintext login is gone.
	c.expect("MAIL FROM:<alice@mail.example>", 530)
}

func TestAuthLogin(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.login()
	c2 := e.dial(t)
	c2.expect("EHLO c.example", 250)
	c2.startTLS()
	c2.expect("EHLO c.example", 250)
	assert.Equal(t, "VXNlcm5hbWU6", c2.expect("AUTH LOGIN", 334))
	assert.Equal(t, "UGFzc3dvcmQ6", c2.expect(base64.StdEncoding.EncodeToString([]byte("bob@mail.example")), 334))
	c2.expect(base64.StdEncoding.EncodeToString([]byte("bobpw")), 235)
	c2.expect("MAIL FROM:<bob@mail.example>", 250)
	// Initial response with LOGIN, then a cancel.
	c3 := e.dial(t)
	c3.expect("EHLO c.example", 250)
	c3.expect("AUTH LOGIN "+base64.StdEncoding.EncodeToString([]byte("bob")), 334)
	c3.expect("*", 501)
	// PLAIN with an empty initial response and a challenge.
	c3.expect("AUTH PLAIN", 334)
	c3.expect(plain("bob", "bobpw"), 235)
	// A foreign authorization identity is refused.
	c4 := e.dial(t)
	c4.expect("EHLO c.example", 250)
	c4.expect("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("bob\x00alice\x00alicepw")), 535)
	assert.Equal(t, 1, e.fails)
}

func TestDeliverLocalAndQueued(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("RCPT TO:<BOB@mail.example>", 250)
	c.expect("DATA", 354)
	c.send(msg + ".\r\n")
	code, text := c.read()
	require.Equal(t, 250, code, text)
	got := e.local.all()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"bob"}, got[0].to)

	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("RCPT TO:<carol@elsewhere.example>", 250)
	c.expect("DATA", 354)
	c.send(msg + ".\r\n")
	code, _ = c.read()
	require.Equal(t, 250, code)
	q := e.queue.all()
	require.Len(t, q, 1)
	assert.Equal(t, "alice@mail.example", q[0].from)
	assert.Equal(t, []string{"bob@mail.example", "carol@elsewhere.example"}, q[0].to)
	assert.Len(t, e.local.all(), 1, "a mixed message is stored once, in the queue")
}

// TestPrivacyPipeline: the stored message has the service's Received, no
// client IP, host or EHLO name, and a rewritten Message-ID; the body is
// byte for byte.
func TestPrivacyPipeline(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send(msg + ".\r\n")
	code, _ := c.read()
	require.Equal(t, 250, code)
	got := string(e.local.all()[0].data)
	assert.True(t, strings.HasPrefix(got, "Received: by mail.example with ESMTPSA id "), got)
	for _, leak := range []string{"127.0.0.1", "192.0.2.7", "laptop", "Mutt", "X-Originating-IP"} {
		assert.NotContains(t, got, leak)
	}
	assert.Regexp(t, `\r\nMessage-ID: <[0-9A-V]{32}@mail\.example>\r\n`, got)
	assert.True(t, strings.HasSuffix(got, "\r\n\r\nbody line\r\n.dot line\r\n"), got)
	assert.Contains(t, got, "\r\nFrom: Alice <alice@mail.example>\r\nTo: bob@elsewhere.example\r\nSubject: hi\r\nDate: Tue, 14 Oct 2025 09:12:44 +0200\r\n")
	assert.Contains(t, e.log.String(), "127.0.0.1", "the client IP is in the log")

	// A Message-ID in the service's domain is kept; missing Date and
	// Message-ID are added.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Message-ID: <keep.1@mail.example>\r\nSubject: x\r\n\r\nb\r\n.\r\n")
	code, _ = c.read()
	require.Equal(t, 250, code)
	got = string(e.local.all()[1].data)
	assert.Contains(t, got, "\r\nMessage-ID: <keep.1@mail.example>\r\nSubject: x\r\nDate: ")
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Subject: y\r\n\r\nb\r\n.\r\n")
	code, _ = c.read()
	require.Equal(t, 250, code)
	got = string(e.local.all()[2].data)
	assert.Regexp(t, `\r\nSubject: y\r\nDate: [^\r]+\r\nMessage-ID: <[0-9a-f]{32}@mail\.example>\r\n\r\nb\r\n$`, got)
	// A header the sanitizer refuses (a line without a colon).
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Subject: y\r\nno colon here\r\n\r\nb\r\n.\r\n")
	code, text := c.read()
	assert.Equal(t, 5, code/100, text)
	c.expect("NOOP", 250)
	assert.Len(t, e.local.all(), 3)
}

func TestBDAT(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	half := len(msg) / 2
	c.send("BDAT " + itoa(half) + "\r\n" + msg[:half])
	code, _ := c.read()
	require.Equal(t, 250, code)
	c.expect("DATA", 503) // DATA after BDAT
	c.send("BDAT " + itoa(len(msg)-half) + "\r\n" + msg[half:])
	code, _ = c.read()
	require.Equal(t, 250, code)
	c.expect("BDAT 0 LAST", 250)
	got := e.local.all()
	require.Len(t, got, 1)
	assert.True(t, strings.HasSuffix(string(got[0].data), "\r\n\r\nbody line\r\n..dot line\r\n"), "BDAT is not dot-stuffed")
	assert.NotContains(t, string(got[0].data), "laptop")

	// One chunk with LAST; then pipelined BDATs in one write.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 17 LAST\r\nSubject: a\r\n\r\nb\r\n")
	code, _ = c.read()
	require.Equal(t, 250, code)
	c.send("MAIL FROM:<alice@mail.example>\r\nRCPT TO:<bob@mail.example>\r\nBDAT 14\r\nSubject: a\r\n\r\nBDAT 3 LAST\r\nb\r\n")
	for _, want := range []int{250, 250, 250, 250} {
		code, text := c.read()
		require.Equal(t, want, code, text)
	}
	require.Len(t, e.local.all(), 3)

	// RSET in the middle drops the message.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 10\r\nSubject: z")
	code, _ = c.read()
	require.Equal(t, 250, code)
	c.expect("RSET", 250)
	c.expect("BDAT 5 LAST\r\nabc", 503)

	// Over the size limit: refused and the chunks after it too.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 4000\r\n" + strings.Repeat("a", 4000))
	code, _ = c.read()
	require.Equal(t, 250, code)
	c.send("BDAT 200 LAST\r\n" + strings.Repeat("a", 200))
	code, text := c.read()
	require.Equal(t, 552, code, text)
	assert.Contains(t, text, "5.3.4")

	// A bare LF in a chunk.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 17 LAST\r\nSubject: a\r\n\r\nb\nc")
	code, text = c.read()
	require.Equal(t, 554, code, text)
	// A bare CR at the very end.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 16 LAST\r\nSubject: a\r\n\r\nb\r")
	code, text = c.read()
	require.Equal(t, 554, code, text)
	c.expect("NOOP", 250)
	assert.Len(t, e.local.all(), 3)
	assert.Empty(t, e.queue.all())
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func TestSizeAtEndOfData(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 98)+"\r\n", 50) + ".\r\n")
	code, text := c.read()
	assert.Equal(t, 552, code)
	assert.Contains(t, text, "5.3.4")
	c.expect("NOOP", 250)
	assert.Empty(t, e.local.all())
}

func TestDurabilityFailure(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{{errors.New("fsync failed"), 451}, {fmt.Errorf("write: %w", syscall.ENOSPC), 452}} {
		e := newEnv(t, nil)
		e.local.fail = tc.err
		e.queue.fail = tc.err
		c := e.dial(t)
		c.login()
		for _, to := range []string{"bob@mail.example", "x@elsewhere.example"} {
			c.expect("MAIL FROM:<alice@mail.example>", 250)
			c.expect("RCPT TO:<"+to+">", 250)
			c.expect("DATA", 354)
			c.send(msg + ".\r\n")
			code, _ := c.read()
			assert.Equal(t, tc.code, code)
			c.expect("MAIL FROM:<alice@mail.example>", 250)
			c.expect("RCPT TO:<"+to+">", 250)
			c.send("BDAT 20 LAST\r\nSubject: s\r\n\r\n123456")
			code, _ = c.read()
			assert.Equal(t, tc.code, code)
		}
		c.expect("NOOP", 250)
		assert.Empty(t, e.local.all())
		assert.Empty(t, e.queue.all())
	}
}

// TestSmuggling sends every bare-CR/LF end-of-data shape with a second
// message behind it: the body is refused (or ends at the real <CRLF>.<CRLF>),
// the smuggled commands are never run, and nothing is stored twice or half.
func TestSmuggling(t *testing.T) {
	shapes := []string{"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r", "\r\n.\r\r\n", "\r\n\x00.\r\n"}
	e := newEnv(t, nil)
	for _, sh := range shapes {
		c := e.dial(t)
		c.login()
		before := len(e.local.all())
		c.expect("MAIL FROM:<alice@mail.example>", 250)
		c.expect("RCPT TO:<bob@mail.example>", 250)
		c.expect("DATA", 354)
		c.send("Subject: one\r\n\r\nfirst" + sh + "MAIL FROM:<alice@mail.example>\r\nRCPT TO:<bob@mail.example>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n.\r\n")
		code, text := c.read()
		c.expect("NOOP", 250) // the session is in step: the smuggled commands were body
		got := e.local.all()[before:]
		for _, m := range got {
			assert.Contains(t, string(m.data), "\r\nSubject: one\r\n", "shape %q: smuggled message stored on its own", sh)
		}
		if code == 250 {
			assert.Len(t, got, 1, "shape %q", sh)
		} else {
			assert.Equal(t, 554, code, "shape %q: %s", sh, text)
			assert.Empty(t, got, "shape %q", sh)
		}
	}
}

func TestHostileInput(t *testing.T) {
	e := newEnv(t, nil)
	// Commands pipelined behind STARTTLS: refused, connection closed.
	c := e.dial(t)
	c.expect("EHLO c.example", 250)
	c.send("STARTTLS\r\nAUTH PLAIN " + plain("alice", "alicepw") + "\r\n")
	code, _ := c.read()
	assert.Equal(t, 554, code)
	code, _ = c.read()
	assert.Equal(t, 0, code, "connection closed")

	// An overlong command line and a 5000-octet EHLO: refused, session goes on.
	c = e.dial(t)
	code, _ = c.cmd("NOOP " + strings.Repeat("x", 2000))
	assert.Equal(t, 500, code)
	code, _ = c.cmd("EHLO " + strings.Repeat("a", 5000))
	assert.Equal(t, 500, code)
	c.expect("EHLO c.example", 250)
	// An overlong DATA line.
	c.expect("AUTH PLAIN "+plain("alice", "alicepw"), 235)
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Subject: x\r\n\r\n" + strings.Repeat("y", 1500) + "\r\n.\r\n")
	code, _ = c.read()
	assert.Equal(t, 554, code)
	c.expect("NOOP", 250)

	// A client that stops mid-DATA: nothing is stored.
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send("Subject: half\r\n\r\nsome of the body")
	c.c.Close()
	// A client that stops mid-BDAT.
	c = e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.send("BDAT 100 LAST\r\nSubject: half\r\n\r\nsome")
	c.c.Close()
	require.Eventually(t, func() bool { return strings.Count(e.log.String(), "msg=disconnect") == 3 }, 5*time.Second, 10*time.Millisecond)
	assert.Empty(t, e.local.all())
	assert.Empty(t, e.queue.all())

	// Too many errors end the session.
	c = e.dial(t)
	for range maxErrors - 1 {
		c.expect("FROB", 500)
	}
	code, _ = c.cmd("FROB")
	assert.Equal(t, 500, code)
	code, _ = c.read()
	assert.Equal(t, 421, code)
}

func TestIdleTimeoutAndShutdown(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Idle = 200 * time.Millisecond })
	c := e.dial(t)
	code, _ := c.read()
	assert.Equal(t, 421, code)

	// Shutdown while idle: 421 and close.
	e2 := &env{local: &fakeStore{}}
	srv := New(Config{Hostname: host, Users: testUsers(t), Local: e2.local})
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, a); close(done) }()
	rr := smtpwire.NewReplyReader(b, smtpwire.ReplyReaderOptions{})
	r, err := rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, 220, r.Code)
	cancel()
	r, err = rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, 421, r.Code)
	<-done
}

// BenchmarkSubmission: one message per iteration over a logged-in
// session on loopback (MAIL, RCPT, DATA pipelined; plaintext, opportunistic).
func BenchmarkSubmission(b *testing.B) {
	e := newEnv(b, func(c *Config) { c.MaxMessage = 1 << 20 })
	conn, err := net.Dial("tcp", e.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	c := &client{t: b, c: conn, rr: smtpwire.NewReplyReader(conn, smtpwire.ReplyReaderOptions{})}
	c.read()
	c.cmd("EHLO c.example")
	c.cmd("AUTH PLAIN " + plain("alice", "alicepw"))
	body := msg + strings.Repeat("a line of the body, long enough to be typical of mail text\r\n", 160)
	wire := "MAIL FROM:<alice@mail.example>\r\nRCPT TO:<bob@mail.example>\r\nDATA\r\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_, _ = io.WriteString(conn, wire)
		c.read()
		c.read()
		c.read()
		_, _ = io.WriteString(conn, body+".\r\n")
		if code, text := c.read(); code != 250 {
			b.Fatal(code, text)
		}
		e.local.mu.Lock()
		e.local.msgs = e.local.msgs[:0]
		e.local.mu.Unlock()
	}
}

// dsnQueue records the RFC 3461 parameters it is given.
type dsnQueue struct {
	fakeStore
	ret    smtpwire.Ret
	envid  string
	notify []smtpwire.Notify
	orcpt  []string
}

func (q *dsnQueue) EnqueueDSN(from string, ret smtpwire.Ret, envid string, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error {
	q.mu.Lock()
	q.ret, q.envid, q.notify, q.orcpt = ret, envid, notify, orcpt
	q.mu.Unlock()
	return q.take(from, rcpts, msg)
}

func TestDSNParametersToQueue(t *testing.T) {
	q := &dsnQueue{}
	e := newEnv(t, func(c *Config) { c.Queue = q })
	c := e.dial(t)
	c.login()
	c.expect("MAIL FROM:<alice@mail.example> RET=HDRS ENVID=a+2Bb", 250)
	c.expect("RCPT TO:<x@remote.example> NOTIFY=NEVER", 250)
	c.expect("RCPT TO:<y@remote.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Y+40remote.example", 250)
	c.expect("RCPT TO:<bob@mail.example>", 250)
	c.expect("DATA", 354)
	c.send(msg + ".\r\n")
	code, _ := c.read()
	require.Equal(t, 250, code)
	require.Len(t, q.all(), 1)
	q.mu.Lock()
	defer q.mu.Unlock()
	assert.Equal(t, smtpwire.RetHdrs, q.ret)
	assert.Equal(t, "a+b", q.envid)
	assert.Equal(t, []smtpwire.Notify{smtpwire.NotifyNever, smtpwire.NotifyFailure | smtpwire.NotifyDelay, 0}, q.notify)
	assert.Equal(t, []string{"", "rfc822;Y@remote.example", ""}, q.orcpt)
}

func TestImplicitTLS(t *testing.T) {
	srv := New(Config{Hostname: host, TLS: testTLS(t), RequireTLS: true, Users: testUsers(t), Local: &fakeStore{}})
	a, b := net.Pipe()
	cfg := testTLS(t)
	go func() {
		tc := tls.Server(a, cfg)
		if tc.Handshake() != nil {
			return
		}
		srv.Serve(context.Background(), tc)
	}()
	tc := tls.Client(b, &tls.Config{InsecureSkipVerify: true})
	require.NoError(t, tc.Handshake())
	c := &client{t: t, c: tc, rr: smtpwire.NewReplyReader(tc, smtpwire.ReplyReaderOptions{})}
	code, _ := c.read()
	require.Equal(t, 220, code)
	caps := ehloCaps(t, c.expect("EHLO c.example", 250))
	assert.False(t, caps["STARTTLS"])
	assert.True(t, caps["AUTH PLAIN LOGIN"], "AUTH on implicit TLS under -tls required")
	c.expect("STARTTLS", 503)
	c.expect("AUTH PLAIN "+plain("alice", "alicepw"), 235)
	c.expect("MAIL FROM:<alice@mail.example>", 250)
	c.expect("QUIT", 221)
}

// TestUnknownCommandsAndParameters: a command the library does not know
// (smtpwire.ErrUnknownCommand, LHLO included outside LMTP) and one it
// knows that this service does not offer (XCLIENT) are 500 5.5.1, the
// session going on; an ESMTP parameter the library does not know
// (ErrUnknownParameter) or one this service does not take is 555 5.5.4 and
// the transaction state is as before the refused command. Each refusal
// counts toward the error limit.
func TestUnknownCommandsAndParameters(t *testing.T) {
	const unknown, param = "5.5.1 Command unrecognized", "5.5.4 Parameter not recognized or not implemented"
	e := newEnv(t, nil)
	c := e.dial(t)
	for _, s := range []struct {
		send string
		code int
		text string // "" not checked
	}{
		{"FROB", 500, unknown},
		{"FROB with arguments", 500, unknown},
		{"LHLO c.example", 500, unknown},
		{"XCLIENT ADDR=192.0.2.1", 500, unknown},
		{"TURN", 500, unknown},
		{"EHLO c.example", 250, ""},
		{"AUTH PLAIN " + plain("alice", "alicepw"), 235, ""},
		{"MAIL FROM:<alice@mail.example> FOO=bar", 555, param},
		{"MAIL FROM:<alice@mail.example> X-UNKNOWN", 555, param},
		{"MAIL FROM:<alice@mail.example> MT-PRIORITY=3", 555, `5.5.4 parameter "MT-PRIORITY" not supported`},
		{"MAIL FROM:<alice@mail.example> NOTIFY=NEVER", 555, param},
		{"RCPT TO:<bob@mail.example>", 503, ""}, // no transaction was started
		{"MAIL FROM:<alice@mail.example>", 250, ""},
		{"RCPT TO:<bob@mail.example> FOO=bar", 555, param},
		{"RCPT TO:<bob@mail.example> SIZE=10", 555, param},
		{"FROB", 500, unknown},
		{"RCPT TO:<bob@mail.example>", 250, ""},
		{"DATA", 354, ""},
		{"Subject: s\r\n\r\nbody\r\n.", 250, ""},
		{"QUIT", 221, ""},
	} {
		got, text := c.cmd(s.send)
		assert.Equal(t, s.code, got, "%q → %d %s", s.send, got, text)
		if s.text != "" {
			assert.Equal(t, s.text, text, s.send)
		}
	}
	require.Len(t, e.local.all(), 1)
	assert.Equal(t, []string{"bob"}, e.local.all()[0].to)

	// Unknown commands alone reach the error limit: 421 and closed.
	c = e.dial(t)
	for i := 0; i < maxErrors-1; i++ {
		c.expect("FROB", 500)
	}
	got, text := c.cmd("FROB")
	assert.Equal(t, 500, got, text)
	start := time.Now()
	got, text = c.read()
	assert.Equal(t, 421, got, text)
	assert.Equal(t, "4.7.0 too many errors, closing", text)
	assert.Less(t, time.Since(start), 2*time.Second, "at once, not at the idle timeout")
	got, _ = c.read()
	assert.Equal(t, 0, got, "closed")
}
