package transcript

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sampleChunks = []Chunk{
	{ServerToClient, []byte("220 localhost ESMTP\r\n")},
	{ClientToServer, []byte("EHLO a\r\n")},
	{ServerToClient, []byte("250-localhost\r\n")},
	{ServerToClient, []byte("250 8BITMIME\r\n")},
	{ClientToServer, []byte("QUIT\r\n")},
}

func sampleTranscript() *Transcript {
	return &Transcript{Header: sampleHeader, Chunks: sampleChunks}
}

func TestTranscriptBytesAndSizes(t *testing.T) {
	tr := sampleTranscript()
	tests := []struct {
		dir   Dir
		bytes string
		sizes []int
	}{
		{ClientToServer, "EHLO a\r\nQUIT\r\n", []int{8, 6}},
		{ServerToClient, "220 localhost ESMTP\r\n250-localhost\r\n250 8BITMIME\r\n", []int{21, 15, 14}},
		{Dir('X'), "", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.bytes, string(tr.Bytes(tt.dir)), tt.dir.String())
		assert.Equal(t, tt.sizes, tr.Sizes(tt.dir), tt.dir.String())
	}
}

func TestTranscriptAppendParse(t *testing.T) {
	file, err := sampleTranscript().Append(nil)
	require.NoError(t, err)
	got, err := Parse(bytes.NewReader(file), Options{})
	require.NoError(t, err)
	assert.Equal(t, sampleTranscript(), got)

	bad := sampleTranscript()
	bad.Client = "x\ny"
	_, err = bad.Append(nil)
	require.ErrorIs(t, err, ErrBadHeaderValue)

	_, err = Parse(bytes.NewReader(file[:len(file)-1]), Options{})
	require.Error(t, err)
}

func TestLoad(t *testing.T) {
	file, err := sampleTranscript().Append(nil)
	require.NoError(t, err)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, err = zw.Write(file)
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
		wantErr bool
	}{
		{"a.txn", file, false},
		{"b.txn.gz", zipped.Bytes(), false},
		{"c.txn.gz", file, true},
		{"d.txn", file[:40], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			require.NoError(t, os.WriteFile(path, tt.content, 0o644))
			got, err := Load(path)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), path)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, path, got.Path)
			assert.Equal(t, path, got.String())
			assert.Equal(t, sampleChunks, got.Chunks)
		})
	}
	_, err = Load(filepath.Join(dir, "missing.txn"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestTranscriptString(t *testing.T) {
	assert.Equal(t, "smtp swaks 20201014.0 -> Postfix 3.7.11", sampleTranscript().String())
}

func TestParseCopiesChunks(t *testing.T) {
	file, err := sampleTranscript().Append(nil)
	require.NoError(t, err)
	got, err := Parse(bytes.NewReader(file), Options{})
	require.NoError(t, err)
	for i := range file {
		file[i] = 0
	}
	assert.True(t, strings.HasPrefix(string(got.Chunks[0].Data), "220 "))
}
