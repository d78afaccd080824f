package sasl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  error
	}{
		{"=", "", nil},
		{"", "", nil},
		{"AGFsaWNlAHB3", "\x00alice\x00pw", nil},
		{"*", "", ErrCanceled},
		{"AGFsaWNlAHB3\r\n", "", ErrBase64},
		{"AGFsa WNlAHB3", "", ErrBase64},
		{"AGFsaWNlAHB", "", ErrBase64}, // not a multiple of 4
		{"YQ", "", ErrBase64},          // padding missing
		{"YR==", "", ErrBase64},        // not canonical (strict)
		{"YQ==", "a", nil},
		{"Y!==", "", ErrBase64},
	} {
		dst := []byte("keep")
		got, err := Decode(dst, []byte(tc.in))
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, tc.in)
			assert.Equal(t, "keep", string(got), tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, "keep"+tc.want, string(got), tc.in)
	}
}

func TestDecodeAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	src := []byte("AGFsaWNlAHB3")
	n := testing.AllocsPerRun(100, func() {
		out, err := Decode(buf[:0], src)
		if err != nil || len(out) != 9 {
			t.Fatal(out, err)
		}
	})
	assert.Zero(t, n)
}

func TestParsePlain(t *testing.T) {
	long := string(make([]byte, 256))
	for _, tc := range []struct {
		in                string
		authz, authc, pwd string
		ok                bool
	}{
		{"\x00alice\x00pw", "", "alice", "pw", true},
		{"admin\x00alice\x00p w", "admin", "alice", "p w", true},
		{"\x00\x00pw", "", "", "", false},           // empty authcid
		{"\x00alice\x00", "", "", "", false},        // empty passwd
		{"\x00alice", "", "", "", false},            // one NUL
		{"alice", "", "", "", false},                // no NUL
		{"\x00alice\x00pw\x00x", "", "", "", false}, // three NULs
		{"\x00al\xffice\x00pw", "", "", "", false},  // not UTF-8
		{"\x00alice\x00" + "a" + long[1:] + "b", "", "", "", false},
	} {
		p, err := ParsePlain([]byte(tc.in))
		if !tc.ok {
			assert.ErrorIs(t, err, ErrPlain, "%q", tc.in)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.authz, string(p.Authzid))
		assert.Equal(t, tc.authc, string(p.Authcid))
		assert.Equal(t, tc.pwd, string(p.Password))
	}
	n := testing.AllocsPerRun(100, func() {
		if _, err := ParsePlain([]byte("\x00alice\x00pw")); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func TestAppendPlain(t *testing.T) {
	got, err := AppendPlain([]byte("x"), "", "alice", "pw")
	require.NoError(t, err)
	assert.Equal(t, "x\x00alice\x00pw", string(got))
	got, err = AppendPlain([]byte("x"), "", "al\x00ice", "pw")
	assert.ErrorIs(t, err, ErrPlain)
	assert.Equal(t, "x", string(got))
}

func FuzzPlain(f *testing.F) {
	f.Add([]byte("\x00alice\x00pw"))
	f.Add([]byte("admin\x00alice\x00secret"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		p, err := ParsePlain(msg)
		if err != nil {
			return
		}
		again, err := AppendPlain(nil, string(p.Authzid), string(p.Authcid), string(p.Password))
		if err != nil || string(again) != string(msg) {
			t.Fatalf("round trip %q -> %q %v", msg, again, err)
		}
	})
}
