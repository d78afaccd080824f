package target

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/tlspolicy"
)

func TestGuess(t *testing.T) {
	cases := []struct {
		addr  string
		opt   Options
		proto session.Proto
		mode  Mode
		level tlspolicy.Level
	}{
		{"mx.example:25", Options{}, session.SMTP, STARTTLS, tlspolicy.LevelVerify},
		{"mx.example:587", Options{}, session.SMTP, STARTTLS, tlspolicy.LevelVerify},
		{"mx.example:465", Options{}, session.SMTP, Implicit, tlspolicy.LevelVerify},
		{"h:110", Options{}, session.POP3, STARTTLS, tlspolicy.LevelVerify},
		{"h:995", Options{}, session.POP3, Implicit, tlspolicy.LevelVerify},
		{"h:143", Options{}, session.IMAP, STARTTLS, tlspolicy.LevelVerify},
		{"h:993", Options{}, session.IMAP, Implicit, tlspolicy.LevelVerify},
		{"h:2525", Options{Proto: "smtp"}, session.SMTP, STARTTLS, tlspolicy.LevelVerify},
		{"h:993", Options{Proto: "imap", Mode: "starttls", Level: "may"}, session.IMAP, STARTTLS, tlspolicy.LevelMay},
		{"h:143", Options{Mode: "none"}, session.IMAP, None, tlspolicy.LevelNone},
		{"h:143", Options{Level: "none"}, session.IMAP, None, tlspolicy.LevelNone},
		{"h:24", Options{Proto: "lmtp", Mode: "starttls", Level: "encrypt"}, session.LMTP, STARTTLS, tlspolicy.LevelEncrypt},
		{"[::1]:110", Options{Level: "ENCRYPT"}, session.POP3, STARTTLS, tlspolicy.LevelEncrypt},
	}
	for _, tc := range cases {
		got, err := New(tc.addr, tc.opt)
		require.NoError(t, err, tc.addr)
		assert.Equal(t, tc.proto, got.Proto, tc.addr)
		assert.Equal(t, tc.mode, got.Mode, tc.addr)
		assert.Equal(t, tc.level, got.Level, tc.addr)
		assert.NoError(t, got.Policy.Validate())
	}
}

func TestImplicitMayMeansEncrypt(t *testing.T) {
	got, err := New("h:993", Options{Level: "may"})
	require.NoError(t, err)
	assert.Equal(t, tlspolicy.LevelEncrypt, got.Policy.Level)
	assert.Equal(t, tlspolicy.TransportImplicit, got.Policy.Transport)
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		addr string
		opt  Options
		want string
	}{
		{"nohost", Options{}, "missing port"},
		{"h:0", Options{}, "bad port"},
		{"h:99999", Options{}, "bad port"},
		{"h:2525", Options{}, "give -proto"},
		{"h:25", Options{Proto: "nntp"}, "unknown protocol"},
		{"h:25", Options{Mode: "ssl"}, "-tls"},
		{"h:25", Options{Level: "paranoid"}, "unknown security level"},
		{"h:25", Options{Level: "fingerprint"}, "invalid policy"},
		{"h:25", Options{Level: "fingerprint", Fingerprints: []string{"abcd"}}, "not a SHA-256"},
		{"h:25", Options{Level: "dane", TLSA: []string{"3 1 1"}}, "usage selector type hex"},
		{"h:25", Options{CAFile: "/nonexistent/ca.pem"}, "no such file"},
	} {
		_, err := New(tc.addr, tc.opt)
		require.ErrorIs(t, err, ErrUsage, tc.addr)
		assert.Contains(t, err.Error(), tc.want, tc.addr)
	}
}

func TestFingerprintTLSAAndCAFile(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	got, err := New("h:25", Options{Level: "fingerprint", Fingerprints: []string{fp}})
	require.NoError(t, err)
	require.Len(t, got.Policy.Fingerprints, 1)
	assert.Len(t, got.Policy.Fingerprints[0], 32)

	got, err = New("h:25", Options{Level: "dane", TLSA: []string{"3 1 1 " + fp}})
	require.NoError(t, err)
	assert.Equal(t, tlspolicy.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: got.Policy.TLSA[0].Data}, got.Policy.TLSA[0])

	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not pem"), 0o644))
	_, err = New("h:25", Options{CAFile: bad})
	assert.ErrorContains(t, err, "no PEM certificate")
}
