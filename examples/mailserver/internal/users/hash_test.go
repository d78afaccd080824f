package users

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashRoundTrip(t *testing.T) {
	h, err := NewHash("secret", 1000)
	require.NoError(t, err)
	s := h.String()
	require.True(t, strings.HasPrefix(s, "pbkdf2-sha256$1000$"), s)
	require.Len(t, strings.Split(s, "$"), 4)
	h2, err := ParseHash(s)
	require.NoError(t, err)
	assert.Equal(t, h, h2)
	assert.True(t, h2.Verify("secret"))
	assert.False(t, h2.Verify("Secret"))
	assert.False(t, Hash{}.Verify(""))
}

// The published PBKDF2-HMAC-SHA256 vector: P "password", S "salt",
// c 4096, dkLen 32.
func TestHashKnownVector(t *testing.T) {
	key, err := hex.DecodeString("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
	require.NoError(t, err)
	h := Hash{Iter: 4096, Salt: []byte("salt"), Key: key}
	assert.True(t, h.Verify("password"))
	assert.False(t, h.Verify("passwore"))
}

func TestParseHashErrors(t *testing.T) {
	good, err := NewHash("x", 1000)
	require.NoError(t, err)
	parts := strings.Split(good.String(), "$")
	for _, s := range []string{
		"",
		"pbkdf2-sha1$1000$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$999$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$01000$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$+1000$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$99999999$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$abc$" + parts[2] + "$" + parts[3],
		"pbkdf2-sha256$1000$" + parts[2] + "==$" + parts[3],
		"pbkdf2-sha256$1000$" + parts[2] + "$" + parts[3] + "$",
		"pbkdf2-sha256$1000$$" + parts[3],
		"pbkdf2-sha256$1000$" + parts[2] + "$AAAA",
	} {
		_, err := ParseHash(s)
		assert.ErrorIs(t, err, ErrHash, s)
	}
}

func FuzzParseHash(f *testing.F) {
	f.Add("pbkdf2-sha256$4096$c2FsdA$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o")
	f.Add("pbkdf2-sha256$1000$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			return
		}
		// What parses prints back to the same text and parses again alike.
		assert.Equal(t, s, h.String())
		h2, err := ParseHash(h.String())
		require.NoError(t, err)
		assert.Equal(t, h, h2)
	})
}
