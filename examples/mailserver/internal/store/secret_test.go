package store

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
)

func TestSecret(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	k, err := s.Secret()
	require.NoError(t, err)
	require.Len(t, k, 32)
	s2, err := Open(dir)
	require.NoError(t, err)
	k2, err := s2.Secret()
	require.NoError(t, err)
	assert.Equal(t, k, k2)
}
