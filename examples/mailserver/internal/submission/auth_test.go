package submission

import (
	"encoding/base64"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/logtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuthLibraryRules: the SASL data goes through smtpwire's DecodeSASL
// and ParsePlain, and their typed errors give the reply (StatusOf): a
// malformed PLAIN message (RFC 4616 §2: exactly two NULs, non-empty
// authcid and password, UTF-8 fields of at most 255 octets) is 501 5.5.2
// and no failed login (no delay counted); a cancel is 501 5.0.0, at the
// challenge or as the initial response.
func TestAuthLibraryRules(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	type step struct {
		send string
		code int
		text string // the reply's first line, enhanced code included; "" not checked
	}
	cases := []struct {
		name  string
		steps []step
		fails int
	}{
		{"plain authcid not utf-8", []step{{"AUTH PLAIN " + b64("\x00al\xffice\x00alicepw"), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"plain three nuls", []step{{"AUTH PLAIN " + b64("\x00alice\x00alice\x00pw"), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"plain one nul", []step{{"AUTH PLAIN " + b64("alice\x00alicepw"), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"plain empty password", []step{{"AUTH PLAIN " + b64("\x00alice\x00"), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"plain password over 255", []step{{"AUTH PLAIN " + b64("\x00alice\x00"+string(make256('p'))), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"plain bad base64", []step{{"AUTH PLAIN !!!!", 501, "5.5.2 Cannot decode response"}}, 0},
		{"plain non-canonical base64", []step{{"AUTH PLAIN AGFsaWNlAGFsaWNlcHx=", 501, "5.5.2 Cannot decode response"}}, 0},
		{"plain canceled at challenge", []step{{"AUTH PLAIN", 334, ""}, {"*", 501, "5.0.0 Authentication canceled"}}, 0},
		{"plain malformed at challenge", []step{{"AUTH PLAIN", 334, ""}, {b64("alice"), 501, "5.5.2 Malformed PLAIN response"}}, 0},
		{"login bad base64 user", []step{{"AUTH LOGIN", 334, ""}, {"YWxp!2U=", 501, "5.5.2 Cannot decode response"}}, 0},
		{"login canceled at password", []step{{"AUTH LOGIN " + b64("alice"), 334, ""}, {"*", 501, "5.0.0 Authentication canceled"}}, 0},
		{"login wrong password", []step{{"AUTH LOGIN " + b64("alice"), 334, ""}, {b64("nope"), 535, ""}}, 1},
		{"plain still works after refusals", []step{{"AUTH PLAIN " + b64("alice\x00alicepw"), 501, ""}, {"AUTH PLAIN " + plain("alice", "alicepw"), 235, ""}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			c := e.dial(t)
			c.expect("EHLO c.example", 250)
			for _, s := range tc.steps {
				got, text := c.cmd(s.send)
				assert.Equal(t, s.code, got, "%q → %d %s", s.send, got, text)
				if s.text != "" {
					assert.Equal(t, s.text, text, s.send)
				}
			}
			assert.Equal(t, tc.fails, e.fails, "failed logins counted")
			c.expect("NOOP", 250)
		})
	}
}

func make256(b byte) []byte {
	p := make([]byte, 256)
	for i := range p {
		p[i] = b
	}
	return p
}

// TestLogValuesSurviveTheNextRead: the auth record names the mechanism
// and the user correctly although the SASL lines read after the AUTH
// command overwrote the reader's buffer (the garbled "mechanism=W8AT0"
// seen in a log), and no record holds a view into that buffer.
func TestLogValuesSurviveTheNextRead(t *testing.T) {
	rec := logtest.New()
	e := newEnv(t, func(c *Config) { c.Log = slog.New(rec) })
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	sessions := []struct {
		steps [][2]string // line, code
		mech  string
	}{
		{[][2]string{{"AUTH LOGIN", "334"}, {b64("alice@mail.example"), "334"}, {b64("alicepw"), "235"}}, "LOGIN"},
		{[][2]string{{"AUTH login " + b64("alice"), "334"}, {b64("alicepw"), "235"}}, "LOGIN"},
		{[][2]string{{"AUTH PLAIN", "334"}, {plain("alice", "alicepw"), "235"}}, "PLAIN"},
		{[][2]string{{"auth plain " + plain("alice", "alicepw"), "235"}}, "PLAIN"},
	}
	for _, s := range sessions {
		c := e.dial(t)
		c.expect("EHLO a-rather-long-client-name.example", 250)
		for _, st := range s.steps {
			got, text := c.cmd(st[0])
			require.Equal(t, st[1], strconv.Itoa(got), "%s → %s", st[0], text)
		}
		// More commands through the same buffer after the record.
		c.expect("MAIL FROM:<alice@mail.example> BODY=8BITMIME", 250)
		c.expect("QUIT", 221)
		got := rec.Records("auth")
		require.NotEmpty(t, got)
		last := got[len(got)-1]
		assert.Equal(t, s.mech, last["mechanism"].String(), "%v", s.steps)
		assert.Equal(t, "alice", last["user"].String())
	}
	// A failed login names the user as sent, after the password line.
	c := e.dial(t)
	c.expect("EHLO c.example", 250)
	c.expect("AUTH LOGIN "+b64("bob@mail.example"), 334)
	c.expect(b64("a wrong password, long enough to overwrite"), 535)
	c.expect("QUIT", 221)
	failed := rec.Records("auth failed")
	require.Len(t, failed, 1)
	assert.Equal(t, "bob@mail.example", failed[0]["user"].String())
	require.Eventually(t, func() bool { return len(rec.Records("disconnect")) == 5 }, 5*time.Second, 10*time.Millisecond)
	logtest.AssertNoViews(t, rec.Records(""))
}
