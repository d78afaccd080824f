package users

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePlain(t *testing.T) {
	for _, tc := range []struct {
		in      string
		z, c, p string
		ok      bool
	}{
		{"\x00alice\x00pw", "", "alice", "pw", true},
		{"admin\x00alice\x00pw with space", "admin", "alice", "pw with space", true},
		{"alice\x00pw", "", "", "", false},
		{"\x00\x00pw", "", "", "", false},
		{"\x00alice\x00", "", "", "", false},
		{"\x00alice\x00p\x00w", "", "", "", false},
		{"", "", "", "", false},
		{"\x00" + strings.Repeat("a", 256) + "\x00pw", "", "", "", false},
	} {
		z, c, p, err := ParsePlain([]byte(tc.in))
		if !tc.ok {
			assert.ErrorIs(t, err, ErrPlain, "%q", tc.in)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, []string{tc.z, tc.c, tc.p}, []string{z, c, p})
	}
}

func FuzzParsePlain(f *testing.F) {
	f.Add([]byte("\x00alice\x00pw"))
	f.Add([]byte("z\x00c\x00p"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		z, c, p, err := ParsePlain(msg)
		if err != nil {
			return
		}
		// Joining the parts gives the message back.
		assert.Equal(t, string(msg), z+"\x00"+c+"\x00"+p)
		assert.NotEmpty(t, c)
		assert.NotEmpty(t, p)
	})
}
