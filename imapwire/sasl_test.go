package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSASL(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
		cond     string
	}{
		{"AGFsaWNlAHMzY3IzdA==", "\x00alice\x00s3cr3t", nil, ""},
		{"=", "", nil, ""},
		{"*", "", ErrAuthCanceled, "BAD"},
		{"AGFsaWNl AHMz", "", ErrSyntax, "BAD"},
		{"YQ", "", ErrSyntax, "BAD"},
		{"YR==", "", ErrSyntax, "BAD"},
	}
	for _, tt := range tests {
		got, err := DecodeSASL([]byte("keep"), []byte(tt.in))
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.in)
			assert.Equal(t, "keep", string(got), "dst unchanged")
			assert.Equal(t, tt.cond, ReplyFor(err).Cond)
			assert.False(t, ReplyFor(err).Fatal)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, "keep"+tt.want, string(got))
	}
}

// A server reads AUTHENTICATE PLAIN's answer line, decodes and splits it.
func TestSASLPlainExchange(t *testing.T) {
	resp, err := AppendPlainResponse(nil, "", "alice", "s3cr3t")
	require.NoError(t, err)
	r := NewReader(strings.NewReader("a AUTHENTICATE PLAIN\r\n"+string(resp)+"\r\n*\r\n"), ServerSide, Options{})
	c, err := r.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, CmdAuthenticate, c.ID)
	line, err := r.ReadAuthLine()
	require.NoError(t, err)
	msg, err := DecodeSASL(nil, line)
	require.NoError(t, err)
	p, err := ParsePlain(msg)
	require.NoError(t, err)
	assert.Equal(t, Plain{Authzid: []byte{}, Authcid: []byte("alice"), Password: []byte("s3cr3t")}, p)
	_, err = r.ReadAuthLine()
	require.ErrorIs(t, err, ErrAuthCanceled)
	_, err = DecodeSASL(nil, []byte("*"))
	require.ErrorIs(t, err, ErrAuthCanceled)
}

func TestParsePlain(t *testing.T) {
	p, err := ParsePlain([]byte("admin\x00alice\x00pw"))
	require.NoError(t, err)
	assert.Equal(t, "admin|alice|pw", string(p.Authzid)+"|"+string(p.Authcid)+"|"+string(p.Password))
	for _, bad := range []string{"alice\x00pw", "\x00\x00pw", "\x00alice\x00", "\x00a\x00b\x00c", "\x00a\x00\xff", "\x00" + strings.Repeat("a", 256) + "\x00pw"} {
		_, err := ParsePlain([]byte(bad))
		require.ErrorIs(t, err, ErrAuthFailed, "%q", bad)
		assert.Equal(t, Reply{"NO", "AUTHENTICATIONFAILED", "Authentication failed", false}, ReplyFor(err))
	}
}

func TestAppendPlainResponse(t *testing.T) {
	got, err := AppendPlainResponse([]byte("a AUTHENTICATE PLAIN "), "admin", "alice", "pw")
	require.NoError(t, err)
	assert.Equal(t, "a AUTHENTICATE PLAIN YWRtaW4AYWxpY2UAcHc=", string(got))
	for _, bad := range [][3]string{{"", "", "pw"}, {"", "al\x00ice", "pw"}, {"", "alice", ""}} {
		got, err := AppendPlainResponse([]byte("keep"), bad[0], bad[1], bad[2])
		require.ErrorIs(t, err, ErrInjection)
		assert.Equal(t, "keep", string(got))
	}
}

func TestSASLAllocs(t *testing.T) {
	buf := make([]byte, 0, 128)
	line := []byte("AGFsaWNlAHMzY3IzdA==")
	n := testing.AllocsPerRun(100, func() {
		msg, err := DecodeSASL(buf[:0], line)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePlain(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := AppendPlainResponse(buf[:0], "", "alice", "s3cr3t"); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func BenchmarkSASLPlain(b *testing.B) {
	buf := make([]byte, 0, 128)
	line := []byte("AGFsaWNlAHMzY3IzdA==")
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		msg, err := DecodeSASL(buf[:0], line)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParsePlain(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// What AppendPlainResponse writes, DecodeSASL and ParsePlain read back.
func FuzzSASLPlain(f *testing.F) {
	f.Add("", "alice", "s3cr3t")
	f.Add("admin", "al\x00ice", "pw")
	f.Fuzz(func(t *testing.T, authzid, authcid, password string) {
		resp, err := AppendPlainResponse(nil, authzid, authcid, password)
		if err != nil {
			require.ErrorIs(t, err, ErrInjection)
			return
		}
		msg, err := DecodeSASL(nil, resp)
		require.NoError(t, err)
		p, err := ParsePlain(msg)
		require.NoError(t, err)
		assert.Equal(t, authzid, string(p.Authzid))
		assert.Equal(t, authcid, string(p.Authcid))
		assert.Equal(t, password, string(p.Password))
	})
}
