package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
)

// deliverInOrder delivers msgs to user one at a time and opens the user's
// maildrop after each, so that the store gives each its UID, and with it
// its POP3 message number, before the next one arrives. The store numbers
// the messages that are new at one open by their Maildir keys, which do not
// sort in delivery order within a second (TestPOP3OrderWithinASecond);
// a UID once given keeps the order.
func deliverInOrder(t testing.TB, s *Server, user string, msgs ...[]byte) {
	t.Helper()
	st, err := store.Open(s.Data)
	require.NoError(t, err)
	for _, m := range msgs {
		deliverOne(t, st, user, m)
	}
}

func deliverOne(t testing.TB, st *store.Store, user string, msg []byte) {
	t.Helper()
	require.NoError(t, st.Deliver([]string{user}, bytes.NewReader(msg)))
	md, err := st.OpenMaildrop(user)
	require.NoError(t, err)
	require.NoError(t, md.Close())
}

// TestPOP3OrderWithinASecond: two messages delivered in the same second,
// the first before its 100000th microsecond and the second after it, have
// Maildir keys ("…M99xxx…", "…M100xxx…") that sort the other way as
// strings, which is how the store orders the fresh keys of one second.
// Delivered with deliverInOrder's rule they are still messages 1 and 2 in
// delivery order, as TestPOP3Session relies on.
func TestPOP3OrderWithinASecond(t *testing.T) {
	s := Start(t, Options{})
	st, err := store.Open(s.Data)
	require.NoError(t, err)
	m1, m2 := testMessage(1), testMessage(2)
	constructed := false
	for try := 0; try < 8 && !constructed; try++ {
		// An empty inbox, its folders made.
		require.NoError(t, os.RemoveAll(s.Maildir("alice")))
		md, err := st.OpenMaildrop("alice")
		require.NoError(t, err)
		require.NoError(t, md.Close())
		// Wait for 97-99 ms into a second.
		now := time.Now()
		next := now.Truncate(time.Second).Add(97 * time.Millisecond)
		if !now.Before(next) {
			next = next.Add(time.Second)
		}
		time.Sleep(time.Until(next))
		if time.Now().Nanosecond()/1000 >= 99000 {
			continue
		}
		sec := time.Now().Unix()
		deliverOne(t, st, "alice", m1)
		for time.Now().Nanosecond()/1000 < 100100 && time.Now().Unix() == sec {
			time.Sleep(50 * time.Microsecond)
		}
		deliverOne(t, st, "alice", m2)
		// The case is built when the keys sort against delivery order.
		k := keysByBody(t, s, "alice")
		k1, k2 := k[string(m1)], k[string(m2)]
		require.NotEmpty(t, k1)
		require.NotEmpty(t, k2)
		s1, _, _ := strings.Cut(k1, ".")
		s2, _, _ := strings.Cut(k2, ".")
		constructed = s1 == s2 && k2 < k1
	}
	require.True(t, constructed, "could not deliver around 100 ms into a second")
	p := dialPOP(t, s, "pop3s")
	p.login("alice", "alice-secret-pw")
	require.True(t, p.cmd("RETR 1").OK)
	assert.Equal(t, string(m1), string(p.body()), "message 1 is the first delivered")
	require.True(t, p.cmd("RETR 2").OK)
	assert.Equal(t, string(m2), string(p.body()))
	require.True(t, p.cmd("QUIT").OK)
}

// keysByBody maps each message in user's inbox to its Maildir key.
func keysByBody(t *testing.T, s *Server, user string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, sub := range []string{"new", "cur"} {
		dir := filepath.Join(s.Maildir(user), sub)
		ents, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			key, _, _ := strings.Cut(e.Name(), ":")
			out[string(b)] = key
		}
	}
	return out
}

// TestPOP3Session drives every command over STLS with the Go client:
// bodies come out byte-identical, DELE+QUIT removes, DELE+RSET and a
// dropped connection do not.
func TestPOP3Session(t *testing.T) {
	s := Start(t, Options{})
	m1, m2, m3 := testMessage(1), testMessage(2), testMessage(3)
	deliverInOrder(t, s, "alice", m1, m2, m3)

	p := dialPOP(t, s, "pop3")
	p.stls()
	p.login("alice@localhost", "alice-secret-pw")
	r := p.cmd("STAT")
	require.True(t, r.OK)
	assert.Equal(t, "3 "+strconv.Itoa(len(m1)+len(m2)+len(m3)), r.Text)
	require.True(t, p.cmd("LIST").OK)
	assert.Equal(t, []string{"1 " + strconv.Itoa(len(m1)), "2 " + strconv.Itoa(len(m2)), "3 " + strconv.Itoa(len(m3))}, p.lines())
	require.True(t, p.cmd("UIDL").OK)
	uidl := p.lines()
	require.Len(t, uidl, 3)
	require.True(t, p.cmd("RETR 2").OK)
	assert.Equal(t, m2, p.body())
	require.True(t, p.cmd("TOP 1 1").OK)
	assert.Equal(t, "From: sender@example.org\r\nTo: alice@localhost\r\nSubject: test 1\r\nMessage-ID: <m1@example.org>\r\n\r\nbody of message 1\r\n", string(p.body()))
	require.True(t, p.cmd("DELE 1").OK)
	assert.False(t, p.cmd("RETR 1").OK, "deleted message")
	assert.False(t, p.cmd("RETR 9").OK)
	require.True(t, p.cmd("RSET").OK)
	require.True(t, p.cmd("RETR 1").OK, "RSET undeletes")
	assert.Equal(t, m1, p.body())
	require.True(t, p.cmd("NOOP").OK)
	require.True(t, p.cmd("DELE 3").OK)
	// Dropped without QUIT: nothing deleted.
	p.conn.Close()
	require.Eventually(t, func() bool { return countMaildir(t, s, "alice") == 3 }, 5*time.Second, 20*time.Millisecond)

	p = dialPOP(t, s, "pop3s")
	p.login("alice", "alice-secret-pw")
	require.True(t, p.cmd("UIDL").OK)
	assert.Equal(t, uidl, p.lines(), "UIDL stable across sessions")
	require.True(t, p.cmd("DELE 3").OK)
	r = p.cmd("QUIT")
	require.True(t, r.OK, "%v", r)
	assert.Equal(t, 2, countMaildir(t, s, "alice"))

	p = dialPOP(t, s, "pop3s")
	p.login("alice", "alice-secret-pw")
	require.True(t, p.cmd("UIDL").OK)
	assert.Equal(t, uidl[:2], p.lines())
	require.True(t, p.cmd("QUIT").OK)
	s.Stop()
}

// TestPOP3InUse: a second session of the same user gets -ERR [IN-USE],
// and the maildrop is free again after the first one ends.
func TestPOP3InUse(t *testing.T) {
	s := Start(t, Options{})
	deliver(t, s, "bob", testMessage(1))
	a := dialPOP(t, s, "pop3s")
	a.login("bob", "bob-secret-pw")
	b := dialPOP(t, s, "pop3s")
	require.True(t, b.cmd("USER bob").OK)
	r := b.cmd("PASS bob-secret-pw")
	require.False(t, r.OK)
	require.Equal(t, "IN-USE", r.Code, "%v", r)
	require.True(t, a.cmd("QUIT").OK)
	b.login("bob", "bob-secret-pw")
	require.True(t, b.cmd("QUIT").OK)
}

// TestPOP3RequiredTLS: before TLS, CAPA lists STLS and neither USER nor
// SASL, and USER, PASS, AUTH and APOP are refused with [AUTH].
func TestPOP3RequiredTLS(t *testing.T) {
	s := Start(t, Options{})
	p := dialPOP(t, s, "pop3")
	require.True(t, p.cmd("CAPA").OK)
	caps := p.lines()
	assert.Contains(t, caps, "STLS")
	assert.NotContains(t, caps, "USER")
	for _, c := range caps {
		assert.False(t, strings.HasPrefix(c, "SASL"), c)
	}
	for _, c := range []string{"USER alice", "PASS alice-secret-pw", "AUTH PLAIN " + plainB64("", "alice", "alice-secret-pw"), "APOP alice 0123456789abcdef0123456789abcdef"} {
		r := p.cmd(c)
		assert.False(t, r.OK, c)
		assert.Equal(t, "AUTH", r.Code, "%s: %v", c, r)
	}
	p.stls()
	require.True(t, p.cmd("CAPA").OK)
	caps = p.lines()
	assert.NotContains(t, caps, "STLS", "no STLS after TLS")
	assert.Contains(t, caps, "USER")
	assert.Contains(t, caps, "SASL PLAIN")
	// AUTH PLAIN with an initial response, and one with a challenge.
	r := p.cmd("AUTH PLAIN " + plainB64("", "alice", "alice-secret-pw"))
	require.True(t, r.OK, "%v", r)
	require.True(t, p.cmd("QUIT").OK)

	p = dialPOP(t, s, "pop3s")
	r = p.cmd("AUTH PLAIN")
	require.True(t, r.Cont, "a challenge: %v", r)
	require.Empty(t, r.Text)
	r = p.cmd(plainB64("alice", "alice", "alice-secret-pw"))
	require.True(t, r.OK, "%v", r)
	require.True(t, p.cmd("QUIT").OK)
}

// TestPOP3Opportunistic: -tls opportunistic allows USER/PASS in plaintext.
func TestPOP3Opportunistic(t *testing.T) {
	s := Start(t, Options{Args: []string{"-tls", "opportunistic"}})
	deliver(t, s, "alice", testMessage(7))
	p := dialPOP(t, s, "pop3")
	require.True(t, p.cmd("CAPA").OK)
	caps := p.lines()
	assert.Contains(t, caps, "STLS")
	assert.Contains(t, caps, "USER")
	p.login("alice", "alice-secret-pw")
	require.True(t, p.cmd("RETR 1").OK)
	assert.Equal(t, testMessage(7), p.body())
	require.True(t, p.cmd("QUIT").OK)
}

// TestPOP3BadLogin: a wrong password is refused with [AUTH] after the
// failed-login delay, and an unknown user the same way.
func TestPOP3BadLogin(t *testing.T) {
	s := Start(t, Options{Args: []string{"-fail-delay", "300ms"}})
	p := dialPOP(t, s, "pop3s")
	for _, u := range []string{"alice", "nobody"} {
		require.True(t, p.cmd("USER "+u).OK)
		start := time.Now()
		r := p.cmd("PASS wrong")
		assert.False(t, r.OK)
		assert.Equal(t, "AUTH", r.Code)
		assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)
	}
	assert.Contains(t, s.Stderr(), "login failed")
}

// TestPOP3Hostile: bytes pipelined behind STLS close the connection with
// nothing executed; an overlong line is refused; a client that leaves
// mid-session commits no deletion.
func TestPOP3Hostile(t *testing.T) {
	s := Start(t, Options{Args: []string{"-tls", "opportunistic"}})
	deliver(t, s, "alice", testMessage(1))

	t.Run("pipelined after STLS", func(t *testing.T) {
		p := dialPOP(t, s, "pop3")
		_, err := p.conn.Write([]byte("STLS\r\nUSER alice\r\nPASS alice-secret-pw\r\nDELE 1\r\nQUIT\r\n"))
		require.NoError(t, err)
		r := p.read()
		assert.False(t, r.OK, "STLS with pipelined bytes must be refused: %v", r)
		assert.True(t, p.closed(), "connection closed")
		assert.Equal(t, 1, countMaildir(t, s, "alice"), "nothing executed")
	})
	t.Run("overlong line", func(t *testing.T) {
		p := dialPOP(t, s, "pop3")
		r := p.cmd("USER " + strings.Repeat("a", 100000))
		assert.False(t, r.OK, "%v", r)
		// The line was consumed whole: the session is in step, no USER pending.
		require.True(t, p.cmd("CAPA").OK)
		assert.Contains(t, p.lines(), "USER")
		r = p.cmd("PASS alice-secret-pw")
		assert.False(t, r.OK, "no USER was taken from the long line: %v", r)
	})
	t.Run("disconnect mid-session", func(t *testing.T) {
		p := dialPOP(t, s, "pop3s")
		p.login("alice", "alice-secret-pw")
		require.True(t, p.cmd("DELE 1").OK)
		p.conn.Write([]byte("RETR 1\r\nQU"))
		p.conn.Close()
		require.Never(t, func() bool { return countMaildir(t, s, "alice") != 1 }, 500*time.Millisecond, 20*time.Millisecond)
		p = dialPOP(t, s, "pop3s") // and the lock was released
		p.login("alice", "alice-secret-pw")
		require.True(t, p.cmd("QUIT").OK)
	})
}

// TestPOP3UIDLAcrossRestarts: the same messages have the same UIDL after
// the server restarts on the same data directory; new ones get new ids.
func TestPOP3UIDLAcrossRestarts(t *testing.T) {
	s := Start(t, Options{})
	deliver(t, s, "alice", testMessage(1), testMessage(2))
	uidl := func(s *Server) []string {
		p := dialPOP(t, s, "pop3s")
		p.login("alice", "alice-secret-pw")
		require.True(t, p.cmd("UIDL").OK)
		l := p.lines()
		require.True(t, p.cmd("QUIT").OK)
		return l
	}
	first := uidl(s)
	s.Stop()
	s2 := Start(t, Options{Data: s.Data})
	deliver(t, s2, "alice", testMessage(3))
	second := uidl(s2)
	require.Len(t, second, 3)
	assert.Equal(t, first, second[:2])
	assert.NotContains(t, first, second[2])
}

// TestConnectionCap: over -max-conns the listener answers -ERR [SYS/TEMP].
func TestConnectionCap(t *testing.T) {
	s := Start(t, Options{Args: []string{"-max-conns", "2"}})
	dialPOP(t, s, "pop3")
	dialPOP(t, s, "pop3s")
	c := s.Dial("pop3")
	buf := make([]byte, 200)
	n, _ := c.Read(buf)
	assert.True(t, strings.HasPrefix(string(buf[:n]), "-ERR [SYS/TEMP]"), "%q", buf[:n])
	for _, name := range []string{"submission", "submissions"} {
		c := s.Dial(name)
		n, _ := c.Read(buf)
		assert.True(t, strings.HasPrefix(string(buf[:n]), "421 "), "%s: %q", name, buf[:n])
	}
}

// TestGracefulShutdown: at SIGTERM a logged-in session is told -ERR
// [SYS/TEMP] and closed, nothing is deleted, and the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	s := Start(t, Options{})
	deliver(t, s, "alice", testMessage(1))
	p := dialPOP(t, s, "pop3s")
	p.login("alice", "alice-secret-pw")
	require.True(t, p.cmd("DELE 1").OK)
	start := time.Now()
	s.Stop()
	assert.Less(t, time.Since(start), 5*time.Second)
	r := p.read()
	assert.Equal(t, "SYS/TEMP", r.Code, "%v", r)
	assert.Equal(t, 1, countMaildir(t, s, "alice"))
}

// TestDemoUser: without users a demo user is created, its password printed
// once; a restart says where it went and the password still works.
func TestDemoUser(t *testing.T) {
	s := Start(t, Options{Demo: true})
	pw := s.Users["demo"]
	require.NotEmpty(t, pw, "password printed: %v", s.Lines)
	s.Stop()
	s2 := Start(t, Options{Demo: true, Data: s.Data})
	assert.Contains(t, s2.Stdout(), "printed at the first start")
	assert.NotContains(t, s2.Stdout(), pw)
	assert.Equal(t, s.Fingerprint, s2.Fingerprint, "certificate reused")
	p := dialPOP(t, s2, "pop3s")
	p.login("demo@localhost", pw)
	require.True(t, p.cmd("QUIT").OK)
}

// TestUsersFile: -hash-password prints a line that -users accepts.
func TestUsersFile(t *testing.T) {
	cmd := exec.Command(Binary(t), "-hash-password", "carol")
	cmd.Stdin = strings.NewReader("carol pw with spaces\n")
	out, err := cmd.Output()
	require.NoError(t, err)
	line := strings.TrimSpace(string(out))
	require.True(t, strings.HasPrefix(line, "carol:pbkdf2-sha256$600000$"), line)
	f := filepath.Join(t.TempDir(), "users")
	require.NoError(t, os.WriteFile(f, []byte("# users\n"+line+"\n"), 0o600))
	s := Start(t, Options{Users: []string{}, Args: []string{"-users", f, "-hostname", "mail.example.test"}})
	p := dialPOP(t, s, "pop3s")
	p.login("carol@MAIL.example.test", "carol pw with spaces")
	require.True(t, p.cmd("QUIT").OK)
}

// TestHelp: -h prints every flag with its default and exits 0.
func TestHelp(t *testing.T) {
	out, err := exec.Command(Binary(t), "-h").CombinedOutput()
	require.NoError(t, err)
	for _, f := range []string{"-data", "-user", "-users", "-hash-password", "-hostname", "-cert", "-key", "-submission", "-submissions", "-pop3", "-pop3s", "-tls", "-max-message", "-max-conns", "-relay", "-relay-tls", "-relay-auth", "127.0.0.1:2587", "127.0.0.1:2995", "26214400", "./mailwire-data"} {
		assert.Contains(t, string(out), f)
	}
}

// TestDefaultPorts: with no listener flags the server answers on its four
// fixed default ports, from a temporary working directory (the default
// -data ./mailwire-data lands there). Skips when a port is taken.
func TestDefaultPorts(t *testing.T) {
	for _, a := range []string{"127.0.0.1:2587", "127.0.0.1:2465", "127.0.0.1:2110", "127.0.0.1:2995", "127.0.0.1:2143", "127.0.0.1:2993"} {
		if !portFree(a) {
			t.Skipf("default port %s is taken", a)
		}
	}
	dir := t.TempDir()
	s := Start(t, Options{RawArgs: true, Dir: dir})
	s.Data = filepath.Join(dir, "mailwire-data")
	s.CAFile = filepath.Join(s.Data, "tls", "cert.pem")
	assert.Equal(t, map[string]string{"submission": "127.0.0.1:2587", "submissions": "127.0.0.1:2465", "pop3": "127.0.0.1:2110", "pop3s": "127.0.0.1:2995",
		"imap": "127.0.0.1:2143", "imaps": "127.0.0.1:2993"}, s.Addr)
	require.NotEmpty(t, s.Users["demo"])
	for _, name := range []string{"pop3", "pop3s"} {
		p := dialPOP(t, s, name)
		require.True(t, p.cmd("QUIT").OK)
	}
	for _, name := range []string{"submission", "submissions"} {
		if _, ok := s.Addr[name]; !ok {
			t.Errorf("%s not listening (submission not wired yet)", name)
			continue
		}
		c := s.Dial(name)
		buf := make([]byte, 100)
		n, err := c.Read(buf)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(buf[:n], []byte("220 ")), "%q", buf[:n])
	}
	s.Stop()
}

func portFree(addr string) bool {
	var lc = &netListenConfig{}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
