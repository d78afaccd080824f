package pop3d

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/logtest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/pipetest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// A client that pipelines and then stops sending, its last line unended,
// gets every reply, whole: at the end of its input the session sends what
// it kept back while more octets were buffered.
func TestRepliesSentAtEndOfInput(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	srv := New(Config{Hostname: "localhost", Users: users.New("localhost"), Store: StoreOf(st)})
	client, server := pipetest.HalfPipe()
	go srv.Serve(context.Background(), server)
	go func() {
		client.Write([]byte(strings.Repeat("NOOP\r\n", 200) + "NOOP"))
		client.CloseWrite()
	}()
	out, err := io.ReadAll(client)
	require.NoError(t, err)
	assert.Equal(t, 200, strings.Count(string(out), "\r\n-ERR "), "one reply per NOOP (before login)")
	assert.True(t, strings.HasSuffix(string(out), "\r\n"), "%q", out)
}

// FuzzSession feeds any byte stream to a logged-in-capable session in
// plaintext (-tls opportunistic): whatever it sends, every reply line ends
// in CRLF, and without a QUIT in the input no message is deleted.
func FuzzSession(f *testing.F) {
	f.Add([]byte("USER alice\r\nPASS pw\r\nDELE 1\r\nRSET\r\nDELE 2\r\n"))
	f.Add([]byte("USER alice\r\nPASS pw\r\nTOP 1 0\r\nRETR 2\r\nUIDL\r\nLIST\r\nQUIT\r\n"))
	f.Add([]byte("AUTH PLAIN\r\nAGFsaWNlAHB3\r\nDELE 1\r\n"))
	f.Add([]byte("CAPA\r\nSTLS\r\n\x16\x03\x01"))
	f.Add([]byte("USER alice\r\nPASS pw\r\nDELE 1\r\nqUiT\r\n"))
	dir := f.TempDir()
	st, err := store.Open(dir)
	require.NoError(f, err)
	db := users.New("localhost")
	h, err := users.NewHash("pw", 1000)
	require.NoError(f, err)
	require.NoError(f, db.AddHash("alice", h))
	srv := New(Config{Users: db, Store: StoreOf(st), Idle: 2 * time.Second})
	f.Fuzz(func(t *testing.T, in []byte) {
		for range 2 - count(t, st) {
			require.NoError(t, st.Deliver([]string{"alice"}, strings.NewReader("Subject: s\r\n\r\n.body\r\n")))
		}
		// The client stops sending and reads to the end: the replies to
		// what it sent are all its own, whole.
		client, server := pipetest.HalfPipe()
		done := make(chan struct{})
		go func() { srv.Serve(context.Background(), server); close(done) }()
		var out bytes.Buffer
		read := make(chan struct{})
		go func() { io.Copy(&out, client); close(read) }()
		client.Write(in)
		client.CloseWrite()
		<-done
		<-read
		if len(out.Bytes()) > 0 {
			assert.True(t, bytes.HasSuffix(out.Bytes(), []byte("\r\n")), "%q", out.Bytes())
			assert.NotContains(t, strings.ReplaceAll(out.String(), "\r\n", ""), "\n", "no bare LF")
		}
		if !bytes.Contains(bytes.ToUpper(in), []byte("QUIT")) {
			assert.Equal(t, 2, count(t, st), "deleted without QUIT: %q", in)
		}
	})
}

func count(t *testing.T, st *store.Store) int {
	m, err := st.OpenMaildrop("alice")
	require.NoError(t, err)
	defer m.Close()
	return len(m.Messages())
}

// TestShutdownAfterSTLS: the shutdown reaches a session reading over TLS.
func TestShutdownAfterSTLS(t *testing.T) {
	e := serve(t, nil)
	c := e.dial(t)
	c.starttls(e.pool)
	c.cmd("USER alice")
	assert.True(t, strings.HasPrefix(c.cmd("PASS pw"), "+OK"))
	e.stop()
	assert.Equal(t, "-ERR [SYS/TEMP] closing: shutting down", c.line())
}

// TestLogValuesSurviveTheNextRead: what the log says of a command (the
// user name of a failed login, the refused command) stays right after
// later commands went through the reader's buffer, and no record holds a
// view into it.
func TestLogValuesSurviveTheNextRead(t *testing.T) {
	rec := logtest.New()
	e := serve(t, func(c *Config) { c.Log = slog.New(rec) })
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	c := e.dial(t)
	assert.Equal(t, "-ERR [AUTH] TLS required: use STLS first", c.cmd("USER alice"))
	c.starttls(e.pool)
	assert.Equal(t, "+ ", c.cmd("AUTH PLAIN"))
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.cmd(b64("\x00alice\x00a wrong password long enough")))
	assert.Equal(t, "+OK send PASS", c.cmd("USER carol"))
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.cmd("PASS another wrong password, longer than the user"))
	assert.True(t, strings.HasPrefix(c.cmd("XYZZY and some arguments"), "-ERR"))
	assert.True(t, strings.HasPrefix(c.cmd("AUTH PLAIN "+b64("\x00alice\x00pw")), "+OK"))
	assert.True(t, strings.HasPrefix(c.cmd("STAT"), "+OK"))
	assert.True(t, strings.HasPrefix(c.cmd("QUIT"), "+OK"))
	require.Eventually(t, func() bool { return len(rec.Records("session end")) == 1 }, 5*time.Second, 10*time.Millisecond)

	refused := rec.Records("auth refused before TLS")
	require.Len(t, refused, 1)
	assert.Equal(t, "USER", refused[0]["cmd"].String())
	failed := rec.Records("login failed")
	require.Len(t, failed, 2)
	assert.Equal(t, "alice", failed[0]["name"].String())
	assert.Equal(t, "carol", failed[1]["name"].String())
	login := rec.Records("login")
	require.Len(t, login, 1)
	assert.Equal(t, "alice", login[0]["user"].String())
	end := rec.Records("session end")
	assert.Equal(t, "alice", end[0]["user"].String())
	assert.Equal(t, "quit", end[0]["reason"].String())
	logtest.AssertNoViews(t, rec.Records(""))
}

// TestUnknownCommands: a command pop3 does not know (ErrUnknownCommand)
// gets ReplyOf's -ERR in both states and the session goes on; verbs the
// library knows that this service does not offer (UTF8, LANG: not in CAPA)
// are answered the same way.
func TestUnknownCommands(t *testing.T) {
	e := serve(t, func(c *Config) { c.RequireTLS = false })
	require.NoError(t, e.st.Deliver([]string{"alice"}, strings.NewReader("Subject: a\r\n\r\nx\r\n")))
	c := e.dial(t)
	for _, s := range [][2]string{
		{"XYZZY", "-ERR Unknown command: XYZZY"},
		{"LAST", "-ERR Unknown command: LAST"},
		{"xclient ADDR=192.0.2.1", "-ERR Unknown command: xclient"},
		{"UTF8", "-ERR Unknown command"},
		{"LANG", "-ERR Unknown command"},
		{"STAT", "-ERR command not valid before login"},
		{"USER alice", "+OK send PASS"},
		{"XYZZY", "-ERR Unknown command: XYZZY"},
		{"PASS pw", "+OK maildrop has 1 messages (17 octets)"}, // USER kept across the unknown command
		{"XYZZY 1", "-ERR Unknown command: XYZZY"},
		{"UTF8", "-ERR Unknown command"},
		{"LANG en", "-ERR Unknown command"},
		{"DELE 1", "+OK message 1 deleted"},
		{"LAST", "-ERR Unknown command: LAST"},
		{"STAT", "+OK 0 0"},
		{"RSET", "+OK maildrop has 1 messages (17 octets)"},
		{"QUIT", "+OK bye, 0 messages deleted"},
	} {
		assert.Equal(t, s[1], c.cmd(s[0]), s[0])
	}
	assert.Equal(t, 1, count(t, e.st))
}
