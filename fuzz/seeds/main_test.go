package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFirstBytes(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
		ok   bool
	}{
		{"go test fuzz v1\n[]byte(\"a\\r\\nb\")\n[]byte(\"\\x01\")\n", "a\r\nb", true},
		{"go test fuzz v1\nint(3)\nstring(\"x\\x00y\")\n", "x\x00y", true},
		{"go test fuzz v1\nint(3)\nbool(true)\n", "", false},
		{"go test fuzz v1\n[]uint8(\"z\")\n", "z", true},
	} {
		got, ok, err := firstBytes([]byte(tc.file))
		require.NoError(t, err, tc.file)
		assert.Equal(t, tc.ok, ok, tc.file)
		assert.Equal(t, tc.want, string(got), tc.file)
	}
	_, _, err := firstBytes([]byte("not a corpus file\n"))
	assert.Error(t, err)
	_, _, err = firstBytes([]byte("go test fuzz v1\n[]byte(\"unterminated)\n"))
	assert.Error(t, err)
}

func TestCorpusOfRealTarget(t *testing.T) {
	inputs, err := corpus(filepath.Join("..", "..", "pop3", "testdata", "fuzz", "FuzzBody"))
	require.NoError(t, err)
	assert.NotEmpty(t, inputs)
	none, err := corpus(filepath.Join(t.TempDir(), "missing"))
	require.NoError(t, err)
	assert.Empty(t, none)
}
