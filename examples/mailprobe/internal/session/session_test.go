package session_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/testservers"
)

func tlsConfig(t *testing.T, s *testservers.Server) *tls.Config {
	pem, err := os.ReadFile(s.CAFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem))
	return &tls.Config{RootCAs: pool, ServerName: "localhost"}
}

func TestSessionUpgrade(t *testing.T) {
	for _, tc := range []struct {
		p          session.Proto
		tp         testservers.Proto
		before     string
		after      string
		greetingOK string
	}{
		{session.SMTP, testservers.SMTP, "STARTTLS", "AUTH PLAIN", "220 localhost ESMTP"},
		{session.POP3, testservers.POP3, "STLS", "SASL PLAIN", "+OK mailprobe"},
		{session.IMAP, testservers.IMAP, "STARTTLS", "AUTH=PLAIN", "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED]"},
	} {
		t.Run(tc.p.String(), func(t *testing.T) {
			s, err := testservers.Start(tc.tp, 0, t.TempDir())
			require.NoError(t, err)
			defer s.Close()
			log := &record.Log{}
			c, err := session.Dial(context.Background(), tc.p, s.Addr, 5*time.Second, log)
			require.NoError(t, err)
			defer c.Close()
			g, caps, err := c.GreetingCaps()
			require.NoError(t, err)
			assert.True(t, g.OK)
			assert.Contains(t, g.String(), tc.greetingOK)
			if tc.p == session.IMAP {
				assert.Contains(t, caps, "LOGINDISABLED", "greeting CAPABILITY code")
			}
			caps, rep, err := c.Capabilities()
			require.NoError(t, err)
			assert.True(t, rep.OK)
			assert.Contains(t, caps, tc.before)
			rep, err = c.StartTLS()
			require.NoError(t, err)
			assert.True(t, tc.p.GoAhead(rep))
			_, err = c.Handshake(context.Background(), tlsConfig(t, s))
			require.NoError(t, err)
			assert.True(t, c.Secure())
			caps, _, err = c.Capabilities()
			require.NoError(t, err)
			assert.Contains(t, caps, tc.after)
			assert.NotContains(t, caps, tc.before)
			// the log has the plaintext and the TLS part, not the handshake
			lines := record.Format(log.Entries())
			assert.Contains(t, lines[0], "S: ")
			assert.Contains(t, lines[len(lines)-1], "S~ ")

			// a replay of the plaintext part parses the same way
			var in []byte
			for _, e := range log.Entries() {
				if e.Dir == record.Received && !e.TLS {
					in = append(in, e.Data...)
				}
			}
			r := session.Replay(tc.p, in)
			g2, _, err := r.GreetingCaps()
			require.NoError(t, err)
			assert.Equal(t, g.Lines, g2.Lines)
			caps2, _, err := r.ReadCapabilities("M1")
			require.NoError(t, err)
			assert.Contains(t, caps2, tc.before)
		})
	}
}

// Bytes behind the go-ahead stop the handshake before it starts.
func TestHandshakeRefusesBufferedBytes(t *testing.T) {
	s, err := testservers.Start(testservers.SMTP, testservers.InjectAfterGoAhead, t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	c, err := session.Dial(context.Background(), session.SMTP, s.Addr, 5*time.Second, &record.Log{})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Greeting()
	require.NoError(t, err)
	_, _, err = c.Capabilities()
	require.NoError(t, err)
	_, err = c.StartTLS()
	require.NoError(t, err)
	require.Positive(t, c.Buffered())
	_, err = c.Handshake(context.Background(), tlsConfig(t, s))
	assert.ErrorIs(t, err, session.ErrBuffered)
	assert.False(t, c.Secure())
}

func TestRefusedSTARTTLS(t *testing.T) {
	s, err := testservers.Start(testservers.IMAP, testservers.Refuse454, t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	c, err := session.Dial(context.Background(), session.IMAP, s.Addr, 5*time.Second, &record.Log{})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Greeting()
	require.NoError(t, err)
	rep, err := c.StartTLS()
	assert.ErrorIs(t, err, session.ErrNotGoAhead)
	assert.Equal(t, "NO", rep.Cond)
	// the session goes on in plaintext
	rep, err = c.Command("NOOP")
	require.NoError(t, err)
	assert.True(t, rep.OK)
}

func TestParseProto(t *testing.T) {
	for _, p := range []session.Proto{session.SMTP, session.LMTP, session.POP3, session.IMAP} {
		got, err := session.ParseProto(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	_, err := session.ParseProto("nntp")
	assert.Error(t, err)
	assert.Equal(t, "STLS", session.POP3.StartTLSCommand())
	_, err = (&session.Conn{}).Command("a\r\nb")
	assert.Error(t, err)
}
