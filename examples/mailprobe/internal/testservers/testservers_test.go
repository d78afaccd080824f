package testservers

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialog sends each line and returns the server's next line after it.
func dialog(t *testing.T, s *Server, send ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr)
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	var got []string
	read := func() string {
		var all []string
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return strings.Join(all, "") + "(closed)"
			}
			all = append(all, l)
			if len(l) < 4 || l[3] != '-' {
				return strings.Join(all, "")
			}
		}
	}
	got = append(got, read())
	for _, l := range send {
		_, err := c.Write([]byte(l))
		require.NoError(t, err)
		got = append(got, read())
	}
	return got
}

func start(t *testing.T, p Proto, f Flaw) *Server {
	s, err := Start(p, f, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// The clean SMTP server refuses MAIL before TLS and a pipelined STARTTLS;
// the flawed ones do what their flaw says.
func TestSMTPFlaws(t *testing.T) {
	got := dialog(t, start(t, SMTP, 0), "EHLO x\r\n", "MAIL FROM:<>\r\n", "STARTTLS\r\nNOOP\r\n")
	assert.NotContains(t, got[1], "AUTH")
	assert.Contains(t, got[2], "530 5.7.0")
	assert.Contains(t, got[3], "554 5.5.0")

	got = dialog(t, start(t, SMTP, PlaintextAuth), "EHLO x\r\n", "AUTH PLAIN\r\n")
	assert.Contains(t, got[1], "AUTH PLAIN")
	assert.Contains(t, got[2], "334")

	got = dialog(t, start(t, SMTP, Refuse454), "STARTTLS\r\n")
	assert.Contains(t, got[1], "454 4.7.0")

	got = dialog(t, start(t, SMTP, InjectAfterGoAhead), "STARTTLS\r\n")
	assert.Contains(t, got[1], "220 2.0.0")
}

// The bare-LF server ends DATA at "\n.\n"; the clean one only at CRLF.CRLF.
func TestSMTPData(t *testing.T) {
	for _, tc := range []struct {
		f    Flaw
		want string
	}{{0, "a\n.\nb\r\n"}, {BareLFEndOfData, "a\n"}} {
		s := start(t, SMTP, tc.f)
		c, err := net.Dial("tcp", s.Addr)
		require.NoError(t, err)
		r := bufio.NewReader(c)
		_, _ = r.ReadString('\n')
		// go through TLS: the server asks for it before MAIL
		_, err = c.Write([]byte("STARTTLS\r\n"))
		require.NoError(t, err)
		_, _ = r.ReadString('\n')
		pem, err := os.ReadFile(s.CAFile)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tc2 := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		tr := bufio.NewReader(tc2)
		for _, cmd := range []string{"MAIL FROM:<>\r\n", "RCPT TO:<a@b>\r\n", "DATA\r\n", "a\n.\nb\r\n.\r\n"} {
			_, err = tc2.Write([]byte(cmd))
			require.NoError(t, err)
			_, err = tr.ReadString('\n')
			require.NoError(t, err)
		}
		tc2.Close()
		s.Close()
		require.Len(t, s.Messages, 1)
		assert.Equal(t, tc.want, s.Messages[0])
	}
}

func TestPOP3AndIMAP(t *testing.T) {
	got := dialog(t, start(t, POP3, 0), "USER x\r\n")
	assert.Contains(t, got[1], "-ERR [AUTH]")
	got = dialog(t, start(t, POP3, PlaintextAuth), "USER x\r\n")
	assert.Contains(t, got[1], "+OK")
	got = dialog(t, start(t, IMAP, 0), "a AUTHENTICATE PLAIN\r\n")
	assert.Contains(t, got[0], "LOGINDISABLED")
	assert.Contains(t, got[1], "a NO [PRIVACYREQUIRED]")
	got = dialog(t, start(t, IMAP, Preauth))
	assert.Contains(t, got[0], "* PREAUTH")
}
