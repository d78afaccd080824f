package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads what the server sends until it closes or goes quiet for
// quiet; it returns the bytes and whether the connection was closed.
func readAllQuiet(c net.Conn, quiet time.Duration, max int) ([]byte, bool) {
	var out bytes.Buffer
	buf := make([]byte, 32<<10)
	for out.Len() < max {
		c.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			var ne net.Error
			if errorsAs(err, &ne) && ne.Timeout() {
				return out.Bytes(), false
			}
			return out.Bytes(), true
		}
	}
	return out.Bytes(), false
}

func errorsAs(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

// TestIMAPHostile: hostile input gets the right tagged reply or a closed
// connection, and no smuggled command is ever executed.
func TestIMAPHostile(t *testing.T) {
	s := Start(t, Options{})
	deliver(t, s, "alice", testMessage(1))

	t.Run("pipelined after STARTTLS", func(t *testing.T) {
		c := s.Dial("imap")
		r := bufio.NewReader(c)
		_, err := r.ReadString('\n')
		require.NoError(t, err)
		_, err = c.Write([]byte("a STARTTLS\r\nb LOGIN alice alice-secret-pw\r\nc CAPABILITY\r\n"))
		require.NoError(t, err)
		rest, closed := readAllQuiet(c, 3*time.Second, 1<<20)
		got := string(rest)
		assert.True(t, closed, "connection closed")
		assert.Contains(t, got, "* BYE")
		assert.NotContains(t, got, "b OK")
		assert.NotContains(t, got, "c OK")
		assert.NotContains(t, got, "a OK", "no go-ahead when bytes follow STARTTLS")
	})

	t.Run("refused non-synchronizing literal", func(t *testing.T) {
		c := s.Dial("imaps")
		r := bufio.NewReader(c)
		_, err := r.ReadString('\n')
		require.NoError(t, err)
		// 5000 octets are more than a LOGIN argument may be (4 KiB
		// inline): refused, drained exactly, never read as commands.
		lit := []byte("xxxx\r\nb LOGIN alice alice-secret-pw\r\nc SELECT INBOX\r\n")
		lit = append(lit, bytes.Repeat([]byte("d NOOP\r\n"), (5000-len(lit))/8)...)
		lit = append(lit, bytes.Repeat([]byte("z"), 5000-len(lit))...)
		var msg bytes.Buffer
		fmt.Fprintf(&msg, "a LOGIN {%d+}\r\n", len(lit))
		msg.Write(lit)
		msg.WriteString(" pw\r\ne NOOP\r\nf LOGOUT\r\n")
		_, err = c.Write(msg.Bytes())
		require.NoError(t, err)
		rest, _ := readAllQuiet(c, 3*time.Second, 1<<20)
		got := string(rest)
		assert.Regexp(t, `(?m)^a (NO|BAD) `, got)
		for _, tag := range []string{"b", "c", "d", "z"} {
			assert.NotRegexp(t, "(?m)^"+tag+" ", got, "smuggled command %s answered", tag)
		}
		assert.Contains(t, got, "e OK")
		assert.Contains(t, got, "f OK")
		assert.NotContains(t, got, "* 1 EXISTS")
	})

	t.Run("refused synchronizing literal", func(t *testing.T) {
		c := s.Dial("imaps")
		r := bufio.NewReader(c)
		_, err := r.ReadString('\n')
		require.NoError(t, err)
		// No "+" for a literal the server will not hold: the client must
		// not send it; if it does, the bytes are commands of their own.
		_, err = c.Write([]byte("a LOGIN alice {99999999}\r\n"))
		require.NoError(t, err)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		l, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Regexp(t, `^a (NO|BAD) `, l)
		assert.NotContains(t, l, "+")
		_, err = c.Write([]byte("b NOOP\r\n"))
		require.NoError(t, err)
		l, err = r.ReadString('\n')
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(l, "b OK"), l)
	})

	t.Run("deep nesting", func(t *testing.T) {
		c := imapDial(t, s, "imaps")
		c.login("alice", "alice-secret-pw")
		c.ok("SELECT INBOX")
		// Nested past the 32 levels allowed, in lines of up to 8 KiB.
		_, st := c.cmd("SEARCH " + strings.Repeat("(", 3000) + "ALL" + strings.Repeat(")", 3000))
		assert.True(t, strings.HasPrefix(st, "BAD") || strings.HasPrefix(st, "NO"), st)
		_, st = c.cmd("SEARCH " + strings.Repeat("NOT ", 1500) + "ALL")
		assert.True(t, strings.HasPrefix(st, "BAD") || strings.HasPrefix(st, "NO"), st)
		_, st = c.cmd("FETCH 1 (BODY.PEEK[HEADER.FIELDS (" + strings.Repeat("(", 2000) + "A" + strings.Repeat(")", 2000) + ")])")
		assert.True(t, strings.HasPrefix(st, "BAD"), st)
		// A long legitimate line after others (the buffer grows mid-line).
		out, st := c.cmd("SEARCH SUBJECT " + strings.Repeat("x", 6000))
		assert.True(t, strings.HasPrefix(st, "OK"), st)
		assert.Equal(t, "* SEARCH\r\n", out)
		_, st = c.cmd("UID FETCH " + strings.TrimSuffix(strings.Repeat("1,", 3000), ",") + " (FLAGS)")
		assert.True(t, strings.HasPrefix(st, "OK"), st)
		c.ok("NOOP")
		// Past the line limit the session cannot find the next command:
		// BYE and close.
		_, err := fmt.Fprintf(c.conn, "x SEARCH %sALL%s\r\ny NOOP\r\n", strings.Repeat("(", 5000), strings.Repeat(")", 5000))
		require.NoError(t, err)
		rest, closed := readAllQuiet(c.conn, 3*time.Second, 1<<20)
		assert.Contains(t, string(rest), "* BYE")
		assert.NotContains(t, string(rest), "y OK")
		assert.True(t, closed)
	})

	t.Run("10 MB line", func(t *testing.T) {
		c := s.Dial("imaps")
		r := bufio.NewReader(c)
		_, err := r.ReadString('\n')
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			c.SetWriteDeadline(time.Now().Add(20 * time.Second))
			_, err := c.Write(append(append([]byte("a NOOP "), bytes.Repeat([]byte("x"), 10<<20)...), "\r\nb NOOP\r\n"...))
			done <- err
		}()
		rest, closed := readAllQuiet(c, 5*time.Second, 1<<20)
		got := string(rest)
		assert.Contains(t, got, "* BYE")
		assert.NotContains(t, got, "b OK")
		assert.True(t, closed, "connection closed after the overlong line")
		c.Close()
		<-done // the write fails once the server has closed
	})

	t.Run("10000 pipelined commands", func(t *testing.T) {
		c := imapDial(t, s, "imaps")
		c.login("alice", "alice-secret-pw")
		c.ok("SELECT INBOX")
		const n = 10000
		var b bytes.Buffer
		for i := 0; i < n; i++ {
			switch i % 3 {
			case 0:
				fmt.Fprintf(&b, "p%d NOOP\r\n", i)
			case 1:
				fmt.Fprintf(&b, "p%d FETCH 1 (FLAGS UID)\r\n", i)
			default:
				fmt.Fprintf(&b, "p%d SEARCH ALL\r\n", i)
			}
		}
		errc := make(chan error, 1)
		go func() {
			c.conn.SetWriteDeadline(time.Now().Add(60 * time.Second))
			_, err := c.conn.Write(b.Bytes())
			errc <- err
		}()
		c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		next := 0
		for next < n {
			l, err := c.r.ReadString('\n')
			require.NoError(t, err, "after p%d", next-1)
			if strings.HasPrefix(l, "*") {
				continue
			}
			require.Equal(t, fmt.Sprintf("p%d OK", next), l[:len(fmt.Sprintf("p%d OK", next))], l)
			next++
		}
		require.NoError(t, <-errc)
		c.ok("LOGOUT")
	})
}

var _ = io.EOF
var _ = tls.VersionTLS12
