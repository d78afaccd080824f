package seedzip

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteUniqueSortedNoEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.zip")
	require.NoError(t, Write(path, [][]byte{[]byte("b"), []byte("a"), []byte("b"), nil, {}}))
	got, err := Read(path)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("a"), []byte("b")}, got)
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, Write(path, [][]byte{[]byte("a"), []byte("b")}))
	second, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, first, second, "the zip is deterministic")
}

func TestReadMissingIsEmpty(t *testing.T) {
	got, err := Read(filepath.Join(t.TempDir(), "none.zip"))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestReadRefusesNonZip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.zip")
	require.NoError(t, os.WriteFile(path, []byte("not a zip"), 0o644))
	_, err := Read(path)
	assert.Error(t, err)
}
