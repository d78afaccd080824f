package pop3

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSASL(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"=", "", nil},
		{"", "", nil},
		{"AGJv", "\x00bo", nil},
		{"QQ==", "A", nil},
		{"QUFBQUFB", "AAAAAA", nil},
		{"*", "", ErrAuthCanceled},
		{"QQ=", "", ErrBase64},
		{"QR==", "", ErrBase64}, // padding bits set: not strict
		{"QQ==QQ==", "", ErrBase64},
		{"QU\nJD", "", ErrBase64},
		{"QUJD\r", "", ErrBase64},
		{"QU JD", "", ErrBase64},
		{"!!!!", "", ErrBase64},
		{"==", "", ErrBase64},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DecodeSASL([]byte("pre:"), []byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.NotEmpty(t, ReplyOf(err).Text)
				assert.False(t, ReplyOf(err).Fatal)
				assert.Equal(t, "pre:", string(got), "dst as given on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "pre:"+tt.want, string(got))
		})
	}
}

// TestDecodeSASLAppends is the regression test for issue 11: DecodeSASL
// wrote from dst[0] and was bounded by len(dst); it appends now, growing
// dst only when it lacks the capacity.
func TestDecodeSASLAppends(t *testing.T) {
	dst := make([]byte, 3, 64)
	copy(dst, "abc")
	got, err := DecodeSASL(dst, []byte("AGJvYgBzZWNyZXQ="))
	require.NoError(t, err)
	assert.Equal(t, "abc\x00bob\x00secret", string(got))
	assert.Same(t, &dst[0], &got[0], "in dst's own array")

	got, err = DecodeSASL(nil, []byte(strings.Repeat("QUFB", 1000)))
	require.NoError(t, err, "no bound but the caller's line")
	assert.Equal(t, strings.Repeat("A", 3000), string(got))

	got, err = DecodeSASL(make([]byte, 0, 1), []byte("QUJD"))
	require.NoError(t, err, "grows when dst is short")
	assert.Equal(t, "ABC", string(got))
}

func TestParsePlain(t *testing.T) {
	long := strings.Repeat("x", 256)
	tests := []struct {
		name, in                  string
		authzid, authcid, passwrd string
		ok                        bool
	}{
		{"no authzid", "\x00bob\x00secret", "", "bob", "secret", true},
		{"authzid", "admin\x00bob\x00pass word", "admin", "bob", "pass word", true},
		{"utf-8", "\x00jörg\x00pässwörd", "", "jörg", "pässwörd", true},
		{"255 octets", "\x00" + long[:255] + "\x00p", "", long[:255], "p", true},
		{"one NUL", "bob\x00secret", "", "", "", false},
		{"no NUL", "bobsecret", "", "", "", false},
		{"three NULs", "\x00bob\x00sec\x00ret", "", "", "", false},
		{"empty authcid", "a\x00\x00secret", "", "", "", false},
		{"empty password", "\x00bob\x00", "", "", "", false},
		{"256 octets", "\x00" + long + "\x00p", "", "", "", false},
		{"not utf-8", "\x00b\xffb\x00p", "", "", "", false},
		{"empty", "", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePlain([]byte(tt.in))
			if !tt.ok {
				require.ErrorIs(t, err, ErrPlain)
				r := ReplyOf(err)
				assert.Equal(t, CodeAuth, r.Code)
				assert.False(t, r.Fatal)
				out, err := AppendErr(nil, r.Code, r.Text)
				require.NoError(t, err)
				assert.Equal(t, "-ERR [AUTH] Malformed PLAIN credentials\r\n", string(out))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.authzid, string(p.Authzid))
			assert.Equal(t, tt.authcid, string(p.Authcid))
			assert.Equal(t, tt.passwrd, string(p.Password))
		})
	}
}

func TestAppendPlainResponse(t *testing.T) {
	got, err := AppendPlainResponse([]byte("AUTH PLAIN "), "", "bob", "secret")
	require.NoError(t, err)
	assert.Equal(t, "AUTH PLAIN AGJvYgBzZWNyZXQ=", string(got))

	got, err = AppendPlainResponse(nil, "admin", "jörg", "pässwörd")
	require.NoError(t, err)
	msg, err := DecodeSASL(nil, got)
	require.NoError(t, err)
	p, err := ParsePlain(msg)
	require.NoError(t, err)
	assert.Equal(t, []string{"admin", "jörg", "pässwörd"}, []string{string(p.Authzid), string(p.Authcid), string(p.Password)})

	long := strings.Repeat("x", 256)
	for _, f := range [][3]string{{"", "", "p"}, {"", "u", ""}, {"a\x00b", "u", "p"}, {"", "u\x00", "p"},
		{"", "u", "p\x00q"}, {long, "u", "p"}, {"", long, "p"}, {"", "u", long}, {"", "\xff", "p"}} {
		got, err := AppendPlainResponse([]byte("kept"), f[0], f[1], f[2])
		assert.ErrorIs(t, err, ErrPlain, "%q", f)
		assert.Equal(t, "kept", string(got))
	}
}

func TestSASLWriters(t *testing.T) {
	assert.Equal(t, "=", string(AppendSASL(nil, nil)))
	assert.Equal(t, "AGJvYgBzZWNyZXQ=", string(AppendSASL(nil, []byte("\x00bob\x00secret"))))
	assert.Equal(t, "\r\n", string(AppendAuthResponse(nil, nil)))
	assert.Equal(t, "QQ==\r\n", string(AppendAuthResponse(nil, []byte("A"))))
	assert.Equal(t, "*\r\n", string(AppendAuthCancel(nil)))
	assert.Equal(t, "+ \r\n", string(AppendChallenge(nil, nil)))
	assert.Equal(t, "+ QQ==\r\n", string(AppendChallenge(nil, []byte("A"))))
}

func TestSASLAllocs(t *testing.T) {
	dst := make([]byte, 0, 64)
	buf := make([]byte, 0, 64)
	data := []byte("\x00bob\x00secret")
	allocs := testing.AllocsPerRun(100, func() {
		out := AppendChallenge(dst[:0], data)
		out = AppendAuthResponse(out, data)
		out = AppendSASL(out, data)
		msg, err := DecodeSASL(buf[:0], out[len(out)-16:])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePlain(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := AppendPlainResponse(out[:0], "", "bob", "secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeSASL(buf[:0], []byte("*")); err == nil {
			t.Fatal("no cancel")
		}
		if _, err := DecodeSASL(buf[:0], []byte("!!!!")); err == nil {
			t.Fatal("no base64 error")
		}
	})
	assert.Zero(t, allocs, "a cancel and bad base64 are ordinary ends of an exchange: no allocation either")
}
