package main

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/pop3"
	"github.com/stretchr/testify/require"
)

// popc is a small POP3 test client over the library's ResponseReader.
type popc struct {
	t    testing.TB
	conn net.Conn
	r    *pop3.ResponseReader
	s    *Server
}

// reply is a response copied out of the reader's buffer.
type reply struct {
	OK   bool
	Cont bool // a "+ " SASL challenge
	Code string
	Text string
}

func (r reply) String() string {
	st := "-ERR"
	if r.OK {
		st = "+OK"
	}
	if r.Code != "" {
		return st + " [" + r.Code + "] " + r.Text
	}
	return st + " " + r.Text
}

// dialPOP connects to the pop3 (plain) or pop3s listener and reads the
// greeting.
func dialPOP(t testing.TB, s *Server, name string) *popc {
	t.Helper()
	c := s.Dial(name)
	p := &popc{t: t, conn: c, r: pop3.NewResponseReader(c, pop3.ResponseReaderOptions{}), s: s}
	g := p.read()
	require.True(t, g.OK, "greeting %v", g)
	return p
}

func (p *popc) read() reply {
	p.t.Helper()
	resp, err := p.r.ReadResponse()
	require.NoError(p.t, err)
	return reply{OK: resp.OK(), Cont: resp.Status == pop3.StatusContinue, Code: string(resp.Code), Text: string(resp.Text)}
}

// cmd sends one line and reads the status line.
func (p *popc) cmd(line string) reply {
	p.t.Helper()
	_, err := p.conn.Write([]byte(line + "\r\n"))
	require.NoError(p.t, err)
	return p.read()
}

// lines reads the rest of a listing.
func (p *popc) lines() []string {
	p.t.Helper()
	var out []string
	for {
		l, err := p.r.ReadLine()
		if err == io.EOF {
			return out
		}
		require.NoError(p.t, err)
		out = append(out, string(l))
	}
}

// body reads a RETR/TOP body.
func (p *popc) body() []byte {
	p.t.Helper()
	b, err := io.ReadAll(p.r.Body())
	require.NoError(p.t, err)
	return b
}

// stls upgrades the connection.
func (p *popc) stls() {
	p.t.Helper()
	r := p.cmd("STLS")
	require.True(p.t, r.OK, "STLS: %v", r)
	require.Zero(p.t, p.r.Buffered())
	tc := tls.Client(p.conn, p.s.TLSConfig())
	require.NoError(p.t, tc.Handshake())
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	p.conn = tc
	p.r.Reset(tc)
}

// login runs USER/PASS and requires +OK.
func (p *popc) login(user, pass string) reply {
	p.t.Helper()
	r := p.cmd("USER " + user)
	require.True(p.t, r.OK, "USER: %v", r)
	r = p.cmd("PASS " + pass)
	require.True(p.t, r.OK, "PASS: %v", r)
	return r
}

// closed reports whether the server closed the connection (read gives EOF
// or an error within 5 s).
func (p *popc) closed() bool {
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	_, err := p.conn.Read(b[:])
	if err == nil {
		return false
	}
	var ne net.Error
	return !(asNetErr(err, &ne) && ne.Timeout())
}

func asNetErr(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

// deliver puts messages into user's inbox through the store, as another
// process sharing the data directory would.
func deliver(t testing.TB, s *Server, user string, msgs ...[]byte) {
	t.Helper()
	st, err := store.Open(s.Data)
	require.NoError(t, err)
	for _, m := range msgs {
		require.NoError(t, st.Deliver([]string{user}, bytes.NewReader(m)))
	}
}

// testMessage is message i, CRLF line ends, with a line that needs
// dot-stuffing and one that is a lone dot after unstuffing.
func testMessage(i int) []byte {
	return []byte(fmt.Sprintf("From: sender@example.org\r\nTo: alice@localhost\r\nSubject: test %d\r\nMessage-ID: <m%d@example.org>\r\n\r\nbody of message %d\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n", i, i, i))
}

// countMaildir counts files in new/ and cur/ of user's inbox.
func countMaildir(t testing.TB, s *Server, user string) int {
	t.Helper()
	n := 0
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(s.Maildir(user) + "/" + sub)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		n += len(ents)
	}
	return n
}

// peer finds a client binary; without it the test skips, or fails when
// MAILWIRE_INTEROP=1.
func peer(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s not installed (MAILWIRE_INTEROP=1)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

type netListenConfig = net.ListenConfig

// plainB64 is a base64 SASL PLAIN message.
func plainB64(authz, authc, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(authz + "\x00" + authc + "\x00" + pass))
}
