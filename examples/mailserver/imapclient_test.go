package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// imapc is a minimal IMAP client for tests: it sends a command with a
// fresh tag and collects the lines up to its tagged reply. Literals are
// read as raw octets into the transcript.
type imapc struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func imapDial(t testing.TB, s *Server, name string) *imapc {
	c := &imapc{t: t, conn: s.Dial(name)}
	c.r = bufio.NewReaderSize(c.conn, 64<<10)
	greet, err := c.r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(greet, "* OK"), greet)
	return c
}

// cmd sends "tag line" and returns the transcript and the tagged status.
func (c *imapc) cmd(line string) (string, string) {
	c.t.Helper()
	c.n++
	tag := fmt.Sprintf("t%d", c.n)
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	_, err := fmt.Fprintf(c.conn, "%s %s\r\n", tag, line)
	require.NoError(c.t, err)
	return c.readUntil(tag)
}

// readUntil reads lines (and literals) up to the tagged reply.
func (c *imapc) readUntil(tag string) (string, string) {
	var b strings.Builder
	for {
		l, err := c.r.ReadString('\n')
		require.NoError(c.t, err, "after %q", b.String())
		if strings.HasPrefix(l, tag+" ") {
			return b.String(), strings.TrimSpace(strings.TrimPrefix(l, tag+" "))
		}
		b.WriteString(l)
		if n, ok := literalSize(l); ok {
			buf := make([]byte, n)
			_, err := ioReadFull(c.r, buf)
			require.NoError(c.t, err)
			b.Write(buf)
		}
	}
}

// ok runs a command that must succeed.
func (c *imapc) ok(line string) string {
	c.t.Helper()
	out, st := c.cmd(line)
	require.True(c.t, strings.HasPrefix(st, "OK"), "%s: %s\n%s", line, st, out)
	return out
}

func (c *imapc) login(user, pass string) { c.ok("LOGIN " + user + " " + pass) }

// literalSize reads "{n}" at the end of a line.
func literalSize(l string) (int, bool) {
	l = strings.TrimRight(l, "\r\n")
	if !strings.HasSuffix(l, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	var n int
	if _, err := fmt.Sscanf(strings.TrimSuffix(l[i+1:], "+"), "%d}", &n); err != nil {
		return 0, false
	}
	return n, true
}

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// uidOf returns the UID of the one message whose subject contains subj.
func (c *imapc) uidOf(subj string) string {
	c.t.Helper()
	out := c.ok(`UID SEARCH SUBJECT "` + subj + `"`)
	f := strings.Fields(out)
	require.Len(c.t, f, 3, out)
	return f[2]
}
