package store

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestNewKey(t *testing.T) {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	s.host = escapeHost("a/b:c d\x7f")
	assert.Equal(t, "a_b_c_d_", s.host)
	now := time.Unix(1733333333, 123456000)
	k1, k2 := s.newKey(now), s.newKey(now)
	assert.NotEqual(t, k1, k2)
	assert.True(t, strings.HasPrefix(k1, "1733333333.M123456P"), k1)
	assert.LessOrEqual(t, len(k1), 100)
	assert.True(t, keyLess(k1, k2) != keyLess(k2, k1))
	assert.True(t, keyLess("999.x", "1000.x"), "seconds compared as numbers")
}

func TestValidUser(t *testing.T) {
	for u, ok := range map[string]bool{"alice": true, "a.b": true, "": false, ".x": false, "a/b": false, "..": false, "a:b": false, strings.Repeat("a", 65): false} {
		assert.Equal(t, ok, validUser(u), u)
	}
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	_, err = s.folderDir("alice", "Sent")
	require.NoError(t, err)
	_, err = s.folderDir("alice", "../x")
	assert.Error(t, err)
}
