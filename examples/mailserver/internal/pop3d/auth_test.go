package pop3d

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAuthLibraryRules: AUTH PLAIN decodes with pop3.DecodeSASL or
// ReadAuthResponse and splits with pop3.ParsePlain; their typed errors
// give the -ERR (pop3.ReplyOf). A malformed PLAIN message (RFC 4616 §2) is
// "-ERR [AUTH] ..." without counting a failed login; the session goes on.
func TestAuthLibraryRules(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	malformed := "-ERR [AUTH] Malformed PLAIN credentials"
	cases := []struct {
		name  string
		steps [][2]string // command, reply
		fails int
	}{
		{"authcid not utf-8", [][2]string{{"AUTH PLAIN " + b64("\x00al\xffice\x00pw"), malformed}}, 0},
		{"one nul", [][2]string{{"AUTH PLAIN " + b64("alice\x00pw"), malformed}}, 0},
		{"three nuls", [][2]string{{"AUTH PLAIN " + b64("\x00alice\x00p\x00w"), malformed}}, 0},
		{"empty authcid", [][2]string{{"AUTH PLAIN " + b64("\x00\x00pw"), malformed}}, 0},
		{"password over 255", [][2]string{{"AUTH PLAIN", "+ "}, {b64("\x00alice\x00" + strings.Repeat("p", 256)), malformed}}, 0},
		{"malformed after challenge", [][2]string{{"AUTH PLAIN", "+ "}, {b64("alice"), malformed}}, 0},
		{"line over the PLAIN bound", [][2]string{{"AUTH PLAIN", "+ "}, {b64(strings.Repeat("p", maxPlain+3)), "-ERR Line too long"}}, 0},
		{"bad base64", [][2]string{{"AUTH PLAIN !!!!", "-ERR Invalid base64 data"}}, 0},
		{"bad base64 after challenge", [][2]string{{"AUTH PLAIN", "+ "}, {"YW!j", "-ERR Invalid base64 data"}}, 0},
		{"canceled", [][2]string{{"AUTH PLAIN", "+ "}, {"*", "-ERR Authentication canceled"}}, 0},
		{"empty initial response", [][2]string{{"AUTH PLAIN =", malformed}}, 0},
		{"wrong password", [][2]string{{"AUTH PLAIN " + b64("\x00alice\x00nope"), "-ERR [AUTH] invalid credentials"}}, 1},
		{"foreign authzid", [][2]string{{"AUTH PLAIN " + b64("bob\x00alice\x00pw"), "-ERR [AUTH] invalid credentials"}}, 1},
		{"own authzid", [][2]string{{"AUTH PLAIN " + b64("alice\x00alice\x00pw"), "+OK maildrop has 0 messages (0 octets)"}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := serve(t, func(c *Config) { c.RequireTLS = false })
			c := e.dial(t)
			for _, s := range tc.steps {
				assert.Equal(t, s[1], c.cmd(s[0]), s[0])
			}
			assert.Equal(t, tc.fails, e.fails, "failed logins counted")
			assert.True(t, strings.HasPrefix(c.cmd("CAPA"), "+OK"), "session goes on")
			c.multi()
		})
	}
}
