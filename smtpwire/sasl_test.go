package smtpwire

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSASL(t *testing.T) {
	tests := []struct {
		src, want string
		err       error
		st        Status
	}{
		{src: "AHVAcA==", want: "\x00u@p"},
		{src: "=", want: ""},
		{src: "", want: ""},
		{src: "*", err: ErrAuthCanceled, st: Status{501, EnhancedCode{5, 0, 0}, "Authentication canceled", false}},
		{src: "!!", err: ErrBase64, st: Status{501, EnhancedCode{5, 5, 2}, "Cannot decode response", false}},
		{src: "AHVAcA", err: ErrBase64},   // unpadded
		{src: "AHVAcB==", err: ErrBase64}, // not canonical
		{src: "AHVA cA==", err: ErrBase64},
		{src: "AHVA\r\ncA==", err: ErrBase64},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := DecodeSASL([]byte("keep"), []byte(tt.src))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, "keep", string(got), "dst unchanged")
				if tt.st.Code != 0 {
					assert.Equal(t, tt.st, StatusOf(err))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "keep"+tt.want, string(got))
		})
	}
	buf := make([]byte, 0, 64)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := DecodeSASL(buf[:0], []byte("dXNlcm5hbWU=")); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeSASL(buf[:0], []byte("*")); err == nil {
			t.Fatal("no cancel")
		}
		if _, err := DecodeSASL(buf[:0], []byte("!!")); err == nil {
			t.Fatal("bad base64 taken")
		}
	}), "a cancel and bad base64 are ordinary ends of an exchange: no allocation either")
}

func TestParsePlain(t *testing.T) {
	p, err := ParsePlain([]byte("admin\x00alice\x00secret"))
	require.NoError(t, err)
	assert.Equal(t, Plain{Authzid: []byte("admin"), Authcid: []byte("alice"), Password: []byte("secret")}, p)
	p, err = ParsePlain([]byte("\x00alice\x00secret"))
	require.NoError(t, err)
	assert.Empty(t, p.Authzid)
	for _, bad := range []string{"alice\x00secret", "\x00\x00secret", "\x00alice\x00", "a\x00b\x00c\x00d", "\x00\xff\x00pw", "\x00" + strings.Repeat("a", 256) + "\x00pw"} {
		_, err := ParsePlain([]byte(bad))
		require.ErrorIs(t, err, ErrPlain, "%q", bad)
		assert.Equal(t, Status{501, EnhancedCode{5, 5, 2}, "Malformed PLAIN response", false}, StatusOf(err))
	}
	msg := []byte("\x00alice\x00secret")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := ParsePlain(msg); err != nil {
			t.Fatal(err)
		}
	}))
}

func TestAppendPlainResponse(t *testing.T) {
	got, err := AppendPlainResponse([]byte("AUTH PLAIN "), "", "alice", "secret")
	require.NoError(t, err)
	assert.Equal(t, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret")), string(got))
	// What the client writes, the server reads back.
	for _, f := range [][3]string{{"", "a", "b"}, {"admin", "alice", "pässwörd"}, {"", "u", strings.Repeat("p", 255)}} {
		wire, err := AppendPlainResponse(nil, f[0], f[1], f[2])
		require.NoError(t, err)
		msg, err := DecodeSASL(nil, wire)
		require.NoError(t, err)
		p, err := ParsePlain(msg)
		require.NoError(t, err)
		assert.Equal(t, f, [3]string{string(p.Authzid), string(p.Authcid), string(p.Password)})
	}
	got, err = AppendPlainResponse([]byte("keep"), "", "", "pw")
	require.ErrorIs(t, err, ErrPlain)
	assert.Equal(t, "keep", string(got))
	_, err = AppendPlainResponse(nil, "", "a\x00b", "pw")
	require.ErrorIs(t, err, ErrPlain)
	buf := make([]byte, 0, 128)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		out, err := AppendPlainResponse(buf[:0], "", "alice", "secret")
		if err != nil || !bytes.Equal(out, []byte("AGFsaWNlAHNlY3JldA==")) {
			t.Fatal(string(out), err)
		}
	}))
}

// FuzzPlain: whatever decodes and parses as PLAIN is written back by
// AppendPlainResponse to the same base64.
func FuzzPlain(f *testing.F) {
	f.Add([]byte("AGFsaWNlAHNlY3JldA=="))
	f.Add([]byte("YWRtaW4AYWxpY2UAc2VjcmV0"))
	f.Add([]byte("*"))
	f.Add([]byte("="))
	f.Fuzz(func(t *testing.T, src []byte) {
		msg, err := DecodeSASL(nil, src)
		if err != nil {
			require.True(t, StatusOf(err).Code == 501)
			return
		}
		p, err := ParsePlain(msg)
		if err != nil {
			require.ErrorIs(t, err, ErrPlain)
			return
		}
		wire, err := AppendPlainResponse(nil, string(p.Authzid), string(p.Authcid), string(p.Password))
		require.NoError(t, err)
		require.Equal(t, string(src), string(wire))
	})
}

// The server's side of AUTH PLAIN: decode the response, split it.
func BenchmarkDecodeSASLPlain(b *testing.B) {
	resp, err := AppendPlainResponse(nil, "", "alice@example.org", "correct horse battery staple")
	require.NoError(b, err)
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	b.SetBytes(int64(len(resp)))
	for b.Loop() {
		msg, err := DecodeSASL(buf[:0], resp)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParsePlain(msg); err != nil {
			b.Fatal(err)
		}
	}
}
